// Unit tests of Repository (versioning/repository.h): every operation and every
// error it documents, on MemKvStore (wrapped in a FaultInjectingKvStore that only
// counts writes here), plus a commit-and-reopen round trip on RocksKvStore.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "storage/mem_kv_store.h"
#include "storage/rocks_kv_store.h"
#include "tests/support/fault_injecting_kv_store.h"
#include "tests/support/temp_dir.h"
#include "tests/versioning/repository_test_util.h"
#include "versioning/commit_graph.h"

namespace arbor {
namespace {

using testing::ContentsOf;
using testing::DbKey;
using testing::DbValue;
using testing::Del;
using ::testing::HasSubstr;
using testing::PartKey;
using testing::PartValue;
using testing::Put;
using testing::TableKey;
using testing::TableValue;

class RepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kv_ = std::make_unique<testing::FaultInjectingKvStore>(&mem_);
    Reopen();
  }

  void Reopen(RepositoryOptions options = testing::TestRepositoryOptions()) {
    repo_.reset();
    auto opened = Repository::Open(kv_.get(), std::move(options));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    repo_ = std::move(opened).value();
  }

  ObjectId Head(std::string_view branch) {
    auto b = repo_->GetBranch(branch);
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? b->head : ObjectId();
  }

  void StageOk(std::string_view branch, std::vector<Edit> edits) {
    auto r = testing::Stage(repo_.get(), branch, std::move(edits));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  CommitPtr CommitOk(std::string_view branch, std::string message = "commit") {
    CommitOptions o;
    o.author = "tester";
    o.message = std::move(message);
    auto c = repo_->Commit(branch, o);
    EXPECT_TRUE(c.ok()) << "commit on " << branch << ": " << c.status().ToString();
    return c.ok() ? *c : nullptr;
  }

  // Stages `edits` on `branch` and commits them.
  CommitPtr CommitEdits(std::string_view branch, std::vector<Edit> edits,
                        std::string message = "commit") {
    auto r = testing::Stage(repo_.get(), branch, std::move(edits));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return CommitOk(branch, std::move(message));
  }

  MergeOutcome MergeOk(std::string_view source, std::string_view dest, MergeOptions o = {}) {
    auto m = repo_->Merge(source, dest, o);
    EXPECT_TRUE(m.ok()) << "merge " << source << " into " << dest << ": " << m.status().ToString();
    return m.ok() ? *m : MergeOutcome{};
  }

  testing::Contents Contents(std::string_view ref) { return ContentsOf(repo_.get(), ref); }

  std::optional<std::string> GetValue(std::string_view ref, const std::string& key) {
    auto view = repo_->OpenView(ref);
    EXPECT_TRUE(view.ok()) << view.status().ToString();
    if (!view.ok()) return std::nullopt;
    auto v = view->Get(key);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : std::nullopt;
  }

  std::vector<CatalogChange> Uncommitted(std::string_view branch) {
    auto d = repo_->DiffUncommitted(branch, {});
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? d->changes : std::vector<CatalogChange>{};
  }

  std::vector<ObjectId> LogIds(std::string_view ref, bool first_parent = false) {
    LogOptions o;
    o.first_parent = first_parent;
    o.limit = 100000;
    auto page = repo_->Log(ref, o);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<ObjectId> ids;
    if (page.ok()) {
      for (const auto& c : page->commits)
        ids.push_back(c->id);
    }
    return ids;
  }

  MemKvStore mem_;
  std::unique_ptr<testing::FaultInjectingKvStore> kv_;
  std::unique_ptr<Repository> repo_;
};

// ---------------------------------------------------------------------------
// Open

TEST_F(RepositoryTest, OpenCreatesDefaultBranchWithRootCommit) {
  EXPECT_EQ(repo_->default_branch(), "main");
  auto branches = repo_->ListBranches();
  ARBOR_ASSERT_OK(branches);
  ASSERT_EQ(branches->size(), 1u);
  EXPECT_EQ((*branches)[0].name, "main");
  EXPECT_FALSE((*branches)[0].is_protected);
  EXPECT_EQ((*branches)[0].commit_mode, versioning::COMMIT_MODE_STAGED);
  EXPECT_EQ((*branches)[0].staging_token.size(), kStagingTokenSize);

  auto root = repo_->GetCommit("main");
  ARBOR_ASSERT_OK(root);
  EXPECT_TRUE((*root)->parents.empty());
  EXPECT_EQ((*root)->generation, 1u);
  EXPECT_EQ((*root)->id, (*branches)[0].head);

  testing::Contents expected{{DbKey("default"), DbValue("default", "Default Hive database")}};
  EXPECT_EQ(Contents("main"), expected);
  EXPECT_EQ(Contents((*root)->id.ToHex()), expected);
  EXPECT_TRUE(Uncommitted("main").empty());
  EXPECT_EQ(LogIds("main").size(), 1u);
  auto tags = repo_->ListTags();
  ARBOR_ASSERT_OK(tags);
  EXPECT_TRUE(tags->empty());
}

TEST_F(RepositoryTest, ReopenKeepsExistingRepository) {
  CommitEdits("main", {Put(TableKey("default", "t1"), TableValue("default", "t1"))});
  StageOk("main", {Put(TableKey("default", "t2"), TableValue("default", "t2"))});
  ASSERT_TRUE(repo_->CreateBranch("dev", "main").ok());
  const ObjectId head = Head("main");
  const auto contents = Contents("main");
  ASSERT_EQ(contents.size(), 3u);

  // Different initial entries must not matter: the repository already exists.
  RepositoryOptions o = testing::TestRepositoryOptions();
  o.initial_entries = {Put(DbKey("other"), DbValue("other"))};
  Reopen(o);
  EXPECT_EQ(Head("main"), head);
  EXPECT_EQ(Contents("main"), contents);  // the staged t2 survives the reopen
  EXPECT_EQ(Uncommitted("main").size(), 1u);
  EXPECT_EQ(LogIds("main").size(), 2u);
  auto branches = repo_->ListBranches();
  ARBOR_ASSERT_OK(branches);
  EXPECT_EQ(branches->size(), 2u);
}

TEST_F(RepositoryTest, OpenWithMissingDefaultBranchFails) {
  RepositoryOptions o = testing::TestRepositoryOptions();
  o.default_branch = "trunk";
  auto opened = Repository::Open(kv_.get(), o);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kNotFound) << opened.status().ToString();
  EXPECT_THAT(opened.status().message(), HasSubstr("trunk"));

  // Once the branch exists, it may serve as this process's default branch.
  ASSERT_TRUE(repo_->CreateBranch("trunk", "main").ok());
  auto again = Repository::Open(kv_.get(), o);
  ARBOR_ASSERT_OK(again);
  EXPECT_EQ((*again)->default_branch(), "trunk");
  ARBOR_EXPECT_CODE((*again)->DeleteBranch("trunk"), kInvalidArgument);
}

TEST_F(RepositoryTest, OpenNewStoreWithCustomOrInvalidDefaultBranch) {
  MemKvStore fresh;
  RepositoryOptions bad = testing::TestRepositoryOptions();
  bad.default_branch = "Main";
  auto refused = Repository::Open(&fresh, bad);
  ARBOR_EXPECT_CODE(refused, kInvalidArgument);
  RefStore refs(&fresh);
  auto record = refs.GetRepository();
  ARBOR_ASSERT_OK(record);
  EXPECT_FALSE(record->has_value()) << "a refused Open must not create the repository";

  RepositoryOptions o = testing::TestRepositoryOptions();
  o.default_branch = "trunk";
  auto opened = Repository::Open(&fresh, o);
  ARBOR_ASSERT_OK(opened);
  ARBOR_EXPECT_OK((*opened)->GetBranch("trunk"));
  ARBOR_EXPECT_CODE((*opened)->GetBranch("main"), kNotFound);
}

// ---------------------------------------------------------------------------
// Resolve

TEST_F(RepositoryTest, ResolveBranchTagCommitIdAndPrefixes) {
  const ObjectId root = Head("main");
  CommitPtr c1 = CommitEdits("main", {Put(TableKey("default", "t1"), TableValue("default", "t1"))});
  ASSERT_TRUE(c1);
  ARBOR_ASSERT_OK(repo_->CreateTag("v1", "main"));

  auto b = repo_->Resolve("main");
  ARBOR_ASSERT_OK(b);
  EXPECT_EQ(b->kind, ResolvedRef::Kind::kBranch);
  EXPECT_EQ(b->branch, "main");
  EXPECT_EQ(b->commit, c1->id);
  EXPECT_EQ(b->staging_token, repo_->GetBranch("main")->staging_token);

  auto t = repo_->Resolve("v1");
  ARBOR_ASSERT_OK(t);
  EXPECT_EQ(t->kind, ResolvedRef::Kind::kTag);
  EXPECT_EQ(t->commit, c1->id);
  EXPECT_TRUE(t->staging_token.empty());
  EXPECT_FALSE(t->is_branch());

  for (size_t n : {size_t{64}, size_t{40}, size_t{12}, size_t{8}}) {
    auto r = repo_->Resolve(c1->id.ToHex().substr(0, n));
    ARBOR_ASSERT_OK(r);
    EXPECT_EQ(r->kind, ResolvedRef::Kind::kCommit) << n;
    EXPECT_EQ(r->commit, c1->id) << n;
    EXPECT_TRUE(r->staging_token.empty());
    auto rr = repo_->Resolve(root.ToHex().substr(0, n));
    ARBOR_ASSERT_OK(rr);
    EXPECT_EQ(rr->commit, root);
  }
}

TEST_F(RepositoryTest, ResolveAncestrySteps) {
  const ObjectId r = Head("main");
  CommitPtr c1 = CommitEdits("main", {Put(TableKey("default", "a"), TableValue("default", "a"))});
  ASSERT_TRUE(repo_->CreateBranch("dev", "main").ok());
  CommitPtr c2 = CommitEdits("main", {Put(TableKey("default", "b"), TableValue("default", "b"))});
  CommitPtr d1 = CommitEdits("dev", {Put(TableKey("default", "c"), TableValue("default", "c"))});
  CommitPtr d2 = CommitEdits("dev", {Put(TableKey("default", "d"), TableValue("default", "d"))});
  MergeOutcome m = MergeOk("dev", "main");
  ASSERT_TRUE(m.merged);
  const ObjectId mid = (*m.commit)->id;
  CommitPtr c3 = CommitEdits("main", {Put(TableKey("default", "e"), TableValue("default", "e"))});
  ASSERT_TRUE(c1 && c2 && d1 && d2 && c3);
  ARBOR_ASSERT_OK(repo_->CreateTag("v3", "main"));

  const std::vector<std::pair<std::string, ObjectId>> cases = {
      {"main~0", c3->id},
      {"main^0", c3->id},
      {"main~1", mid},
      {"main~", mid},
      {"main^", mid},
      {"main^1", mid},
      {"main~2", c2->id},
      {"main^^", c2->id},
      {"main~1^1", c2->id},
      {"main~3", c1->id},
      {"main~2~1", c1->id},
      {"main~4", r},
      {"main~1^2", d2->id},
      {"main~1^2~1", d1->id},
      {"main~1^2~2", c1->id},
      {"main^1^2^1", d1->id},
      {"v3~1^2", d2->id},
      {"dev~2", c1->id},
      {mid.ToHex() + "^2", d2->id},
      {mid.ToHex().substr(0, 10) + "~1", c2->id},
  };
  for (const auto& [expr, want] : cases) {
    auto got = repo_->Resolve(expr);
    ASSERT_TRUE(got.ok()) << expr << ": " << got.status().ToString();
    EXPECT_EQ(got->commit, want) << expr;
    // Any step turns the ref into history: read-only, without staging.
    EXPECT_EQ(got->kind, ResolvedRef::Kind::kCommit) << expr;
    EXPECT_TRUE(got->staging_token.empty()) << expr;
    EXPECT_TRUE(got->branch.empty()) << expr;
  }
  for (const std::string expr : {"main~5", "main^2", "main~1^3", "dev~4", "main~100"}) {
    auto got = repo_->Resolve(expr);
    ASSERT_FALSE(got.ok()) << expr << " resolved to " << got->commit.ToHex();
    EXPECT_EQ(got.status().code(), StatusCode::kNotFound)
        << expr << ": " << got.status().ToString();
    EXPECT_THAT(got.status().message(), HasSubstr(expr));
  }
}

