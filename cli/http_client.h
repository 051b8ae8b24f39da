// HttpClient: a small synchronous HTTP/1.1 client on Boost.Beast, for the
// admin API. Plain http, or https through OpenSSL.
//
// Contract:
//  * ServerUrl::Parse accepts `http://host[:port][/base]` and
//    `https://host[:port][/base]` (default ports 80 and 443; IPv6 hosts in
//    brackets); a base path is prefixed to every request target. Anything else
//    throws UsageError.
//  * Send() opens a connection, sends one request and reads the whole response
//    (any status: interpreting it is the caller's job), then closes. The whole
//    exchange, name resolution included, must finish within `timeout`.
//  * https verifies the server certificate and host name by default, against
//    the system's trust store or `ca_file`; `insecure` turns verification off.
//  * Network, TLS and protocol failures throw TransportError (cli_error.h)
//    with a message naming the server and the cause, plus a hint.
//  * No state is shared between Send() calls or HttpClient instances.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace arbor::cli {

struct ServerUrl {
  std::string scheme;     // "http" | "https"
  std::string host;       // without brackets
  std::string port;       // e.g. "9084"
  std::string base_path;  // "" or e.g. "/arbor" (no trailing '/')

  static ServerUrl Parse(std::string_view text);
  bool tls() const { return scheme == "https"; }
  // e.g. "http://127.0.0.1:9084", for messages.
  std::string ToString() const;
};

struct HttpClientOptions {
  std::string ca_file;    // https: trust this PEM bundle instead of the system's
  bool insecure = false;  // https: skip certificate verification
  std::chrono::milliseconds timeout{std::chrono::seconds(120)};
  std::string user_agent = "arbor-cli/0.1.0";
};

struct HttpResponseData {
  int status = 0;
  std::string reason;
  std::string content_type;
  std::string body;
};

class HttpClient {
 public:
  HttpClient(ServerUrl url, HttpClientOptions options);

  const ServerUrl& url() const { return url_; }

  // `target` is an origin-form path plus optional query, e.g. "/api/v1/tags";
  // it is appended to the URL's base path. `headers` are extra request headers.
  HttpResponseData Send(std::string_view method, std::string_view target, std::string_view body,
                        const std::vector<std::pair<std::string, std::string>>& headers) const;

 private:
  ServerUrl url_;
  HttpClientOptions options_;
};

}  // namespace arbor::cli
