// Url: the address of an HTTP server, `http[s]://host[:port][/path]`, as the
// admin CLI (--server) and the lakeFS client (--lakefs-endpoint) take it.
//
// Contract of ParseUrl:
//  * The scheme is http or https, case-insensitive; the port defaults to 80 or
//    443 and must be 1-65535; an IPv6 host is a literal in brackets; other
//    hosts are names or IPv4 literals of [A-Za-z0-9-._]. Trailing '/' of the
//    path are dropped.
//  * Refused with InvalidArgument: an empty text, whitespace or control
//    characters, user info (user:password@ — it may carry a secret), a query
//    or a fragment, and any malformed part. The message is a phrase naming
//    the problem; it never repeats the text, so the caller decides whether
//    echoing it is safe (not when it holds user info).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace arbor::net {

struct Url {
  bool tls = false;   // https
  std::string host;   // without brackets
  uint16_t port = 0;  // never 0 once parsed
  std::string path;   // "" or e.g. "/arbor" (no trailing '/')

  const char* scheme() const { return tls ? "https" : "http"; }
  bool default_port() const { return port == (tls ? 443 : 80); }
  // host:port, an IPv6 host in brackets; e.g. "[::1]:9084".
  std::string HostPort() const;
  // The Host header: host, plus :port unless it is the scheme's default.
  std::string HostHeader() const;
};

Result<Url> ParseUrl(std::string_view text);

// True when `text` carries user info (user[:password]@host), which must not be
// echoed in messages.
bool HasUserInfo(std::string_view text);

}  // namespace arbor::net