TEST_F(RepositoryTest, ResolveRejectsMalformedExpressions) {
  for (const std::string& expr : std::vector<std::string>{
           "", "~1", "^", "Main", "main~x", "main~1x", "ma in", "-main", "_main", "main^-1",
           "main/dev", "main@x", "m\xc3\xa4in", std::string(300, 'a')}) {
    auto got = repo_->Resolve(expr);
    ASSERT_FALSE(got.ok()) << "'" << expr << "' resolved";
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument)
        << "'" << expr << "': " << got.status().ToString();
    ARBOR_EXPECT_CODE(repo_->OpenView(expr), kInvalidArgument);
  }
}

TEST_F(RepositoryTest, ResolveUnknownRefsIsNotFoundNamingTheRef) {
  const ObjectId head = Head("main");
  auto commit = repo_->GetCommit("main");
  ARBOR_ASSERT_OK(commit);

  std::string unknown_prefix;
  for (const std::string candidate : {"00000000", "ffffffff", "12345678", "abcdef01"}) {
    if (head.ToHex().rfind(candidate, 0) != 0) {
      unknown_prefix = candidate;
      break;
    }
  }
  std::string unknown_full = head.ToHex();
  unknown_full[63] = unknown_full[63] == '0' ? '1' : '0';

  for (const std::string& expr :
       {std::string("nosuch"), std::string("nosuch~1"), unknown_prefix, unknown_full,
        // Seven digits are too few to name a commit.
        head.ToHex().substr(0, 7),
        // A tree node is an object, but not a commit.
        (*commit)->root.ToHex()}) {
    auto got = repo_->Resolve(expr);
    ASSERT_FALSE(got.ok()) << expr;
    EXPECT_EQ(got.status().code(), StatusCode::kNotFound)
        << expr << ": " << got.status().ToString();
    EXPECT_THAT(got.status().message(), HasSubstr(expr));
  }
}

// ---------------------------------------------------------------------------
// Branches

TEST_F(RepositoryTest, CreateBranchPointsAtSourceWithoutCopying) {
  CommitEdits("main", {Put(TableKey("default", "t1"), TableValue("default", "t1"))});
  ARBOR_ASSERT_OK(repo_->CreateTag("v1", "main"));
  const ObjectId tagged = Head("main");
  CommitEdits("main", {Put(TableKey("default", "t2"), TableValue("default", "t2"))});
  StageOk("main", {Put(TableKey("default", "staged"), TableValue("default", "staged"))});
  const ObjectId head = Head("main");

  const uint64_t writes = kv_->write_calls();
  const uint64_t objects = kv_->ops_written(Column::kObjects);
  const uint64_t staging = kv_->ops_written(Column::kStaging);
  auto dev = repo_->CreateBranch("dev", "main");
  ARBOR_ASSERT_OK(dev);
  EXPECT_EQ(kv_->write_calls() - writes, 1u) << "one batch: the branch record";
  EXPECT_EQ(kv_->ops_written(Column::kObjects), objects) << "no tree or commit written";
  EXPECT_EQ(kv_->ops_written(Column::kStaging), staging) << "no staging copied";
  EXPECT_EQ(dev->name, "dev");
  EXPECT_EQ(dev->head, head);
  EXPECT_NE(dev->staging_token, repo_->GetBranch("main")->staging_token);
  EXPECT_FALSE(dev->is_protected);
  // The source's committed state, without its staged changes.
  EXPECT_EQ(Contents("dev"), Contents("main~0"));
  EXPECT_FALSE(GetValue("dev", TableKey("default", "staged")));
  EXPECT_TRUE(GetValue("main", TableKey("default", "staged")));

  auto from_tag = repo_->CreateBranch("fromtag", "v1");
  ARBOR_ASSERT_OK(from_tag);
  EXPECT_EQ(from_tag->head, tagged);
  auto from_commit = repo_->CreateBranch("fromcommit", tagged.ToHex().substr(0, 10));
  ARBOR_ASSERT_OK(from_commit);
  EXPECT_EQ(from_commit->head, tagged);
  auto from_expr = repo_->CreateBranch("fromexpr", "main~1");
  ARBOR_ASSERT_OK(from_expr);
  EXPECT_EQ(from_expr->head, tagged);
  EXPECT_EQ(Contents("fromexpr"), Contents("v1"));
}

TEST_F(RepositoryTest, CreateBranchErrors) {
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  ARBOR_ASSERT_OK(repo_->CreateTag("v1", "main"));
  const ObjectId head = Head("main");

  for (const std::string name : {"dev", "main"}) {
    auto r = repo_->CreateBranch(name, "main");
    ARBOR_EXPECT_CODE(r, kAlreadyExists);
    EXPECT_THAT(r.status().message(), HasSubstr(name));
  }
  ARBOR_EXPECT_CODE(repo_->CreateBranch("v1", "main"), kAlreadyExists);
  ARBOR_EXPECT_CODE(repo_->CreateTag("dev", "main"), kAlreadyExists);

  for (const std::string& name :
       {std::string("Dev"), std::string("-dev"), std::string("_dev"), std::string(""),
        std::string("dev/x"), std::string("dev x"), std::string("d\xc3\xa9v"), std::string("dev~1"),
        std::string("dev^"), std::string(256, 'a')}) {
    ARBOR_EXPECT_CODE(repo_->CreateBranch(name, "main"), kInvalidArgument);
    ARBOR_EXPECT_CODE(repo_->CreateTag(name, "main"), kInvalidArgument);
  }
  // Names that are hex prefixes of a commit id would make refs ambiguous.
  for (size_t n : {size_t{8}, size_t{12}, size_t{64}}) {
    const std::string name = head.ToHex().substr(0, n);
    auto r = repo_->CreateBranch(name, "main");
    ARBOR_EXPECT_CODE(r, kAlreadyExists);
    EXPECT_THAT(r.status().message(), HasSubstr(name));
    ARBOR_EXPECT_CODE(repo_->CreateTag(name, "main"), kAlreadyExists);
  }
  // The source must exist; a failed create leaves nothing behind.
  auto missing = repo_->CreateBranch("feature", "nosuch");
  ARBOR_EXPECT_CODE(missing, kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("nosuch"));
  ARBOR_EXPECT_CODE(repo_->GetBranch("feature"), kNotFound);

  auto branches = repo_->ListBranches();
  ARBOR_ASSERT_OK(branches);
  std::vector<std::string> names;
  for (const auto& b : *branches)
    names.push_back(b.name);
  EXPECT_EQ(names, (std::vector<std::string>{"dev", "main"}));
  auto tags = repo_->ListTags();
  ARBOR_ASSERT_OK(tags);
  EXPECT_EQ(tags->size(), 1u);
}

TEST_F(RepositoryTest, HexNamesThatCannotBeCommitPrefixesAreAllowed) {
  const ObjectId head = Head("main");
  // Hex, but no commit id starts with it.
  std::string name = "0123abcd";
  if (head.ToHex().rfind(name, 0) == 0) name = "fedcba98";
  ARBOR_ASSERT_OK(repo_->CreateBranch(name, "main"));
  auto r = repo_->Resolve(name);
  ARBOR_ASSERT_OK(r);
  EXPECT_EQ(r->kind, ResolvedRef::Kind::kBranch);
  // Short hex names (under 8 digits) and hex names longer than any id never
  // collide with a commit id.
  ARBOR_EXPECT_OK(repo_->CreateBranch("abc", "main"));
  ARBOR_EXPECT_OK(repo_->CreateTag(std::string(65, 'a'), "main"));
  auto long_tag = repo_->Resolve(std::string(65, 'a'));
  ARBOR_ASSERT_OK(long_tag);
  EXPECT_EQ(long_tag->kind, ResolvedRef::Kind::kTag);
  // An unknown hex name longer than any id is simply not found.
  const std::string unknown(65, 'b');
  auto missing = repo_->Resolve(unknown);
  ARBOR_EXPECT_CODE(missing, kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr(unknown));
}

TEST_F(RepositoryTest, DeleteBranch) {
  ARBOR_EXPECT_CODE(repo_->DeleteBranch("main"), kInvalidArgument);
  ARBOR_EXPECT_OK(repo_->GetBranch("main"));
  auto missing = repo_->DeleteBranch("nosuch");
  ARBOR_EXPECT_CODE(missing, kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr("nosuch"));

  ARBOR_ASSERT_OK(repo_->CreateBranch("guarded", "main"));
  ARBOR_ASSERT_OK(repo_->SetProtected("guarded", true));
  ARBOR_EXPECT_CODE(repo_->DeleteBranch("guarded"), kReadOnly);
  ARBOR_EXPECT_OK(repo_->GetBranch("guarded"));
  ARBOR_ASSERT_OK(repo_->SetProtected("guarded", false));
  ARBOR_EXPECT_OK(repo_->DeleteBranch("guarded"));

  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  StageOk("dev", {Put(TableKey("default", "t"), TableValue("default", "t"))});
  const std::string token = repo_->GetBranch("dev")->staging_token;
  ASSERT_EQ(testing::StagedEntriesUnderToken(&mem_, token), 1u);
  ARBOR_ASSERT_OK(repo_->DeleteBranch("dev"));
  ARBOR_EXPECT_CODE(repo_->GetBranch("dev"), kNotFound);
  ARBOR_EXPECT_CODE(repo_->Resolve("dev"), kNotFound);
  EXPECT_EQ(testing::StagedEntriesUnderToken(&mem_, token), 0u) << "staging dropped";
  ARBOR_EXPECT_CODE(repo_->DeleteBranch("dev"), kNotFound);
  // The name is free again, and the new branch starts clean.
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  EXPECT_FALSE(GetValue("dev", TableKey("default", "t")));
  EXPECT_TRUE(Uncommitted("dev").empty());
}

