// Helpers shared by the Repository tests: catalog keys and real serialized
// entities (merge decodes values by key kind, so values must be entities), a
// deterministic clock, and whole-view reads.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "arbor/catalog.pb.h"
#include "storage/mem_kv_store.h"
#include "versioning/catalog.h"
#include "versioning/catalog_key.h"
#include "versioning/deterministic_proto.h"
#include "versioning/repository.h"
#include "versioning/staging.h"

namespace arbor::testing {

inline const Status& StatusOf(const Status& s) {
  return s;
}
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

}  // namespace arbor::testing

#define ARBOR_ASSERT_OK(expr)                                                \
  do {                                                                       \
    const auto& _arbor_r = (expr);                                           \
    ASSERT_TRUE(::arbor::testing::StatusOf(_arbor_r).ok())                   \
        << #expr << ": " << ::arbor::testing::StatusOf(_arbor_r).ToString(); \
  } while (0)
#define ARBOR_EXPECT_OK(expr)                                                \
  do {                                                                       \
    const auto& _arbor_r = (expr);                                           \
    EXPECT_TRUE(::arbor::testing::StatusOf(_arbor_r).ok())                   \
        << #expr << ": " << ::arbor::testing::StatusOf(_arbor_r).ToString(); \
  } while (0)
// Expects `expr` to fail with `code`.
#define ARBOR_EXPECT_CODE(expr, want_code)                                                 \
  do {                                                                                     \
    const auto& _arbor_r = (expr);                                                         \
    EXPECT_EQ(::arbor::testing::StatusOf(_arbor_r).code(), ::arbor::StatusCode::want_code) \
        << #expr << ": " << ::arbor::testing::StatusOf(_arbor_r).ToString();               \
  } while (0)

