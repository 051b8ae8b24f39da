// net::ParseUrl: the one URL parser of the CLI (--server) and the lakeFS client
// (--lakefs-endpoint).
#include "net/url.h"

#include <gtest/gtest.h>

namespace arbor::net {
namespace {

Url Parse(const std::string& text) {
  auto url = ParseUrl(text);
  EXPECT_TRUE(url.ok()) << text << ": " << url.status().ToString();
  return url.ok() ? *url : Url();
}

// Refused with InvalidArgument whose message holds `needle` and never the text.
void Refused(const std::string& text, const std::string& needle) {
  auto url = ParseUrl(text);
  ASSERT_FALSE(url.ok()) << text;
  EXPECT_EQ(url.status().code(), StatusCode::kInvalidArgument) << text;
  EXPECT_NE(url.status().message().find(needle), std::string::npos)
      << text << " -> " << url.status().ToString();
  if (text.size() > 8) {
    EXPECT_EQ(url.status().message().find(text), std::string::npos) << url.status().ToString();
  }
}

TEST(ParseUrl, SchemesPortsAndPaths) {
  Url a = Parse("http://127.0.0.1:9084");
  EXPECT_FALSE(a.tls);
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 9084);
  EXPECT_EQ(a.path, "");
  EXPECT_EQ(a.HostPort(), "127.0.0.1:9084");
  EXPECT_EQ(a.HostHeader(), "127.0.0.1:9084");

  Url b = Parse("HTTPS://lakefs.example.com/prefix//");
  EXPECT_TRUE(b.tls);
  EXPECT_STREQ(b.scheme(), "https");
  EXPECT_EQ(b.port, 443);
  EXPECT_TRUE(b.default_port());
  EXPECT_EQ(b.path, "/prefix");
  EXPECT_EQ(b.HostHeader(), "lakefs.example.com");
  EXPECT_EQ(b.HostPort(), "lakefs.example.com:443");

  EXPECT_EQ(Parse("http://h").port, 80);
  EXPECT_EQ(Parse("http://h:80").HostHeader(), "h");
  EXPECT_EQ(Parse("https://h:8443/a/b").HostHeader(), "h:8443");
  EXPECT_EQ(Parse("https://h:8443/a/b").path, "/a/b");
  EXPECT_EQ(Parse("http://my_host-1.local:1").host, "my_host-1.local");
  EXPECT_EQ(Parse("http://h:65535").port, 65535);
}

TEST(ParseUrl, Ipv6InBrackets) {
  Url a = Parse("http://[::1]:8000/x");
  EXPECT_EQ(a.host, "::1");
  EXPECT_EQ(a.port, 8000);
  EXPECT_EQ(a.HostPort(), "[::1]:8000");
  EXPECT_EQ(a.HostHeader(), "[::1]:8000");
  EXPECT_EQ(Parse("https://[fe80::1]").HostHeader(), "[fe80::1]");
  Refused("http://[::1", "unterminated");
  Refused("http://[::1]x", "after the IPv6 address");
  Refused("http://[nothex]:1", "not an IPv6 address");
  Refused("http://::1:80", "brackets");
}

TEST(ParseUrl, RefusesMalformedUrls) {
  Refused("", "empty");
  Refused("127.0.0.1:8000", "no scheme");
  Refused("ftp://host:1", "not http or https");
  Refused("http://", "no host");
  Refused("http:///path", "no host");
  Refused("http://h:0", "out of range");
  Refused("http://h:99999", "out of range");
  Refused("http://h:80a", "not a number");
  Refused("http://h:", "empty port");
  Refused("http://h:1:2", "brackets");
  Refused("http://h/x?y=1", "query");
  Refused("http://h/x#f", "fragment");
  Refused("http://h o", "whitespace");
  Refused("http://h\t", "control");
  Refused("http://h!x", "invalid character '!'");
}

TEST(ParseUrl, UserInfoIsRefusedAndDetected) {
  auto url = ParseUrl("http://user:hunter2@h:8000/p");
  ASSERT_FALSE(url.ok());
  EXPECT_NE(url.status().message().find("user info"), std::string::npos);
  EXPECT_EQ(url.status().message().find("hunter2"), std::string::npos);
  EXPECT_TRUE(HasUserInfo("http://user:hunter2@h:8000/p"));
  EXPECT_TRUE(HasUserInfo("user@h"));
  EXPECT_FALSE(HasUserInfo("http://h:8000/p@q"));  // '@' in the path is not user info
  EXPECT_FALSE(HasUserInfo("http://h"));
}

}  // namespace
}  // namespace arbor::net