// ---------------------------------------------------------------------------
// Tags

TEST_F(RepositoryTest, TagsCreateListDelete) {
  const ObjectId root = Head("main");
  CommitPtr c1 = CommitEdits("main", {Put(TableKey("default", "t1"), TableValue("default", "t1"))});
  auto v2 = repo_->CreateTag("v2", "main");
  ARBOR_ASSERT_OK(v2);
  EXPECT_EQ(v2->commit, c1->id);
  auto v1 = repo_->CreateTag("v1", root.ToHex());
  ARBOR_ASSERT_OK(v1);
  EXPECT_EQ(v1->commit, root);
  auto v0 = repo_->CreateTag("v0", "v2~1");  // a tag from an expression over a tag
  ARBOR_ASSERT_OK(v0);
  EXPECT_EQ(v0->commit, root);
  ARBOR_EXPECT_CODE(repo_->CreateTag("v2", "main"), kAlreadyExists);
  ARBOR_EXPECT_CODE(repo_->CreateTag("v9", "nosuch"), kNotFound);
  ARBOR_EXPECT_CODE(repo_->GetTag("v9"), kNotFound);

  auto tags = repo_->ListTags();
  ARBOR_ASSERT_OK(tags);
  std::vector<std::pair<std::string, ObjectId>> got;
  for (const auto& t : *tags)
    got.emplace_back(t.name, t.commit);
  EXPECT_EQ(got, (std::vector<std::pair<std::string, ObjectId>>{
                     {"v0", root}, {"v1", root}, {"v2", c1->id}}));

  // A tag does not follow its branch.
  CommitEdits("main", {Put(TableKey("default", "t2"), TableValue("default", "t2"))});
  EXPECT_EQ(repo_->GetTag("v2")->commit, c1->id);
  EXPECT_FALSE(GetValue("v2", TableKey("default", "t2")));
  EXPECT_TRUE(GetValue("v2", TableKey("default", "t1")));

  ARBOR_ASSERT_OK(repo_->DeleteTag("v1"));
  ARBOR_EXPECT_CODE(repo_->GetTag("v1"), kNotFound);
  ARBOR_EXPECT_CODE(repo_->Resolve("v1"), kNotFound);
  auto gone = repo_->DeleteTag("v1");
  ARBOR_EXPECT_CODE(gone, kNotFound);
  EXPECT_THAT(gone.message(), HasSubstr("v1"));
  EXPECT_EQ(repo_->ListTags()->size(), 2u);
  // The commit it named is still there.
  ARBOR_EXPECT_OK(repo_->GetCommit(root.ToHex()));
}

TEST_F(RepositoryTest, MutateOnTagsAndCommitsIsReadOnlyNamingTheRef) {
  CommitEdits("main", {Put(TableKey("default", "t1"), TableValue("default", "t1"))});
  ARBOR_ASSERT_OK(repo_->CreateTag("v1", "main"));
  const ObjectId head = Head("main");
  for (const std::string& expr :
       {std::string("v1"), head.ToHex(), head.ToHex().substr(0, 10), std::string("main~1"),
        std::string("main^0"), std::string("main~0"), std::string("v1~1")}) {
    bool called = false;
    auto r = repo_->Mutate(expr, {}, [&](const ReadView&) -> Result<std::vector<Edit>> {
      called = true;
      return std::vector<Edit>{Put(TableKey("default", "x"), TableValue("default", "x"))};
    });
    ASSERT_FALSE(r.ok()) << expr;
    EXPECT_EQ(r.status().code(), StatusCode::kReadOnly) << expr << ": " << r.status().ToString();
    EXPECT_THAT(r.status().message(), HasSubstr(expr));
    EXPECT_FALSE(called) << expr;
  }
  EXPECT_TRUE(Uncommitted("main").empty());
  EXPECT_EQ(Head("main"), head);
}

TEST_F(RepositoryTest, BranchWritesToTagsAreReadOnlyNamingTheRef) {
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  CommitEdits("dev", {Put(TableKey("default", "t1"), TableValue("default", "t1"))});
  ARBOR_ASSERT_OK(repo_->CreateTag("v1", "main"));
  const uint64_t writes = kv_->write_calls();
  CommitOptions co;
  co.allow_empty = true;
  auto c = repo_->Commit("v1", co);
  ARBOR_EXPECT_CODE(c, kReadOnly);
  EXPECT_THAT(c.status().message(), HasSubstr("v1"));
  auto m = repo_->Merge("dev", "v1", {});
  ARBOR_EXPECT_CODE(m, kReadOnly);
  EXPECT_THAT(m.status().message(), HasSubstr("v1"));
  auto r = repo_->Reset("v1");
  ARBOR_EXPECT_CODE(r, kReadOnly);
  auto rv = repo_->Revert("v1", "dev", {});
  ARBOR_EXPECT_CODE(rv, kReadOnly);
  EXPECT_EQ(kv_->write_calls(), writes);
  // Unknown names stay NotFound.
  ARBOR_EXPECT_CODE(repo_->Commit("nosuch", co), kNotFound);
  ARBOR_EXPECT_CODE(repo_->Merge("dev", "nosuch", {}), kNotFound);
}

// ---------------------------------------------------------------------------
// Staging and Mutate

TEST_F(RepositoryTest, StagedWritesAreVisibleOnTheBranchOnly) {
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  ARBOR_ASSERT_OK(repo_->CreateTag("devtag", "dev"));
  const std::string key = TableKey("default", "t1");
  const std::string value = TableValue("default", "t1");
  auto earlier = repo_->OpenView("dev");
  ARBOR_ASSERT_OK(earlier);

  StageOk("dev", {Put(key, value)});
  EXPECT_EQ(GetValue("dev", key), value);
  EXPECT_EQ(Contents("dev").count(key), 1u);
  EXPECT_FALSE(GetValue("main", key));
  EXPECT_FALSE(GetValue("devtag", key));
  EXPECT_FALSE(GetValue(Head("dev").ToHex(), key));
  EXPECT_FALSE(GetValue("dev~0", key));
  // A view pins the point in time it was opened at.
  auto old = earlier->Get(key);
  ARBOR_ASSERT_OK(old);
  EXPECT_FALSE(old->has_value());
  EXPECT_EQ(testing::ViewContents(*earlier).count(key), 0u);

  // A staged delete hides the committed entry, on the branch only.
  StageOk("dev", {Del(DbKey("default"))});
  EXPECT_FALSE(GetValue("dev", DbKey("default")));
  EXPECT_EQ(Contents("dev"), (testing::Contents{{key, value}}));
  EXPECT_TRUE(GetValue("main", DbKey("default")));
  EXPECT_TRUE(GetValue("dev~0", DbKey("default")));

  // Put then delete of a new key: absent.
  const std::string k2 = TableKey("default", "t2");
  StageOk("dev", {Put(k2, TableValue("default", "t2"))});
  StageOk("dev", {Del(k2)});
  EXPECT_FALSE(GetValue("dev", k2));
  EXPECT_EQ(Contents("dev"), (testing::Contents{{key, value}}));
}

TEST_F(RepositoryTest, MutateSeesStagedStateAndPropagatesErrors) {
  const std::string key = TableKey("default", "t1");
  StageOk("main", {Put(key, TableValue("default", "t1"))});
  // fn does the existence check; an error from it writes nothing.
  auto create_again = [&](const ReadView& view) -> Result<std::vector<Edit>> {
    ARBOR_ASSIGN_OR_RETURN(bool exists, view.Exists(key));
    if (exists) return Status::AlreadyExists("table exists");
    return std::vector<Edit>{Put(key, TableValue("default", "other"))};
  };
  const uint64_t writes = kv_->write_calls();
  auto r = repo_->Mutate("main", {}, create_again);
  ARBOR_EXPECT_CODE(r, kAlreadyExists);
  EXPECT_EQ(kv_->write_calls(), writes);
  EXPECT_EQ(GetValue("main", key), TableValue("default", "t1"));

  // No edits: nothing written.
  auto none = repo_->Mutate(
      "main", {}, [](const ReadView&) -> Result<std::vector<Edit>> { return std::vector<Edit>{}; });
  ARBOR_ASSERT_OK(none);
  EXPECT_EQ(none->edits, 0u);
  EXPECT_FALSE(none->commit);
  EXPECT_EQ(kv_->write_calls(), writes);

  // The view handed to fn is the branch with its staging.
  auto seen = repo_->Mutate("main", {}, [&](const ReadView& view) -> Result<std::vector<Edit>> {
    EXPECT_TRUE(view.ref().is_branch());
    EXPECT_EQ(view.ref().branch, "main");
    auto v = view.Get(key);
    EXPECT_TRUE(v.ok() && v->has_value());
    return std::vector<Edit>{Del(key), Put(TableKey("default", "t2"), TableValue("default", "t2"))};
  });
  ARBOR_ASSERT_OK(seen);
  EXPECT_EQ(seen->edits, 2u);
  EXPECT_FALSE(GetValue("main", key));
  EXPECT_TRUE(GetValue("main", TableKey("default", "t2")));
  ARBOR_EXPECT_CODE(testing::Stage(repo_.get(), "nosuch", {Del(key)}), kNotFound);
}

// ---------------------------------------------------------------------------
// Commit

TEST_F(RepositoryTest, CommitMovesHeadAndStartsFreshStaging) {
  const Branch before = *repo_->GetBranch("main");
  StageOk("main",
          {Put(TableKey("default", "t1"), TableValue("default", "t1")),
           Put(TableKey("default", "t2"), TableValue("default", "t2")), Del(DbKey("default"))});
  const auto staged_contents = Contents("main");
  CommitOptions o;
  o.author = "alice";
  o.message = "add tables";
  o.metadata = {{"k", "v"}};
  auto c = repo_->Commit("main", o);
  ARBOR_ASSERT_OK(c);
  const CommitPtr commit = *c;
  EXPECT_EQ(commit->parents, std::vector<ObjectId>{before.head});
  EXPECT_EQ(commit->generation, 2u);
  EXPECT_EQ(commit->author, "alice");
  EXPECT_EQ(commit->message, "add tables");
  EXPECT_EQ(commit->metadata, (std::map<std::string, std::string>{{"k", "v"}}));

  const Branch after = *repo_->GetBranch("main");
  EXPECT_EQ(after.head, commit->id);
  EXPECT_NE(after.staging_token, before.staging_token);
  EXPECT_TRUE(Uncommitted("main").empty());
  EXPECT_EQ(testing::StagedEntriesUnderToken(&mem_, before.staging_token), 0u);
  EXPECT_EQ(testing::StagedEntriesUnderToken(&mem_, after.staging_token), 0u);
  EXPECT_EQ(Contents("main"), staged_contents);
  EXPECT_EQ(Contents(commit->id.ToHex()), staged_contents);
  EXPECT_EQ(Contents(before.head.ToHex()),
            (testing::Contents{{DbKey("default"), DbValue("default", "Default Hive database")}}));

  auto stored = repo_->GetCommit(commit->id.ToHex());
  ARBOR_ASSERT_OK(stored);
  EXPECT_EQ((*stored)->root, commit->root);
  EXPECT_EQ((*stored)->message, "add tables");
  EXPECT_EQ(LogIds("main"), (std::vector<ObjectId>{commit->id, before.head}));
  ARBOR_EXPECT_CODE(repo_->Commit("nosuch", o), kNotFound);
}

