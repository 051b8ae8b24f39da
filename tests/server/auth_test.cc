// server/auth: password and token hashes, the users file, and the SASL layer
// driven in memory with PLAIN (the wire bytes built by hand, delivered whole and
// one byte at a time). Kerberos and real clients: tests/integration/test_security.py
// and tests/hive/test_hive_security.py.
#include <gtest/gtest.h>

#include "server/auth/sasl_layer.h"
#include "server/auth/secrets.h"
#include "server/auth/users.h"

namespace arbor::auth {
namespace {

TEST(SecretsTest, PasswordHashesAreSaltedAndVerify) {
  auto a = HashPassword("correct horse");
  auto b = HashPassword("correct horse");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);  // a fresh salt each time
  EXPECT_EQ(a->rfind("scrypt$14$8$1$", 0), 0u) << *a;
  EXPECT_TRUE(*VerifyPassword("correct horse", *a));
  EXPECT_FALSE(*VerifyPassword("correct horsf", *a));
  EXPECT_FALSE(*VerifyPassword("", *a));
}

TEST(SecretsTest, MalformedOrCostlyHashesAreRefused) {
  for (const char* bad : {"", "scrypt", "bcrypt$1$2$3$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5",
                          "scrypt$40$8$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5",
                          "scrypt$14$8$1$!!!$a2V5a2V5a2V5a2V5a2V5a2V5"}) {
    EXPECT_FALSE(CheckPasswordHash(bad).ok()) << bad;
    EXPECT_FALSE(VerifyPassword("x", bad).ok()) << bad;
  }
}

TEST(SecretsTest, TokensHashToSha256) {
  auto t = NewToken();
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->size(), 43u);
  EXPECT_EQ(HashToken("abc"),
            "sha256$ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

std::string UsersText() {
  return "# comment\n"
         "alice writer password=" +
         *HashPassword("pw-a") + " token=" + HashToken("tok-a") +
         "\n"
         "\n"
         "etl   writer proxy=alice,bob   # a proxy user\n"
         "hive  admin  proxy=*\n"
         "rita  reader\n";
}

TEST(UserDirectoryTest, ParsesRolesSecretsAndProxies) {
  auto dir = UserDirectory::Parse(UsersText(), "users");
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  EXPECT_EQ(dir->size(), 4u);
  EXPECT_EQ(dir->RoleOf("alice"), Role::kWriter);
  EXPECT_EQ(dir->RoleOf("rita"), Role::kReader);
  EXPECT_EQ(dir->RoleOf("stranger"), Role::kReader);  // the default role
  dir->set_default_role(Role::kNone);
  EXPECT_EQ(dir->RoleOf("stranger"), Role::kNone);
  EXPECT_TRUE(dir->CheckPassword("alice", "pw-a"));
  EXPECT_FALSE(dir->CheckPassword("alice", "pw-b"));
  EXPECT_FALSE(dir->CheckPassword("rita", ""));  // no password: no PLAIN login
  EXPECT_EQ(dir->UserOfToken("tok-a"), std::optional<std::string>("alice"));
  EXPECT_EQ(dir->UserOfToken("tok-b"), std::nullopt);
  EXPECT_TRUE(dir->MayImpersonate("etl", "alice"));
  EXPECT_FALSE(dir->MayImpersonate("etl", "rita"));
  EXPECT_TRUE(dir->MayImpersonate("hive", "anyone"));
  EXPECT_TRUE(dir->MayImpersonate("rita", "rita"));
  EXPECT_FALSE(dir->MayImpersonate("stranger", "rita"));
  EXPECT_TRUE(dir->has_passwords());
  EXPECT_TRUE(dir->has_tokens());
}

TEST(UserDirectoryTest, ErrorsNameTheLineButNeverItsSecrets) {
  auto bad_role = UserDirectory::Parse("alice superuser\n", "f");
  ASSERT_FALSE(bad_role.ok());
  EXPECT_NE(bad_role.status().message().find("f:1:"), std::string::npos);
  auto bad_hash = UserDirectory::Parse("\nalice writer password=hunter2-plaintext\n", "f");
  ASSERT_FALSE(bad_hash.ok());
  EXPECT_NE(bad_hash.status().message().find("f:2:"), std::string::npos);
  EXPECT_EQ(bad_hash.status().message().find("hunter2"), std::string::npos);
  EXPECT_FALSE(UserDirectory::Parse("alice writer token=plain\n", "f").ok());
  EXPECT_FALSE(UserDirectory::Parse("alice writer\nalice reader\n", "f").ok());
  EXPECT_FALSE(UserDirectory::Parse("alice writer colour=blue\n", "f").ok());
  EXPECT_FALSE(UserDirectory::Parse("alice\n", "f").ok());
}

TEST(UserDirectoryTest, ShortNamesAndRoles) {
  EXPECT_EQ(ShortName("hive/host.example.com@EXAMPLE.COM", "EXAMPLE.COM"), "hive");
  EXPECT_EQ(ShortName("alice@EXAMPLE.COM", "EXAMPLE.COM"), "alice");
  EXPECT_EQ(ShortName("alice@OTHER.COM", "EXAMPLE.COM"), "alice@OTHER.COM");
  EXPECT_EQ(ShortName("alice", "EXAMPLE.COM"), "alice");
  EXPECT_TRUE(RequireRole("a", Role::kAdmin, Role::kWriter, "x").ok());
  Status denied = RequireRole("rita", Role::kReader, Role::kWriter, "create_database");
  ASSERT_FALSE(denied.ok());
  EXPECT_NE(denied.message().find("needs the writer role"), std::string::npos);
}

// A denial is its own code, apart from failed preconditions (an expected head),
// so each front end can answer it as a denial.
TEST(UserDirectoryTest, ARoleTooLowIsPermissionDenied) {
  Status denied = RequireRole("rita", Role::kReader, Role::kAdmin, "collect garbage");
  EXPECT_TRUE(denied.IsPermissionDenied()) << denied.ToString();
  EXPECT_FALSE(denied.IsPreconditionFailed());
  EXPECT_EQ(denied.ToString(),
            "PermissionDenied: user 'rita' (role reader) may not collect garbage: it needs the "
            "admin role");
  EXPECT_TRUE(RequireRole("w", Role::kWriter, Role::kWriter, "x").ok());
}

// --- the SASL layer, PLAIN, bytes by hand

std::string Message(uint8_t status, std::string_view payload) {
  std::string out(1, static_cast<char>(status));
  const uint32_t n = static_cast<uint32_t>(payload.size());
  out += {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
          static_cast<char>(n)};
  return out + std::string(payload);
}

std::string Frame(std::string_view payload) {
  return Message(0, payload).substr(1);
}

class SaslLayerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = UserDirectory::Parse(UsersText(), "users");
    ASSERT_TRUE(dir.ok());
    users_ = std::move(dir).value();
    SaslOptions o;
    o.mechanisms = {"PLAIN"};
    o.users = &users_;
    o.max_negotiation_bytes = 4096;
    o.max_frame_bytes = 1 << 20;
    auto server = SaslServer::Create(o);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }

