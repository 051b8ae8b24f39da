// Fuzzes the admin HTTP API (server/admin/admin_api.h) as the HTTP server hands it a
// request: routing, percent-decoding, query parsing, JSON bodies and the handlers, on
// an in-memory repository. Input: "METHOD TARGET\nheader-line\n...\n\nbody" (any
// bytes; missing parts stay empty). Every response must be a well-formed status.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/fuzz_repository.h"
#include "server/admin/admin_api.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static arbor::AdminApi* api = [] {
    arbor::AdminApiOptions o;
    o.max_body_bytes = 64 << 10;
    return new arbor::AdminApi(arbor::fuzz::SharedRepository(), o);
  }();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  arbor::HttpRequest req;
  size_t eol = in.find('\n');
  std::string_view line = in.substr(0, eol);
  size_t space = line.find(' ');
  req.method = std::string(line.substr(0, space));
  if (space != std::string_view::npos) req.target = std::string(line.substr(space + 1));
  std::string_view rest = eol == std::string_view::npos ? "" : in.substr(eol + 1);
  while (!rest.empty() && rest[0] != '\n') {
    size_t end = rest.find('\n');
    std::string_view header = rest.substr(0, end);
    size_t colon = header.find(':');
    if (colon != std::string_view::npos) {
      req.headers[std::string(header.substr(0, colon))] = std::string(header.substr(colon + 1));
    }
    rest = end == std::string_view::npos ? "" : rest.substr(end + 1);
  }
  if (!rest.empty()) req.body = std::string(rest.substr(1));
  arbor::HttpResponse r = api->Handle(req);
  if (r.status < 200 || r.status > 599) std::abort();
  return 0;
}
