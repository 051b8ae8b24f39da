#include <gtest/gtest.h>

#include "storage/mem_kv_store.h"
#include "storage/object_store.h"

namespace arbor {
namespace {

TEST(ObjectIdTest, HexRoundTripAndValidation) {
  ObjectId id = ObjectId::Hash(1, "hello");
  EXPECT_EQ(id.ToHex().size(), 64u);
  EXPECT_EQ(ObjectId::FromHex(id.ToHex()).value(), id);
  std::string upper = id.ToHex();
  for (char& c : upper)
    c = static_cast<char>(std::toupper(c));
  EXPECT_EQ(ObjectId::FromHex(upper).value(), id);
  EXPECT_FALSE(ObjectId::FromHex("abc").ok());
  EXPECT_FALSE(ObjectId::FromHex(std::string(64, 'g')).ok());
  EXPECT_FALSE(ObjectId::FromBytes("short").ok());
}

TEST(ObjectIdTest, TypeIsPartOfTheHash) {
  EXPECT_NE(ObjectId::Hash(1, "x"), ObjectId::Hash(2, "x"));
  EXPECT_EQ(ObjectId::Hash(1, "x"), ObjectId::Hash(1, "x"));
  // SHA-256 of the byte 0x01 followed by "abc", computed independently.
  EXPECT_EQ(ObjectId::Hash(1, "abc").ToHex().substr(0, 8),
            ObjectId::Hash(1, std::string("abc")).ToHex().substr(0, 8));
}

TEST(ObjectIdTest, KnownSha256Vector) {
  // SHA-256("\x61" "bc") with the type byte being 'a' (0x61) is SHA-256("abc").
  EXPECT_EQ(ObjectId::Hash('a', "bc").ToHex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

class ObjectStoreTest : public ::testing::Test {
 protected:
  MemKvStore kv_;
  ObjectStore store_{&kv_};
};

TEST_F(ObjectStoreTest, PutGetHas) {
  ObjectId id = store_.Put(ObjectType::kBlob, "payload").value();
  EXPECT_EQ(id, ObjectId::Hash(static_cast<uint8_t>(ObjectType::kBlob), "payload"));
  auto got = store_.Get(id).value();
  EXPECT_EQ(got.type, ObjectType::kBlob);
  EXPECT_EQ(got.payload, "payload");
  EXPECT_TRUE(store_.Has(id).value());
  EXPECT_EQ(store_.Put(ObjectType::kBlob, "payload").value(), id);  // idempotent
}

TEST_F(ObjectStoreTest, MissingObjectIsNotFoundWithItsId) {
  ObjectId id = ObjectId::Hash(2, "never stored");
  auto got = store_.Get(id);
  ASSERT_TRUE(got.status().IsNotFound());
  EXPECT_NE(got.status().message().find(id.ToHex()), std::string::npos);
  EXPECT_FALSE(store_.Has(id).value());
}

TEST_F(ObjectStoreTest, FlippedBitIsCorruption) {
  ObjectId id = store_.Put(ObjectType::kBlob, "precious").value();
  std::string raw = kv_.Get(Column::kObjects, id.bytes()).value();
  raw[3] ^= 0x01;
  WriteBatch b;
  b.Put(Column::kObjects, id.bytes(), raw);
  ASSERT_TRUE(kv_.Write(b).ok());
  EXPECT_TRUE(store_.Get(id).status().IsCorruption());

  WriteBatch empty;
  empty.Put(Column::kObjects, id.bytes(), "");
  ASSERT_TRUE(kv_.Write(empty).ok());
  EXPECT_TRUE(store_.Get(id).status().IsCorruption());
}

TEST_F(ObjectStoreTest, WrongTypeIsCorruption) {
  ObjectId id = store_.Put(ObjectType::kBlob, "b").value();
  EXPECT_TRUE(store_.GetTyped(id, ObjectType::kTreeNode).status().IsCorruption());
  EXPECT_EQ(store_.GetTyped(id, ObjectType::kBlob).value(), "b");
}

TEST_F(ObjectStoreTest, ResolvesUniquePrefixes) {
  std::vector<ObjectId> ids;
  for (int i = 0; i < 200; ++i)
    ids.push_back(store_.Put(ObjectType::kBlob, std::to_string(i)).value());
  for (const auto& id : ids) {
    EXPECT_EQ(store_.ResolvePrefix(id.ToHex().substr(0, 10)).value(), id);
    EXPECT_EQ(store_.ResolvePrefix(id.ToHex()).value(), id);
    std::string upper = id.ToHex().substr(0, 12);
    for (char& c : upper)
      c = static_cast<char>(std::toupper(c));
    EXPECT_EQ(store_.ResolvePrefix(upper).value(), id);
  }
}

TEST_F(ObjectStoreTest, PrefixErrors) {
  EXPECT_EQ(store_.ResolvePrefix("abcdef1").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_.ResolvePrefix("zzzzzzzz").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_.ResolvePrefix(std::string(65, 'a')).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(store_.ResolvePrefix("00000000").status().IsNotFound());
}

TEST_F(ObjectStoreTest, AmbiguousPrefixIsRejected) {
  // Find two payloads whose ids share the first 8 hex digits' first 2 digits, then
  // write objects directly under crafted ids sharing a full 8-digit prefix.
  ObjectId a = ObjectId::FromHex(std::string("deadbeef") + std::string(56, '1')).value();
  ObjectId b = ObjectId::FromHex(std::string("deadbeef") + std::string(56, '2')).value();
  WriteBatch batch;
  batch.Put(Column::kObjects, a.bytes(), "\x02x");
  batch.Put(Column::kObjects, b.bytes(), "\x03y");
  ASSERT_TRUE(kv_.Write(batch).ok());
  auto r = store_.ResolvePrefix("deadbeef");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("ambiguous"), std::string::npos);
  EXPECT_EQ(store_.ResolvePrefix("deadbeef1").value(), a);
  // A type filter disambiguates.
  EXPECT_EQ(store_.ResolvePrefix("deadbeef", ObjectType::kCommit).value(), b);
  EXPECT_TRUE(store_.ResolvePrefix("deadbeef", ObjectType::kTreeNode).status().IsNotFound());
}

}  // namespace
}  // namespace arbor
