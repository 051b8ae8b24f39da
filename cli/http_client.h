// HttpClient: the CLI's view of net::HttpClient (net/http_client.h), the one
// HTTP client arbor has: CLI options in, CLI errors out.
//
// Contract:
//  * ParseServerUrl accepts what net::ParseUrl accepts,
//    `http[s]://host[:port][/base]`; anything else throws UsageError. A base
//    path is prefixed to every request target.
//  * Send() opens a connection, sends one request and reads the whole response
//    (any status: interpreting it is the caller's job), then closes. The whole
//    exchange, name resolution included, must finish within `timeout`.
//  * https verifies the server certificate and host name by default, against
//    the system's trust store or `ca_file`; `insecure` turns verification off.
//    An unreadable `ca_file` throws CliError when the client is made.
//  * Network, TLS and protocol failures throw TransportError (cli_error.h)
//    with a message naming the server and the cause, plus a hint.
//  * No state is shared between Send() calls or HttpClient instances.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/http_client.h"
#include "net/url.h"

namespace arbor::cli {

net::Url ParseServerUrl(std::string_view text);
// e.g. "http://127.0.0.1:9084/arbor", for messages (the port always shown).
std::string ServerUrlText(const net::Url& url);

struct HttpClientOptions {
  std::string ca_file;    // https: trust this PEM bundle instead of the system's
  bool insecure = false;  // https: skip certificate verification
  std::string cert_file;  // https: client certificate (mutual TLS)
  std::string key_file;   // https: its key (default: in cert_file)
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
  HttpClient(net::Url url, HttpClientOptions options);

  const net::Url& url() const { return client_->url(); }

  // `target` is an origin-form path plus optional query, e.g. "/api/v1/tags";
  // it is appended to the URL's base path. `headers` are extra request headers.
  HttpResponseData Send(std::string_view method, std::string_view target, std::string_view body,
                        const std::vector<std::pair<std::string, std::string>>& headers) const;

 private:
  HttpClientOptions options_;
  std::unique_ptr<net::HttpClient> client_;
};

}  // namespace arbor::cli