namespace arbor::testing {

inline std::string MustEncode(const CatalogKey& key) {
  auto encoded = EncodeKey(key);
  EXPECT_TRUE(encoded.ok()) << encoded.status().ToString();
  return encoded.ok() ? *encoded : std::string();
}

inline std::string DbKey(const std::string& db) {
  return MustEncode(CatalogKey::ForDatabase(db));
}
inline std::string TableKey(const std::string& db, const std::string& table) {
  return MustEncode(CatalogKey::ForTable(db, table));
}
inline std::string PartKey(const std::string& db, const std::string& table,
                           const std::string& part) {
  return MustEncode(CatalogKey::ForPartition(db, table, part));
}

using Params = std::map<std::string, std::string>;

inline catalog::Database MakeDb(const std::string& name,
                                std::optional<std::string> description = std::nullopt,
                                std::optional<Params> params = std::nullopt) {
  catalog::Database db;
  db.set_name(name);
  if (description) db.set_description(*description);
  if (params) {
    auto* entries = db.mutable_parameters()->mutable_entries();
    for (const auto& [k, v] : *params)
      (*entries)[k] = v;
  }
  return db;
}

inline std::string DbValue(const std::string& name,
                           std::optional<std::string> description = std::nullopt,
                           std::optional<Params> params = std::nullopt) {
  return SerializeDeterministic(MakeDb(name, std::move(description), std::move(params)));
}

using Columns = std::vector<std::pair<std::string, std::string>>;

inline catalog::Table MakeTable(const std::string& db, const std::string& name,
                                const Columns& cols = {{"id", "bigint"}},
                                std::optional<Params> params = std::nullopt,
                                const Columns& partition_keys = {}) {
  catalog::Table t;
  t.set_db_name(db);
  t.set_table_name(name);
  t.set_table_type("MANAGED_TABLE");
  auto* sd = t.mutable_sd();
  for (const auto& [n, type] : cols) {
    auto* c = sd->mutable_cols()->add_items();
    c->set_name(n);
    c->set_type(type);
  }
  sd->set_location("s3a://repo/main/warehouse/" + db + ".db/" + name);
  sd->set_input_format("org.apache.hadoop.hive.ql.io.orc.OrcInputFormat");
  if (!partition_keys.empty()) {
    for (const auto& [n, type] : partition_keys) {
      auto* c = t.mutable_partition_keys()->add_items();
      c->set_name(n);
      c->set_type(type);
    }
  }
  if (params) {
    auto* entries = t.mutable_parameters()->mutable_entries();
    for (const auto& [k, v] : *params)
      (*entries)[k] = v;
  }
  return t;
}

inline std::string TableValue(const std::string& db, const std::string& name,
                              const Columns& cols = {{"id", "bigint"}},
                              std::optional<Params> params = std::nullopt) {
  return SerializeDeterministic(MakeTable(db, name, cols, std::move(params), {{"ds", "string"}}));
}

inline std::string PartValue(const std::string& db, const std::string& table,
                             const std::string& value) {
  catalog::Partition p;
  p.mutable_values()->add_items(value);
  p.set_db_name(db);
  p.set_table_name(table);
  p.mutable_sd()->set_location("s3a://repo/main/warehouse/" + db + ".db/" + table + "/ds=" + value);
  return SerializeDeterministic(p);
}

inline catalog::Table ParseTable(const std::string& bytes) {
  catalog::Table t;
  Status s = ParseProto(bytes, &t);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return t;
}

inline catalog::Database ParseDb(const std::string& bytes) {
  catalog::Database d;
  Status s = ParseProto(bytes, &d);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return d;
}

inline Edit Put(std::string key, std::string value) {
  return Edit{std::move(key), std::move(value)};
}
inline Edit Del(std::string key) {
  return Edit{std::move(key), std::nullopt};
}

// A clock that ticks one millisecond per reading, so commit ids are reproducible
// and every commit is distinct.
inline std::function<int64_t()> CountingClock(int64_t start = 1'700'000'000'000'000) {
  auto t = std::make_shared<std::atomic<int64_t>>(start);
  return [t] { return t->fetch_add(1000); };
}

inline std::vector<Edit> DefaultInitialEntries() {
  return {Put(DbKey("default"), DbValue("default", "Default Hive database"))};
}

inline RepositoryOptions TestRepositoryOptions() {
  RepositoryOptions o;
  o.initial_entries = DefaultInitialEntries();
  o.clock = CountingClock();
  o.node_cache_bytes = 8 << 20;
  o.commit_cache_bytes = 1 << 20;
  return o;
}

// A fresh in-memory repository whose `main` tests stage catalog writes on and
// commit, as the catalog-query tests do.
class MainBranchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Repository::Open(&kv_, TestRepositoryOptions());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    repo_ = std::move(opened).value();
  }

  // Runs `fn` in a transaction on main and stages what it writes.
  void Stage(const std::function<Status(CatalogTxn&)>& fn) {
    auto r = repo_->Mutate("main", MutationOptions{"tester", "stage"},
                           [&](const ReadView& view) -> Result<std::vector<Edit>> {
                             CatalogTxn txn(view);
                             ARBOR_RETURN_IF_ERROR(fn(txn));
                             return txn.TakeEdits();
                           });
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  void Commit() {
    CommitOptions o;
    o.author = "tester";
    o.message = "commit";
    auto c = repo_->Commit("main", o);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
  }

  MemKvStore kv_;
  std::unique_ptr<Repository> repo_;
};

using Contents = std::map<std::string, std::string>;

// Everything a view shows, by encoded key.
inline Contents ViewContents(const ReadView& view) {
  Contents out;
  Status s = view.Scan(AllKeys(), [&](const std::string& k, const std::string& v) {
    out.emplace(k, v);
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

inline Contents ContentsOf(Repository* repo, std::string_view ref) {
  auto view = repo->OpenView(ref);
  EXPECT_TRUE(view.ok()) << "OpenView(" << ref << "): " << view.status().ToString();
  if (!view.ok()) return {};
  return ViewContents(*view);
}

// Stages (or, in auto mode, commits) the given edits on `branch`.
inline Result<MutationOutcome> Stage(Repository* repo, std::string_view branch,
                                     std::vector<Edit> edits) {
  return repo->Mutate(
      branch, MutationOptions{"tester", "stage"},
      [edits = std::move(edits)](const ReadView&) -> Result<std::vector<Edit>> { return edits; });
}

// Every raw entry in the staging column whose token is `token`.
inline size_t StagedEntriesUnderToken(KvStore* kv, const std::string& token) {
  ReadOptions ro;
  auto [begin, end] = StagingTokenRange(token);
  ro.upper_bound = end;
  auto it = kv->NewIterator(Column::kStaging, ro);
  size_t n = 0;
  for (it->Seek(begin); it->Valid(); it->Next())
    ++n;
  return n;
}

}  // namespace arbor::testing