TEST_F(RepositoryTest, EmptyCommitRefusedUnlessAllowed) {
  const ObjectId head = Head("main");
  auto empty = repo_->Commit("main", {});
  ARBOR_EXPECT_CODE(empty, kInvalidArgument);
  EXPECT_EQ(Head("main"), head);

  // Staged edits that leave the catalog as it was are no change either.
  StageOk("main", {Put(DbKey("default"), DbValue("default", "Default Hive database"))});
  ARBOR_EXPECT_CODE(repo_->Commit("main", {}), kInvalidArgument);
  EXPECT_EQ(Head("main"), head);
  EXPECT_TRUE(Uncommitted("main").empty());

  CommitOptions allow;
  allow.allow_empty = true;
  allow.message = "marker";
  auto c = repo_->Commit("main", allow);
  ARBOR_ASSERT_OK(c);
  EXPECT_EQ((*c)->parents, std::vector<ObjectId>{head});
  EXPECT_EQ((*c)->root, (*repo_->GetCommit(head.ToHex()))->root);
  EXPECT_EQ(Head("main"), (*c)->id);
}

TEST_F(RepositoryTest, CommitWithWrongExpectedHeadWritesNothing) {
  const ObjectId root = Head("main");
  CommitEdits("main", {Put(TableKey("default", "t1"), TableValue("default", "t1"))});
  const ObjectId head = Head("main");
  StageOk("main", {Put(TableKey("default", "t2"), TableValue("default", "t2"))});
  const std::string token = repo_->GetBranch("main")->staging_token;

  CommitOptions o;
  o.expected_head = root;
  const uint64_t writes = kv_->write_calls();
  auto c = repo_->Commit("main", o);
  ARBOR_EXPECT_CODE(c, kPreconditionFailed);
  EXPECT_EQ(kv_->write_calls(), writes) << "nothing written";
  EXPECT_EQ(Head("main"), head);
  EXPECT_EQ(repo_->GetBranch("main")->staging_token, token);
  EXPECT_TRUE(GetValue("main", TableKey("default", "t2")));
  EXPECT_EQ(Uncommitted("main").size(), 1u);

  o.expected_head = head;
  auto ok = repo_->Commit("main", o);
  ARBOR_ASSERT_OK(ok);
  EXPECT_EQ((*ok)->parents, std::vector<ObjectId>{head});
}

TEST_F(RepositoryTest, AutoCommitModeMakesEachMutationACommit) {
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  auto b = repo_->SetCommitMode("dev", versioning::COMMIT_MODE_AUTO);
  ARBOR_ASSERT_OK(b);
  EXPECT_EQ(b->commit_mode, versioning::COMMIT_MODE_AUTO);
  const ObjectId h0 = Head("dev");

  MutationOptions mo{"bob", "create t1"};
  auto r1 = repo_->Mutate("dev", mo, [](const ReadView&) -> Result<std::vector<Edit>> {
    return std::vector<Edit>{Put(TableKey("default", "t1"), TableValue("default", "t1"))};
  });
  ARBOR_ASSERT_OK(r1);
  ASSERT_TRUE(r1->commit);
  EXPECT_EQ(Head("dev"), *r1->commit);
  auto c1 = repo_->GetCommit(r1->commit->ToHex());
  ARBOR_ASSERT_OK(c1);
  EXPECT_EQ((*c1)->parents, std::vector<ObjectId>{h0});
  EXPECT_EQ((*c1)->message, "create t1");
  EXPECT_EQ((*c1)->author, "bob");
  EXPECT_TRUE(Uncommitted("dev").empty());
  EXPECT_EQ(testing::StagedEntriesUnderToken(&mem_, repo_->GetBranch("dev")->staging_token), 0u);
  EXPECT_TRUE(GetValue(r1->commit->ToHex(), TableKey("default", "t1")));

  auto r2 = testing::Stage(repo_.get(), "dev",
                           {Put(TableKey("default", "t2"), TableValue("default", "t2"))});
  ARBOR_ASSERT_OK(r2);
  ASSERT_TRUE(r2->commit);
  EXPECT_EQ((*repo_->GetCommit(r2->commit->ToHex()))->parents, std::vector<ObjectId>{*r1->commit});
  EXPECT_EQ(LogIds("dev"), (std::vector<ObjectId>{*r2->commit, *r1->commit, h0}));

  // A mutation that changes nothing makes no commit.
  auto noop = testing::Stage(repo_.get(), "dev",
                             {Put(TableKey("default", "t2"), TableValue("default", "t2"))});
  ARBOR_ASSERT_OK(noop);
  EXPECT_FALSE(noop->commit);
  EXPECT_EQ(Head("dev"), *r2->commit);
  EXPECT_EQ(Head("main"), h0) << "other branches are untouched";

  // Back to staged mode: writes stage again.
  ARBOR_ASSERT_OK(repo_->SetCommitMode("dev", versioning::COMMIT_MODE_STAGED));
  auto r3 = testing::Stage(repo_.get(), "dev",
                           {Put(TableKey("default", "t3"), TableValue("default", "t3"))});
  ARBOR_ASSERT_OK(r3);
  EXPECT_FALSE(r3->commit);
  EXPECT_EQ(Head("dev"), *r2->commit);
  EXPECT_EQ(Uncommitted("dev").size(), 1u);
}

TEST_F(RepositoryTest, ProtectedBranchOnlyMovesByMerge) {
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  CommitEdits("dev", {Put(TableKey("default", "t1"), TableValue("default", "t1"))});
  CommitEdits("main", {Put(TableKey("default", "t0"), TableValue("default", "t0"))});
  auto p = repo_->SetProtected("main", true);
  ARBOR_ASSERT_OK(p);
  EXPECT_TRUE(p->is_protected);
  EXPECT_TRUE(repo_->Resolve("main")->is_protected);
  const ObjectId head = Head("main");

  auto m = testing::Stage(repo_.get(), "main",
                          {Put(TableKey("default", "x"), TableValue("default", "x"))});
  ARBOR_EXPECT_CODE(m, kReadOnly);
  EXPECT_THAT(m.status().message(), HasSubstr("main"));
  CommitOptions allow;
  allow.allow_empty = true;
  ARBOR_EXPECT_CODE(repo_->Commit("main", allow), kReadOnly);
  ARBOR_EXPECT_CODE(repo_->Revert("main", "main", {}), kReadOnly);
  EXPECT_EQ(Head("main"), head);
  EXPECT_TRUE(Uncommitted("main").empty());

  MergeOutcome out = MergeOk("dev", "main");
  EXPECT_TRUE(out.merged);
  EXPECT_NE(Head("main"), head);
  EXPECT_TRUE(GetValue("main", TableKey("default", "t1")));
  EXPECT_TRUE(repo_->GetBranch("main")->is_protected) << "the merge keeps the flag";

  ARBOR_ASSERT_OK(repo_->SetProtected("main", false));
  ARBOR_EXPECT_OK(testing::Stage(repo_.get(), "main",
                                 {Put(TableKey("default", "x"), TableValue("default", "x"))}));
}

TEST_F(RepositoryTest, ResetDropsUncommittedChanges) {
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  CommitEdits("dev", {Put(TableKey("default", "kept"), TableValue("default", "kept"))});
  const ObjectId head = Head("dev");
  const auto committed = Contents("dev");
  StageOk("dev",
          {Put(TableKey("default", "t1"), TableValue("default", "t1")), Del(DbKey("default"))});
  const std::string token = repo_->GetBranch("dev")->staging_token;

  ARBOR_EXPECT_CODE(repo_->Reset("dev", Head("main")), kPreconditionFailed);
  EXPECT_EQ(Uncommitted("dev").size(), 2u) << "a refused reset keeps the changes";

  ARBOR_ASSERT_OK(repo_->Reset("dev", head));
  EXPECT_EQ(Head("dev"), head);
  EXPECT_EQ(Contents("dev"), committed);
  EXPECT_TRUE(Uncommitted("dev").empty());
  EXPECT_NE(repo_->GetBranch("dev")->staging_token, token);
  EXPECT_EQ(testing::StagedEntriesUnderToken(&mem_, token), 0u);
  ARBOR_EXPECT_OK(repo_->Reset("dev"));  // nothing staged: still fine
  ARBOR_EXPECT_CODE(repo_->Reset("nosuch"), kNotFound);
}

// ---------------------------------------------------------------------------
// Revert

TEST_F(RepositoryTest, RevertUndoesOneCommit) {
  CommitPtr c1 =
      CommitEdits("main", {Put(TableKey("default", "t1"), TableValue("default", "t1"))}, "add t1");
  CommitPtr c2 = CommitEdits("main", {Put(TableKey("default", "t2"), TableValue("default", "t2")),
                                      Put(DbKey("default"), DbValue("default", "changed"))});
  ASSERT_TRUE(c1 && c2);
  RevertOptions o;
  o.author = "carol";
  auto r = repo_->Revert("main", "main~1", o);
  ARBOR_ASSERT_OK(r);
  ASSERT_TRUE(r->merged);
  ASSERT_TRUE(r->commit);
  const CommitPtr rc = *r->commit;
  EXPECT_EQ(rc->parents, std::vector<ObjectId>{c2->id});
  EXPECT_EQ(rc->author, "carol");
  EXPECT_EQ(rc->metadata.at("arbor.revert"), c1->id.ToHex());
  EXPECT_THAT(rc->message, HasSubstr("add t1"));
  EXPECT_EQ(r->source, c1->id);
  EXPECT_EQ(r->destination_head, c2->id);
  EXPECT_EQ(r->conflict_count, 0u);
  EXPECT_EQ(Head("main"), rc->id);
  EXPECT_EQ(Contents("main"),
            (testing::Contents{{DbKey("default"), DbValue("default", "changed")},
                               {TableKey("default", "t2"), TableValue("default", "t2")}}));
}

