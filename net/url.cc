// Parsing of server URLs; the contract is in net/url.h.
#include "net/url.h"

#include <algorithm>
#include <boost/asio/ip/address_v6.hpp>
#include <cctype>

namespace arbor::net {

namespace {

Status Bad(std::string why) {
  return Status::InvalidArgument(std::move(why));
}

bool IsHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

}  // namespace

std::string Url::HostPort() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string Url::HostHeader() const {
  bool v6 = host.find(':') != std::string::npos;
  std::string out = v6 ? "[" + host + "]" : host;
  if (!default_port()) out += ":" + std::to_string(port);
  return out;
}

bool HasUserInfo(std::string_view text) {
  size_t sep = text.find("://");
  std::string_view rest = sep == std::string_view::npos ? text : text.substr(sep + 3);
  return rest.substr(0, rest.find('/')).find('@') != std::string_view::npos;
}

Result<Url> ParseUrl(std::string_view text) {
  if (text.empty()) return Bad("it is empty");
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return Bad("it contains whitespace or control characters");
    }
  }
  size_t sep = text.find("://");
  if (sep == std::string_view::npos) return Bad("no scheme");
  std::string scheme(text.substr(0, sep));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view rest = text.substr(sep + 3);
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return Bad("user info (user:password@) is not allowed");
  }
  Url url;
  if (scheme == "https") {
    url.tls = true;
  } else if (scheme != "http") {
    return Bad("the scheme '" + scheme + "' is not http or https");
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return Bad("a query or a fragment is not allowed");
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Bad("unterminated IPv6 address");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Bad("unexpected text after the IPv6 address");
      port = after.substr(1);
      if (port.empty()) return Bad("empty port");
    }
    boost::system::error_code ec;
    boost::asio::ip::make_address_v6(url.host, ec);
    if (ec) return Bad("'" + url.host + "' is not an IPv6 address");
  } else {
    size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return Bad("empty port");
      if (port.find(':') != std::string_view::npos) {
        return Bad("IPv6 addresses must be in brackets");
      }
    }
    for (char c : url.host) {
      if (!IsHostChar(c)) return Bad("invalid character '" + std::string(1, c) + "' in the host");
    }
  }
  if (url.host.empty()) return Bad("no host");
  if (port.empty()) {
    url.port = url.tls ? 443 : 80;
  } else {
    if (port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); })) {
      return Bad("the port '" + std::string(port) + "' is not a number");
    }
    int value = std::stoi(std::string(port));
    if (value < 1 || value > 65535) {
      return Bad("the port " + std::string(port) + " is out of range 1-65535");
    }
    url.port = static_cast<uint16_t>(value);
  }
  while (!path.empty() && path.back() == '/')
    path.remove_suffix(1);
  url.path = std::string(path);
  return url;
}

}  // namespace arbor::net