  std::unique_ptr<ConnectionLayer> Layer() { return std::move(server_->NewLayer("test")).value(); }

  UserDirectory users_;
  std::unique_ptr<SaslServer> server_;
};

TEST_F(SaslLayerTest, PlainLoginThenFramesWholeOrByteByByte) {
  const std::string hello = Message(1, "PLAIN") + Message(5, std::string("\0alice\0pw-a", 11)) +
                            Frame("thrift-request-1") + Frame("req-2");
  for (bool bytewise : {false, true}) {
    auto layer = Layer();
    std::string up, down;
    if (bytewise) {
      for (char c : hello) {
        ASSERT_TRUE(layer->Receive(std::string_view(&c, 1), &up, &down).ok());
      }
    } else {
      ASSERT_TRUE(layer->Receive(hello, &up, &down).ok());
    }
    EXPECT_TRUE(layer->ready());
    EXPECT_EQ(down, Message(5, ""));  // COMPLETE
    EXPECT_EQ(up, "thrift-request-1req-2");
    EXPECT_EQ(layer->buffered(), 0u);
    EXPECT_EQ(layer->identity().user, "alice");
    EXPECT_EQ(layer->identity().method, AuthMethod::kPassword);
    std::string reply;
    ASSERT_TRUE(layer->Send("answer", &reply).ok());
    EXPECT_EQ(reply, Frame("answer"));
  }
}

TEST_F(SaslLayerTest, WrongPasswordUnknownUserAndProxyingAreRefused) {
  for (std::string creds : {std::string("\0alice\0pw-b", 11), std::string("\0nobody\0pw-a", 12),
                            std::string("rita\0alice\0pw-a", 15)}) {
    auto layer = Layer();
    std::string up, down;
    Status s = layer->Receive(Message(1, "PLAIN") + Message(2, creds), &up, &down);
    EXPECT_FALSE(s.ok());
    EXPECT_FALSE(layer->ready());
    EXPECT_TRUE(up.empty());
    EXPECT_EQ(down, Message(3, "authentication failed"));  // BAD, nothing more
    EXPECT_EQ(s.message().find("pw-"), std::string::npos) << s.message();
  }
}

TEST_F(SaslLayerTest, HostileInputIsRefusedWithoutAllocating) {
  std::string up, down;
  // Not a SASL start: a plain Thrift client.
  EXPECT_FALSE(Layer()->Receive("\x80\x01\x00\x01", &up, &down).ok());
  // A mechanism not offered.
  down.clear();
  EXPECT_FALSE(Layer()->Receive(Message(1, "GSSAPI"), &up, &down).ok());
  EXPECT_EQ(down[0], 3);
  // A negotiation message declaring 4 GiB, and a data frame over the limit: refused
  // from the 5-byte (4-byte) header alone.
  auto layer = Layer();
  EXPECT_FALSE(layer->Receive(Message(1, "PLAIN") + "\x02\xff\xff\xff\xf0", &up, &down).ok());
  layer = Layer();
  ASSERT_TRUE(
      layer->Receive(Message(1, "PLAIN") + Message(5, std::string("\0alice\0pw-a", 11)), &up, &down)
          .ok());
  EXPECT_FALSE(layer->Receive("\x7f\xff\xff\xff", &up, &down).ok());
  // A partial frame is kept (and reported as buffered), not released.
  layer = Layer();
  up.clear();
  ASSERT_TRUE(
      layer->Receive(Message(1, "PLAIN") + Message(5, std::string("\0alice\0pw-a", 11)), &up, &down)
          .ok());
  ASSERT_TRUE(layer->Receive(Frame("abcdef").substr(0, 7), &up, &down).ok());
  EXPECT_TRUE(up.empty());
  EXPECT_EQ(layer->buffered(), 7u);
}

}  // namespace
}  // namespace arbor::auth