TEST_F(RepositoryTest, RevertMergeCommitNeedsParentChoice) {
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  CommitPtr d1 = CommitEdits("dev", {Put(TableKey("default", "td"), TableValue("default", "td"))});
  CommitPtr c1 = CommitEdits("main", {Put(TableKey("default", "tm"), TableValue("default", "tm"))});
  MergeOutcome m = MergeOk("dev", "main");
  ASSERT_TRUE(m.merged && d1 && c1);
  const ObjectId mid = (*m.commit)->id;
  ARBOR_ASSERT_OK(repo_->CreateBranch("other", "main"));

  auto no_choice = repo_->Revert("main", mid.ToHex(), {});
  ARBOR_EXPECT_CODE(no_choice, kInvalidArgument);
  EXPECT_THAT(no_choice.status().message(), HasSubstr("parent"));
  RevertOptions o;
  o.parent = 3;
  ARBOR_EXPECT_CODE(repo_->Revert("main", mid.ToHex(), o), kInvalidArgument);
  o.parent = -1;
  ARBOR_EXPECT_CODE(repo_->Revert("main", mid.ToHex(), o), kInvalidArgument);
  EXPECT_EQ(Head("main"), mid);

  // Against parent 1 (the destination): undoes what the merge brought in.
  o.parent = 1;
  auto r1 = repo_->Revert("main", mid.ToHex(), o);
  ARBOR_ASSERT_OK(r1);
  ASSERT_TRUE(r1->merged);
  EXPECT_EQ(Contents("main"), Contents(c1->id.ToHex()));
  // Against parent 2 (the source): undoes the destination's own changes.
  o.parent = 2;
  auto r2 = repo_->Revert("other", mid.ToHex(), o);
  ARBOR_ASSERT_OK(r2);
  ASSERT_TRUE(r2->merged);
  EXPECT_EQ(Contents("other"), Contents(d1->id.ToHex()));
}

TEST_F(RepositoryTest, RevertConflictsAreReportedAndWriteNothing) {
  CommitPtr c1 = CommitEdits("main", {Put(DbKey("default"), DbValue("default", "B"))});
  CommitPtr c2 = CommitEdits("main", {Put(DbKey("default"), DbValue("default", "C"))});
  ASSERT_TRUE(c1 && c2);
  const uint64_t writes = kv_->write_calls();
  auto r = repo_->Revert("main", c1->id.ToHex(), {});
  ARBOR_ASSERT_OK(r);
  EXPECT_FALSE(r->merged);
  EXPECT_FALSE(r->commit);
  ASSERT_EQ(r->conflict_count, 1u);
  ASSERT_EQ(r->conflicts.size(), 1u);
  const MergeConflict& c = r->conflicts[0];
  EXPECT_EQ(c.key, DbKey("default"));
  EXPECT_EQ(c.name.kind, CatalogKey::Kind::kDatabase);
  EXPECT_EQ(c.fields, std::vector<std::string>{"description"});
  EXPECT_EQ(c.base, DbValue("default", "B"));
  EXPECT_EQ(c.ours, DbValue("default", "C"));
  EXPECT_EQ(c.theirs, DbValue("default", "Default Hive database"));
  EXPECT_EQ(kv_->write_calls(), writes);
  EXPECT_EQ(Head("main"), c2->id);
}

TEST_F(RepositoryTest, RevertErrors) {
  const ObjectId root = Head("main");
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  CommitPtr d1 = CommitEdits("dev", {Put(TableKey("default", "td"), TableValue("default", "td"))});
  CommitPtr c1 = CommitEdits("main", {Put(TableKey("default", "tm"), TableValue("default", "tm"))});
  ASSERT_TRUE(d1 && c1);
  const uint64_t writes = kv_->write_calls();
  ARBOR_EXPECT_CODE(repo_->Revert("main", root.ToHex(), {}), kInvalidArgument);    // no parent
  ARBOR_EXPECT_CODE(repo_->Revert("main", d1->id.ToHex(), {}), kInvalidArgument);  // not in history
  ARBOR_EXPECT_CODE(repo_->Revert("main", "nosuch", {}), kNotFound);
  ARBOR_EXPECT_CODE(repo_->Revert("nosuch", "main", {}), kNotFound);
  RevertOptions o;
  o.expected_head = root;
  ARBOR_EXPECT_CODE(repo_->Revert("main", "main", o), kPreconditionFailed);
  EXPECT_EQ(kv_->write_calls(), writes);
  StageOk("main", {Put(TableKey("default", "x"), TableValue("default", "x"))});
  auto dirty = repo_->Revert("main", "main", {});
  ARBOR_EXPECT_CODE(dirty, kPreconditionFailed);
  EXPECT_THAT(dirty.status().message(), HasSubstr("uncommitted"));
  EXPECT_EQ(Head("main"), c1->id);
}

// ---------------------------------------------------------------------------
// Log

TEST_F(RepositoryTest, LogPaginates) {
  std::vector<ObjectId> chain{Head("main")};
  for (int i = 0; i < 10; ++i) {
    CommitPtr c = CommitEdits("main", {Put(TableKey("default", "t" + std::to_string(i)),
                                           TableValue("default", "t" + std::to_string(i)))});
    ASSERT_TRUE(c);
    chain.push_back(c->id);
  }
  std::reverse(chain.begin(), chain.end());
  EXPECT_EQ(LogIds("main"), chain);
  EXPECT_EQ(LogIds("main", /*first_parent=*/true), chain);
  EXPECT_EQ(LogIds("main~3"), std::vector<ObjectId>(chain.begin() + 3, chain.end()));

  for (bool first_parent : {false, true}) {
    for (size_t limit : {size_t{1}, size_t{3}, size_t{4}, size_t{10}, size_t{11}, size_t{12}}) {
      std::vector<ObjectId> walked;
      LogOptions o;
      o.first_parent = first_parent;
      o.limit = limit;
      for (int pages = 0;; ++pages) {
        ASSERT_LT(pages, 20);
        auto page = repo_->Log("main", o);
        ARBOR_ASSERT_OK(page);
        ASSERT_LE(page->commits.size(), limit);
        for (const auto& c : page->commits)
          walked.push_back(c->id);
        // has_more exactly when commits remain.
        EXPECT_EQ(page->has_more, walked.size() < chain.size())
            << "limit " << limit << " first_parent " << first_parent;
        if (!page->has_more) break;
        ASSERT_FALSE(page->commits.empty());
        o.after = page->commits.back()->id;
      }
      EXPECT_EQ(walked, chain) << "limit " << limit << " first_parent " << first_parent;
    }
  }
}

TEST_F(RepositoryTest, LogFirstParentFollowsTheMainLine) {
  const ObjectId r = Head("main");
  CommitPtr c1 = CommitEdits("main", {Put(TableKey("default", "a"), TableValue("default", "a"))});
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  CommitPtr d1 = CommitEdits("dev", {Put(TableKey("default", "d1"), TableValue("default", "d1"))});
  CommitPtr d2 = CommitEdits("dev", {Put(TableKey("default", "d2"), TableValue("default", "d2"))});
  CommitPtr c2 = CommitEdits("main", {Put(TableKey("default", "b"), TableValue("default", "b"))});
  MergeOutcome m = MergeOk("dev", "main");
  ASSERT_TRUE(m.merged);
  CommitPtr c3 = CommitEdits("main", {Put(TableKey("default", "c"), TableValue("default", "c"))});
  ASSERT_TRUE(c1 && d1 && d2 && c2 && c3);
  const ObjectId mid = (*m.commit)->id;

  const std::vector<ObjectId> main_line{c3->id, mid, c2->id, c1->id, r};
  EXPECT_EQ(LogIds("main", true), main_line);

  // The full log lists every commit once, each before its parents.
  std::vector<ObjectId> full = LogIds("main");
  EXPECT_EQ(full.size(), 7u);
  EXPECT_EQ(std::set<ObjectId>(full.begin(), full.end()),
            (std::set<ObjectId>{c3->id, mid, c2->id, d2->id, d1->id, c1->id, r}));
  for (size_t i = 0; i < full.size(); ++i) {
    auto c = repo_->GetCommit(full[i].ToHex());
    ARBOR_ASSERT_OK(c);
    for (const auto& p : (*c)->parents) {
      auto at = std::find(full.begin(), full.end(), p);
      ASSERT_NE(at, full.end());
      EXPECT_GT(at - full.begin(), static_cast<long>(i)) << "a parent listed before its child";
    }
  }

  // First-parent pagination across the merge.
  LogOptions o;
  o.first_parent = true;
  o.limit = 2;
  std::vector<ObjectId> walked;
  while (true) {
    auto page = repo_->Log("main", o);
    ARBOR_ASSERT_OK(page);
    for (const auto& c : page->commits)
      walked.push_back(c->id);
    if (!page->has_more) break;
    o.after = page->commits.back()->id;
  }
  EXPECT_EQ(walked, main_line);

  // A cursor that is not in the listed history is refused.
  LogOptions bad;
  bad.after = d1->id;
  ARBOR_EXPECT_CODE(repo_->Log("main~4", bad), kInvalidArgument);
  bad.first_parent = true;
  ARBOR_EXPECT_CODE(repo_->Log("main", bad), kInvalidArgument);
}

// ---------------------------------------------------------------------------
// Diff

// The reference diff: compare two full scans.
std::vector<CatalogChange> ReferenceDiff(const testing::Contents& left,
                                         const testing::Contents& right) {
  std::set<std::string> keys;
  for (const auto& [k, v] : left)
    keys.insert(k);
  for (const auto& [k, v] : right)
    keys.insert(k);
  std::vector<CatalogChange> out;
  for (const auto& k : keys) {
    auto l = left.find(k);
    auto r = right.find(k);
    std::optional<std::string> lv, rv;
    if (l != left.end()) lv = l->second;
    if (r != right.end()) rv = r->second;
    if (lv == rv) continue;
    CatalogChange c;
    c.key = k;
    c.type = !lv ? ChangeType::kAdded : !rv ? ChangeType::kRemoved : ChangeType::kChanged;
    c.old_value = lv;
    c.new_value = rv;
    out.push_back(c);
  }
  return out;
}

void ExpectSameChanges(const std::vector<CatalogChange>& got,
                       const std::vector<CatalogChange>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].key, want[i].key) << what << " #" << i;
    EXPECT_EQ(got[i].type, want[i].type) << what << " #" << i;
    EXPECT_EQ(got[i].old_value, want[i].old_value) << what << " #" << i;
    EXPECT_EQ(got[i].new_value, want[i].new_value) << what << " #" << i;
    auto decoded = DecodeKey(got[i].key);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(got[i].name, *decoded) << what << " #" << i;
  }
}

std::string Num(int i) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%03d", i);
  return buf;
}

TEST_F(RepositoryTest, DiffBetweenRefsPaginatesOverStagedAndCommittedChanges) {
  // More keys than one internal chunk (256) on every source, interleaved.
  std::vector<Edit> base;
  base.push_back(Put(DbKey("d"), DbValue("d")));
  for (int i = 0; i < 300; ++i)
    base.push_back(Put(TableKey("d", "t" + Num(i)), TableValue("d", "t" + Num(i))));
  CommitEdits("main", base);
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  ARBOR_ASSERT_OK(repo_->CreateTag("base", "main"));

  std::vector<Edit> dev_commit;
  for (int i = 0; i < 100; ++i) {
    dev_commit.push_back(
        Put(TableKey("d", "t" + Num(i)), TableValue("d", "t" + Num(i), {{"id", "int"}})));
  }
  for (int i = 100; i < 150; ++i)
    dev_commit.push_back(Del(TableKey("d", "t" + Num(i))));
  for (int i = 0; i < 60; ++i)
    dev_commit.push_back(Put(TableKey("d", "u" + Num(i)), TableValue("d", "u" + Num(i))));
  CommitEdits("dev", dev_commit);

  std::vector<Edit> dev_staged;
  for (int i = 0; i < 280; ++i) {
    // Interleave with the committed changes: t + odd numbers, and new v keys.
    if (i % 2)
      dev_staged.push_back(
          Put(TableKey("d", "t" + Num(i)), TableValue("d", "t" + Num(i), {{"s", "string"}})));
    else
      dev_staged.push_back(Put(TableKey("d", "v" + Num(i)), TableValue("d", "v" + Num(i))));
  }
  dev_staged.push_back(Del(TableKey("d", "t299")));
  dev_staged.push_back(Put(TableKey("d", "t101"), TableValue("d", "t101")));  // un-deletes t101
  StageOk("dev", dev_staged);

  std::vector<Edit> main_staged;
  for (int i = 0; i < 270; ++i)
    main_staged.push_back(Put(TableKey("d", "w" + Num(i)), TableValue("d", "w" + Num(i))));
  for (int i = 290; i < 300; ++i)
    main_staged.push_back(Del(TableKey("d", "t" + Num(i))));
  main_staged.push_back(Put(TableKey("d", "t003"),
                            TableValue("d", "t003", {{"s", "string"}})));  // = dev's staged t003
  StageOk("main", main_staged);

  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"main", "dev"},     {"dev", "main"}, {"main~0", "dev"}, {"main", "dev~0"},
      {"main~0", "dev~0"}, {"base", "dev"}, {"dev", "base"},   {"dev", "dev"}};
  for (const auto& [l, r] : pairs) {
    const std::string what = l + " -> " + r;
    const auto want = ReferenceDiff(Contents(l), Contents(r));
    DiffPageOptions all;
    all.limit = 100000;
    auto full = repo_->Diff(l, r, all);
    ARBOR_ASSERT_OK(full);
    EXPECT_FALSE(full->has_more);
    ExpectSameChanges(full->changes, want, what + " (one page)");

    for (size_t limit : {size_t{13}, size_t{255}, size_t{256}, size_t{257}}) {
      std::vector<CatalogChange> walked;
      DiffPageOptions o;
      o.limit = limit;
      for (int pages = 0;; ++pages) {
        ASSERT_LT(pages, 2000) << what;
        auto page = repo_->Diff(l, r, o);
        ARBOR_ASSERT_OK(page);
        ASSERT_LE(page->changes.size(), limit);
        walked.insert(walked.end(), page->changes.begin(), page->changes.end());
        if (!page->has_more) break;
        ASSERT_FALSE(page->changes.empty()) << what;
        ASSERT_EQ(page->next_after, page->changes.back().key);
        o.after = page->next_after;
      }
      ExpectSameChanges(walked, want, what + " (pages of " + std::to_string(limit) + ")");
    }
  }
  // Sanity: the scenario really has large diffs on both sides.
  EXPECT_GT(ReferenceDiff(Contents("main"), Contents("dev")).size(), 600u);
}

TEST_F(RepositoryTest, DiffSeesChangesBehindManyUnchangedCandidates) {
  // Staged entries that change nothing (a put of the committed value, a delete of
  // an absent key) and tree differences that staging undoes are candidates that
  // yield no change. More of them than one internal chunk (256) must not hide the
  // real changes behind them, on either side.
  std::vector<Edit> base;
  for (int i = 0; i < 300; ++i)
    base.push_back(Put(TableKey("d", "a" + Num(i)), TableValue("d", "a" + Num(i))));
  CommitEdits("main", base);
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  ARBOR_ASSERT_OK(repo_->CreateBranch("undo", "main"));

  std::vector<Edit> noop = base;  // the committed values again
  for (int i = 0; i < 300; ++i)
    noop.push_back(Del(TableKey("d", "b" + Num(i))));  // absent keys
  StageOk("main", noop);
  StageOk("main", {Put(TableKey("d", "c000"), TableValue("d", "c000")),
                   Put(TableKey("d", "c001"), TableValue("d", "c001"))});
  StageOk("dev", noop);
  StageOk("dev", {Put(TableKey("d", "e000"), TableValue("d", "e000"))});

  // "undo" commits 300 changes and stages the reverse of the first 255 of them.
  std::vector<Edit> changed, reverted;
  for (int i = 0; i < 300; ++i) {
    changed.push_back(
        Put(TableKey("d", "a" + Num(i)), TableValue("d", "a" + Num(i), {{"x", "int"}})));
    if (i < 255) reverted.push_back(base[i]);
  }
  CommitEdits("undo", changed);
  StageOk("undo", reverted);

  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"main~0", "main"}, {"main", "main~0"}, {"main", "dev"}, {"dev", "main"},
      {"main~0", "undo"}, {"undo", "main~0"}, {"undo", "main"}};
  for (const auto& [l, r] : pairs) {
    const std::string what = l + " -> " + r;
    const auto want = ReferenceDiff(Contents(l), Contents(r));
    ASSERT_FALSE(want.empty()) << what;
    for (size_t limit : {size_t{1}, size_t{5}, size_t{1000}}) {
      std::vector<CatalogChange> walked;
      DiffPageOptions o;
      o.limit = limit;
      for (int pages = 0;; ++pages) {
        ASSERT_LT(pages, 1000) << what;
        auto page = repo_->Diff(l, r, o);
        ARBOR_ASSERT_OK(page);
        walked.insert(walked.end(), page->changes.begin(), page->changes.end());
        if (!page->has_more) break;
        ASSERT_FALSE(page->changes.empty()) << what;
        o.after = page->next_after;
      }
      ExpectSameChanges(walked, want, what + " (pages of " + std::to_string(limit) + ")");
    }
  }
  DiffPageOptions one;
  one.limit = 1;
  auto first = repo_->DiffUncommitted("main", one);
  ARBOR_ASSERT_OK(first);
  ASSERT_EQ(first->changes.size(), 1u);
  EXPECT_EQ(first->changes[0].key, TableKey("d", "c000"));
  EXPECT_TRUE(first->has_more);
}

TEST_F(RepositoryTest, DiffUncommittedListsStagedChanges) {
  CommitEdits("main", {Put(TableKey("default", "a"), TableValue("default", "a")),
                       Put(TableKey("default", "b"), TableValue("default", "b"))});
  EXPECT_TRUE(Uncommitted("main").empty());
  StageOk("main",
          {Put(TableKey("default", "a"), TableValue("default", "a", {{"x", "int"}})),
           Del(TableKey("default", "b")), Put(TableKey("default", "c"), TableValue("default", "c")),
           // No change: the same value as committed, and a delete of nothing.
           Put(DbKey("default"), DbValue("default", "Default Hive database")),
           Del(TableKey("default", "zz"))});
  const auto want = ReferenceDiff(Contents("main~0"), Contents("main"));
  ASSERT_EQ(want.size(), 3u);
  ExpectSameChanges(Uncommitted("main"), want, "uncommitted");
  EXPECT_EQ(Uncommitted("main")[0].name.kind, CatalogKey::Kind::kTable);
  EXPECT_EQ(Uncommitted("main")[0].name.table, "a");

  DiffPageOptions o;
  o.limit = 2;
  auto p1 = repo_->DiffUncommitted("main", o);
  ARBOR_ASSERT_OK(p1);
  EXPECT_EQ(p1->changes.size(), 2u);
  EXPECT_TRUE(p1->has_more);
  o.after = p1->next_after;
  auto p2 = repo_->DiffUncommitted("main", o);
  ARBOR_ASSERT_OK(p2);
  ASSERT_EQ(p2->changes.size(), 1u);
  EXPECT_FALSE(p2->has_more);
  EXPECT_EQ(p2->changes[0].key, want[2].key);

  ARBOR_ASSERT_OK(repo_->CreateTag("v1", "main"));
  ARBOR_EXPECT_CODE(repo_->DiffUncommitted("v1", {}), kInvalidArgument);
  ARBOR_EXPECT_CODE(repo_->DiffUncommitted("main~0", {}), kInvalidArgument);
  ARBOR_EXPECT_CODE(repo_->DiffUncommitted("nosuch", {}), kNotFound);
}

// ---------------------------------------------------------------------------
// Merge

TEST_F(RepositoryTest, CleanMergeWritesAMergeCommit) {
  const ObjectId root = Head("main");
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  CommitPtr d1 = CommitEdits("dev", {Put(TableKey("default", "td"), TableValue("default", "td"))});
  CommitPtr d2 = CommitEdits("dev", {Put(TableKey("default", "te"), TableValue("default", "te"))});
  CommitPtr c1 = CommitEdits(
      "main", {Put(DbKey("default"),
                   DbValue("default", "Default Hive database", testing::Params{{"owner", "x"}}))});
  ASSERT_TRUE(d1 && d2 && c1);
  // Staged changes of the source are not part of the merge.
  StageOk("dev", {Put(TableKey("default", "staged"), TableValue("default", "staged"))});

  MergeOptions o;
  o.author = "merger";
  o.metadata = {{"k", "v"}};
  MergeOutcome out = MergeOk("dev", "main", o);
  EXPECT_TRUE(out.merged);
  EXPECT_FALSE(out.nothing_to_merge);
  ASSERT_TRUE(out.base);
  EXPECT_EQ(*out.base, root);
  EXPECT_EQ(out.source, d2->id);
  EXPECT_EQ(out.destination_head, c1->id);
  EXPECT_EQ(out.changes, 2u);
  EXPECT_EQ(out.conflict_count, 0u);
  EXPECT_TRUE(out.conflicts.empty());
  ASSERT_TRUE(out.commit);
  const CommitPtr mc = *out.commit;
  EXPECT_EQ(mc->parents, (std::vector<ObjectId>{c1->id, d2->id}));
  EXPECT_EQ(mc->generation, 1 + std::max(c1->generation, d2->generation));
  EXPECT_EQ(mc->generation, 4u);
  EXPECT_EQ(mc->author, "merger");
  EXPECT_EQ(mc->metadata.at("k"), "v");
  EXPECT_EQ(mc->metadata.at("arbor.merge.strategy"), "fail");
  EXPECT_THAT(mc->message, HasSubstr("dev"));
  EXPECT_THAT(mc->message, HasSubstr("main"));
  EXPECT_EQ(Head("main"), mc->id);
  EXPECT_EQ(Head("dev"), d2->id) << "the source does not move";
  EXPECT_EQ(Contents("main"),
            (testing::Contents{{DbKey("default"), DbValue("default", "Default Hive database",
                                                          testing::Params{{"owner", "x"}})},
                               {TableKey("default", "td"), TableValue("default", "td")},
                               {TableKey("default", "te"), TableValue("default", "te")}}));
  EXPECT_TRUE(Uncommitted("main").empty());

  // Merging from a tag and a commit id also works; the message is the caller's.
  ARBOR_ASSERT_OK(repo_->CreateBranch("side", "main~1"));
  ARBOR_ASSERT_OK(repo_->CreateTag("devtag", "dev~1"));
  MergeOptions named;
  named.message = "take d1";
  MergeOutcome from_tag = MergeOk("devtag", "side", named);
  ASSERT_TRUE(from_tag.merged);
  EXPECT_EQ((*from_tag.commit)->message, "take d1");
  EXPECT_EQ((*from_tag.commit)->parents[1], d1->id);
  EXPECT_TRUE(GetValue("side", TableKey("default", "td")));
  EXPECT_FALSE(GetValue("side", TableKey("default", "te")));
}

TEST_F(RepositoryTest, NothingToMergeWritesNothing) {
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  CommitEdits("dev", {Put(TableKey("default", "td"), TableValue("default", "td"))});
  ASSERT_TRUE(MergeOk("dev", "main").merged);
  const ObjectId head = Head("main");
  const uint64_t writes = kv_->write_calls();
  for (const std::string src : {"dev", "main", "main~1", "dev~1"}) {
    MergeOutcome again = MergeOk(src, "main");
    EXPECT_TRUE(again.nothing_to_merge) << src;
    EXPECT_FALSE(again.merged) << src;
    EXPECT_FALSE(again.commit) << src;
  }
  EXPECT_EQ(kv_->write_calls(), writes);
  EXPECT_EQ(Head("main"), head);
  ARBOR_EXPECT_CODE(repo_->Merge("nosuch", "main", {}), kNotFound);
  ARBOR_EXPECT_CODE(repo_->Merge("dev", "nosuch", {}), kNotFound);
}

TEST_F(RepositoryTest, MergeIntoDirtyBranchIsRefused) {
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  CommitEdits("dev", {Put(TableKey("default", "td"), TableValue("default", "td"))});
  StageOk("main", {Put(TableKey("default", "tm"), TableValue("default", "tm"))});
  const ObjectId head = Head("main");
  const uint64_t writes = kv_->write_calls();
  auto m = repo_->Merge("dev", "main", {});
  ARBOR_EXPECT_CODE(m, kPreconditionFailed);
  EXPECT_THAT(m.status().message(), HasSubstr("uncommitted"));
  EXPECT_EQ(kv_->write_calls(), writes);
  EXPECT_EQ(Head("main"), head);
  EXPECT_EQ(Uncommitted("main").size(), 1u);
  ARBOR_ASSERT_OK(repo_->Reset("main"));
  ASSERT_TRUE(MergeOk("dev", "main").merged);
}

TEST_F(RepositoryTest, MergeWithWrongExpectedHeadWritesNothing) {
  const ObjectId root = Head("main");
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  CommitEdits("dev", {Put(TableKey("default", "td"), TableValue("default", "td"))});
  CommitEdits("main", {Put(TableKey("default", "tm"), TableValue("default", "tm"))});
  const ObjectId head = Head("main");
  MergeOptions o;
  o.expected_head = root;
  const uint64_t writes = kv_->write_calls();
  ARBOR_EXPECT_CODE(repo_->Merge("dev", "main", o), kPreconditionFailed);
  EXPECT_EQ(kv_->write_calls(), writes);
  EXPECT_EQ(Head("main"), head);
  o.expected_head = head;
  EXPECT_TRUE(MergeOk("dev", "main", o).merged);
}

TEST_F(RepositoryTest, DisjointPartitionChangesNeverConflict) {
  std::vector<Edit> base{Put(DbKey("sales"), DbValue("sales")),
                         Put(TableKey("sales", "orders"), TableValue("sales", "orders"))};
  for (int i = 0; i < 5; ++i) {
    base.push_back(Put(PartKey("sales", "orders", "ds=p" + std::to_string(i)),
                       PartValue("sales", "orders", "p" + std::to_string(i))));
  }
  CommitEdits("main", base);
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  std::vector<Edit> dev{Del(PartKey("sales", "orders", "ds=p0"))};
  std::vector<Edit> main{Del(PartKey("sales", "orders", "ds=p1"))};
  for (int i = 1; i <= 20; ++i)
    dev.push_back(
        Put(PartKey("sales", "orders", "ds=" + Num(i)), PartValue("sales", "orders", Num(i))));
  for (int i = 21; i <= 40; ++i)
    main.push_back(
        Put(PartKey("sales", "orders", "ds=" + Num(i)), PartValue("sales", "orders", Num(i))));
  CommitEdits("dev", dev);
  CommitEdits("main", main);

  MergeOutcome out = MergeOk("dev", "main");
  EXPECT_TRUE(out.merged);
  EXPECT_EQ(out.conflict_count, 0u);
  EXPECT_EQ(out.changes, 21u);
  auto view = repo_->OpenView("main");
  ARBOR_ASSERT_OK(view);
  auto range = PartitionsOfTable("sales", "orders");
  ARBOR_ASSERT_OK(range);
  std::set<std::string> parts;
  ARBOR_ASSERT_OK(view->Scan(*range, [&](const std::string& k, const std::string&) {
    parts.insert(DecodeKey(k)->partition);
    return true;
  }));
  std::set<std::string> want{"ds=p2", "ds=p3", "ds=p4"};
  for (int i = 1; i <= 40; ++i)
    want.insert("ds=" + Num(i));
  EXPECT_EQ(parts, want);

  // And back the other way: dev catches up without conflicts either.
  MergeOutcome back = MergeOk("main", "dev");
  EXPECT_TRUE(back.merged);
  EXPECT_EQ(back.conflict_count, 0u);
  EXPECT_EQ(Contents("dev"), Contents("main"));
}

TEST_F(RepositoryTest, DifferentTableParametersMergeCleanly) {
  const std::string key = TableKey("default", "t");
  CommitEdits(
      "main",
      {Put(key, TableValue("default", "t", {{"id", "bigint"}},
                           testing::Params{{"a", "1"}, {"transient_lastDdlTime", "100"}}))});
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  catalog::Table theirs =
      testing::MakeTable("default", "t", {{"id", "bigint"}},
                         testing::Params{{"a", "1"}, {"b", "2"}, {"transient_lastDdlTime", "300"}},
                         {{"ds", "string"}});
  theirs.mutable_sd()->set_location("s3a://repo/dev/elsewhere");
  catalog::Table ours = testing::MakeTable(
      "default", "t", {{"id", "bigint"}},
      testing::Params{{"c", "3"}, {"transient_lastDdlTime", "200"}}, {{"ds", "string"}});
  ours.set_owner("alice");
  CommitEdits("dev", {Put(key, SerializeDeterministic(theirs))});
  CommitEdits("main", {Put(key, SerializeDeterministic(ours))});

  MergeOutcome out = MergeOk("dev", "main");
  ASSERT_TRUE(out.merged);
  EXPECT_EQ(out.conflict_count, 0u);
  catalog::Table want =
      testing::MakeTable("default", "t", {{"id", "bigint"}},
                         testing::Params{{"b", "2"}, {"c", "3"}, {"transient_lastDdlTime", "300"}},
                         {{"ds", "string"}});
  want.mutable_sd()->set_location("s3a://repo/dev/elsewhere");
  want.set_owner("alice");
  auto got = GetValue("main", key);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, SerializeDeterministic(want))
      << testing::ParseTable(*got).DebugString() << "\nwant\n"
      << want.DebugString();
}

TEST_F(RepositoryTest, ConflictingColumnTypesAndStrategies) {
  const std::string key = TableKey("default", "t");
  const std::string base = TableValue("default", "t", {{"id", "bigint"}, {"name", "string"}});
  const std::string theirs =
      TableValue("default", "t", {{"id", "bigint"}, {"name", "varchar(10)"}});
  const std::string ours = TableValue("default", "t", {{"id", "bigint"}, {"name", "char(5)"}});
  CommitEdits("main", {Put(key, base)});
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  CommitEdits("dev", {Put(key, theirs), Put(TableKey("default", "x"), TableValue("default", "x"))});
  CommitEdits("main", {Put(key, ours), Put(TableKey("default", "y"), TableValue("default", "y"))});
  ARBOR_ASSERT_OK(repo_->CreateBranch("m_src", "main"));
  ARBOR_ASSERT_OK(repo_->CreateBranch("m_dst", "main"));
  const ObjectId head = Head("main");

  const uint64_t writes = kv_->write_calls();
  MergeOutcome failed = MergeOk("dev", "main");
  EXPECT_FALSE(failed.merged);
  EXPECT_FALSE(failed.nothing_to_merge);
  EXPECT_FALSE(failed.commit);
  ASSERT_EQ(failed.conflict_count, 1u);
  ASSERT_EQ(failed.conflicts.size(), 1u);
  EXPECT_FALSE(failed.conflicts_has_more);
  const MergeConflict& c = failed.conflicts[0];
  EXPECT_EQ(c.key, key);
  EXPECT_EQ(c.name, CatalogKey::ForTable("default", "t"));
  EXPECT_EQ(c.base, base);
  EXPECT_EQ(c.ours, ours);
  EXPECT_EQ(c.theirs, theirs);
  EXPECT_EQ(c.fields, std::vector<std::string>{"sd.cols"});
  EXPECT_EQ(kv_->write_calls(), writes) << "strategy fail writes nothing";
  EXPECT_EQ(Head("main"), head);
  EXPECT_FALSE(GetValue("main", TableKey("default", "x"))) << "not even the clean part";

  MergeOptions sw;
  sw.strategy = MergeStrategy::kSourceWins;
  MergeOutcome s = MergeOk("dev", "m_src", sw);
  ASSERT_TRUE(s.merged);
  EXPECT_EQ(GetValue("m_src", key), theirs);
  EXPECT_TRUE(GetValue("m_src", TableKey("default", "x")));
  EXPECT_TRUE(GetValue("m_src", TableKey("default", "y")));
  EXPECT_EQ((*s.commit)->metadata.at("arbor.merge.strategy"), "source-wins");

  MergeOptions dw;
  dw.strategy = MergeStrategy::kDestWins;
  MergeOutcome d = MergeOk("dev", "m_dst", dw);
  ASSERT_TRUE(d.merged);
  EXPECT_EQ(GetValue("m_dst", key), ours);
  EXPECT_TRUE(GetValue("m_dst", TableKey("default", "x")));
  EXPECT_TRUE(GetValue("m_dst", TableKey("default", "y")));
  EXPECT_EQ((*d.commit)->metadata.at("arbor.merge.strategy"), "dest-wins");
}

TEST_F(RepositoryTest, DeleteAgainstChangeConflicts) {
  const std::string key = TableKey("default", "t");
  CommitEdits("main", {Put(key, TableValue("default", "t"))});
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  CommitEdits("dev", {Del(key)});
  CommitEdits("main", {Put(key, TableValue("default", "t", {{"id", "int"}}))});
  MergeOutcome out = MergeOk("dev", "main");
  EXPECT_FALSE(out.merged);
  ASSERT_EQ(out.conflicts.size(), 1u);
  EXPECT_EQ(out.conflicts[0].key, key);
  EXPECT_FALSE(out.conflicts[0].theirs);
  EXPECT_EQ(out.conflicts[0].fields, std::vector<std::string>{"(deleted vs changed)"});
}

TEST_F(RepositoryTest, DryRunWritesNothing) {
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  CommitEdits("dev", {Put(TableKey("default", "td"), TableValue("default", "td")),
                      Put(DbKey("default"), DbValue("default", "theirs"))});
  CommitEdits("main", {Put(DbKey("default"), DbValue("default", "ours"))});
  const ObjectId head = Head("main");
  const uint64_t writes = kv_->write_calls();
  for (MergeStrategy strategy :
       {MergeStrategy::kFail, MergeStrategy::kSourceWins, MergeStrategy::kDestWins}) {
    MergeOptions o;
    o.dry_run = true;
    o.strategy = strategy;
    MergeOutcome out = MergeOk("dev", "main", o);
    EXPECT_FALSE(out.merged);
    EXPECT_FALSE(out.commit);
    EXPECT_EQ(out.conflict_count, 1u);
    ASSERT_EQ(out.conflicts.size(), 1u);
    EXPECT_EQ(out.conflicts[0].fields, std::vector<std::string>{"description"});
  }
  EXPECT_EQ(kv_->write_calls(), writes);
  EXPECT_EQ(Head("main"), head);
  EXPECT_FALSE(GetValue("main", TableKey("default", "td")));
}

TEST_F(RepositoryTest, ConflictListPaginates) {
  std::vector<Edit> base, dev, main;
  for (int i = 0; i < 25; ++i) {
    const std::string name = "t" + Num(i);
    base.push_back(Put(TableKey("default", name), TableValue("default", name)));
    catalog::Table t = testing::MakeTable("default", name);
    t.set_owner("dev");
    dev.push_back(Put(TableKey("default", name), SerializeDeterministic(t)));
    t.set_owner("main");
    main.push_back(Put(TableKey("default", name), SerializeDeterministic(t)));
  }
  CommitEdits("main", base);
  ARBOR_ASSERT_OK(repo_->CreateBranch("dev", "main"));
  CommitEdits("dev", dev);
  CommitEdits("main", main);

  MergeOutcome all = MergeOk("dev", "main");
  ASSERT_EQ(all.conflict_count, 25u);
  ASSERT_EQ(all.conflicts.size(), 25u);
  EXPECT_FALSE(all.conflicts_has_more);
  for (size_t i = 0; i < all.conflicts.size(); ++i) {
    EXPECT_EQ(all.conflicts[i].key, TableKey("default", "t" + Num(static_cast<int>(i))));
    EXPECT_EQ(all.conflicts[i].fields, std::vector<std::string>{"owner"});
  }

  MergeOptions o;
  o.conflicts_limit = 10;
  std::vector<std::string> walked;
  std::vector<bool> more;
  while (true) {
    MergeOutcome page = MergeOk("dev", "main", o);
    EXPECT_EQ(page.conflict_count, 25u);
    EXPECT_LE(page.conflicts.size(), 10u);
    for (const auto& c : page.conflicts)
      walked.push_back(c.key);
    more.push_back(page.conflicts_has_more);
    if (!page.conflicts_has_more) break;
    o.conflicts_after = page.conflicts.back().key;
  }
  std::vector<std::string> keys;
  for (const auto& c : all.conflicts)
    keys.push_back(c.key);
  EXPECT_EQ(walked, keys);
  EXPECT_EQ(more, (std::vector<bool>{true, true, false}));
  // Exactly `limit` left: no more.
  o.conflicts_after = keys[14];
  MergeOutcome last = MergeOk("dev", "main", o);
  EXPECT_EQ(last.conflicts.size(), 10u);
  EXPECT_FALSE(last.conflicts_has_more);
}

// ---------------------------------------------------------------------------
// Merge bases

// Reference: the best common ancestors, by brute force over the whole graph.
std::set<ObjectId> Ancestors(CommitStore* commits, const ObjectId& id) {
  std::set<ObjectId> seen{id};
  std::vector<ObjectId> todo{id};
  while (!todo.empty()) {
    ObjectId c = todo.back();
    todo.pop_back();
    auto commit = commits->Get(c);
    EXPECT_TRUE(commit.ok());
    if (!commit.ok()) break;
    for (const auto& p : (*commit)->parents) {
      if (seen.insert(p).second) todo.push_back(p);
    }
  }
  return seen;
}

std::set<ObjectId> BestCommonAncestors(CommitStore* commits, const ObjectId& a, const ObjectId& b) {
  std::set<ObjectId> aa = Ancestors(commits, a), bb = Ancestors(commits, b), common;
  for (const auto& x : aa) {
    if (bb.count(x)) common.insert(x);
  }
  std::set<ObjectId> best = common;
  for (const auto& x : common) {
    for (const auto& y : Ancestors(commits, x)) {
      if (y != x) best.erase(y);
    }
  }
  return best;
}

TEST_F(RepositoryTest, MergeBaseOnCrissCrossHistories) {
  ARBOR_ASSERT_OK(repo_->CreateBranch("x", "main"));
  ARBOR_ASSERT_OK(repo_->CreateBranch("y", "main"));
  int n = 0;
  auto commit_on = [&](const std::string& branch) {
    const std::string name = branch + std::to_string(n++);
    return CommitEdits(branch, {Put(TableKey("default", name), TableValue("default", name))});
  };
  for (int round = 0; round < 4; ++round) {
    CommitPtr x1 = commit_on("x");
    CommitPtr y1 = commit_on("y");
    ASSERT_TRUE(x1 && y1);
    // Cross-merge the two tips: x takes y1, y takes x1 (by commit id).
    MergeOutcome mx = MergeOk("y", "x");
    MergeOutcome my = MergeOk(x1->id.ToHex(), "y");
    ASSERT_TRUE(mx.merged && my.merged);
    const ObjectId hx = Head("x"), hy = Head("y");
    const auto best = BestCommonAncestors(repo_->commits(), hx, hy);
    EXPECT_EQ(best, (std::set<ObjectId>{x1->id, y1->id})) << "round " << round;
    auto base = MergeBase(repo_->commits(), hx, hy);
    ARBOR_ASSERT_OK(base);
    ASSERT_TRUE(base->has_value());
    EXPECT_TRUE(best.count(**base)) << "round " << round << ": " << (*base)->ToHex();
    auto rev = MergeBase(repo_->commits(), hy, hx);
    ARBOR_ASSERT_OK(rev);
    ASSERT_TRUE(rev->has_value());
    EXPECT_TRUE(best.count(**rev));
    // A merge of the two uses such a base, and both sides hold the same tables.
    MergeOptions dry;
    dry.dry_run = true;
    MergeOutcome probe = MergeOk("y", "x", dry);
    ASSERT_TRUE(probe.base);
    EXPECT_TRUE(best.count(*probe.base));
    EXPECT_EQ(probe.conflict_count, 0u);
    EXPECT_EQ(probe.changes, 0u);
    EXPECT_EQ(Contents("x"), Contents("y"));
  }
  // Ancestry: each tip's base with its own ancestor is the ancestor.
  const ObjectId hx = Head("x");
  auto anc = MergeBase(repo_->commits(), hx, Head("main"));
  ARBOR_ASSERT_OK(anc);
  EXPECT_EQ(**anc, Head("main"));
  auto self = MergeBase(repo_->commits(), hx, hx);
  ARBOR_ASSERT_OK(self);
  EXPECT_EQ(**self, hx);
  auto is = IsAncestor(repo_->commits(), Head("main"), hx);
  ARBOR_ASSERT_OK(is);
  EXPECT_TRUE(*is);
  auto isnt = IsAncestor(repo_->commits(), hx, Head("main"));
  ARBOR_ASSERT_OK(isnt);
  EXPECT_FALSE(*isnt);
}

// ---------------------------------------------------------------------------
// RocksDB: a commit survives closing and reopening the store.

TEST(RepositoryRocksTest, CommitAndReopen) {
  testing::TempDir dir;
  RocksOptions ro;
  ro.path = dir.Sub("db");
  ro.block_cache_bytes = 8 << 20;
  ro.write_buffer_bytes = 4 << 20;
  ObjectId main_head, dev_head, merge_id;
  testing::Contents main_contents, dev_contents, tag_contents;
  {
    auto kv = RocksKvStore::Open(ro);
    ARBOR_ASSERT_OK(kv);
    auto repo = Repository::Open(kv->get(), testing::TestRepositoryOptions());
    ARBOR_ASSERT_OK(repo);
    Repository* r = repo->get();
    ARBOR_ASSERT_OK(
        testing::Stage(r, "main", {Put(TableKey("default", "t1"), TableValue("default", "t1"))}));
    ARBOR_ASSERT_OK(r->Commit("main", {}));
    ARBOR_ASSERT_OK(r->CreateTag("v1", "main"));
    ARBOR_ASSERT_OK(r->CreateBranch("dev", "main"));
    ARBOR_ASSERT_OK(
        testing::Stage(r, "dev", {Put(TableKey("default", "t2"), TableValue("default", "t2"))}));
    ARBOR_ASSERT_OK(r->Commit("dev", {}));
    ARBOR_ASSERT_OK(
        testing::Stage(r, "main", {Put(TableKey("default", "t3"), TableValue("default", "t3"))}));
    ARBOR_ASSERT_OK(r->Commit("main", {}));
    auto m = r->Merge("dev", "main", {});
    ARBOR_ASSERT_OK(m);
    ASSERT_TRUE(m->merged);
    merge_id = (*m->commit)->id;
    // Uncommitted work is durable too.
    ARBOR_ASSERT_OK(
        testing::Stage(r, "dev", {Put(TableKey("default", "t4"), TableValue("default", "t4"))}));
    main_head = r->GetBranch("main")->head;
    dev_head = r->GetBranch("dev")->head;
    main_contents = ContentsOf(r, "main");
    dev_contents = ContentsOf(r, "dev");
    tag_contents = ContentsOf(r, "v1");
    EXPECT_EQ(main_contents.size(), 4u);
    EXPECT_EQ(dev_contents.size(), 4u);
  }
  auto kv = RocksKvStore::Open(ro);
  ARBOR_ASSERT_OK(kv);
  auto repo = Repository::Open(kv->get(), testing::TestRepositoryOptions());
  ARBOR_ASSERT_OK(repo);
  Repository* r = repo->get();
  EXPECT_EQ(r->GetBranch("main")->head, main_head);
  EXPECT_EQ(main_head, merge_id);
  EXPECT_EQ(r->GetBranch("dev")->head, dev_head);
  EXPECT_EQ(ContentsOf(r, "main"), main_contents);
  EXPECT_EQ(ContentsOf(r, "dev"), dev_contents);
  EXPECT_EQ(ContentsOf(r, "v1"), tag_contents);
  auto log = r->Log("main", {});
  ARBOR_ASSERT_OK(log);
  EXPECT_EQ(log->commits.size(), 5u);
  auto resolved = r->Resolve(merge_id.ToHex().substr(0, 8));
  ARBOR_ASSERT_OK(resolved);
  EXPECT_EQ(resolved->commit, merge_id);
  // It keeps working after the reopen.
  ARBOR_ASSERT_OK(r->Commit("dev", {}));
  EXPECT_TRUE(r->Merge("dev", "main", {})->merged);
  EXPECT_EQ(ContentsOf(r, "main").size(), 5u);
}

}  // namespace
}  // namespace arbor
