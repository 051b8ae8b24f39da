// admin.proto messages from the Repository's types (admin_messages.h).
#include "server/admin/admin_messages.h"

#include <google/protobuf/util/time_util.h>

#include <optional>
#include <utility>
#include <vector>

#include "server/admin/admin_call.h"
#include "server/admin/admin_json.h"
#include "versioning/entity_summary.h"

namespace arbor::admin_api {

namespace pb = google::protobuf;

namespace {

std::string KindSlug(CatalogKey::Kind kind) {
  switch (kind) {
    case CatalogKey::Kind::kDatabase:
      return "database";
    case CatalogKey::Kind::kTable:
      return "table";
    case CatalogKey::Kind::kPartition:
      return "partition";
    case CatalogKey::Kind::kTableColumnStats:
      return "table_column_statistics";
    case CatalogKey::Kind::kPartitionColumnStats:
      return "partition_column_statistics";
    case CatalogKey::Kind::kFunction:
      return "function";
  }
  return "unknown";
}

void FillKey(const CatalogKey& k, admin::EntityKey* out) {
  out->set_kind(KindSlug(k.kind));
  out->set_db(k.db);
  out->set_table(k.table);
  out->set_partition(k.partition);
  out->set_column(k.column);
  out->set_function(k.function);
}

void FillTime(int64_t micros, pb::Timestamp* out) {
  *out = pb::util::TimeUtil::MicrosecondsToTimestamp(micros);
}

void FillValueChange(const std::optional<ValueChange>& v, admin::ValueChange* out) {
  if (v->old_value) out->set_old_value(*v->old_value);
  if (v->new_value) out->set_new_value(*v->new_value);
}

void FillSummary(const TableChangeSummary& s, admin::TableChangeSummary* out) {
  for (const auto& c : s.columns_added)
    out->add_columns_added(c);
  for (const auto& c : s.columns_removed)
    out->add_columns_removed(c);
  for (const auto& [name, from, to] : s.columns_retyped) {
    auto* r = out->add_columns_retyped();
    r->set_name(name);
    r->set_old_type(from);
    r->set_new_type(to);
  }
  for (const auto& c : s.columns_comment_changed)
    out->add_columns_comment_changed(c);
  out->set_columns_reordered(s.columns_reordered);
  if (s.partition_keys) FillValueChange(s.partition_keys, out->mutable_partition_keys());
  if (s.location) FillValueChange(s.location, out->mutable_location());
  if (s.input_format) FillValueChange(s.input_format, out->mutable_input_format());
  if (s.output_format) FillValueChange(s.output_format, out->mutable_output_format());
  if (s.serde_lib) FillValueChange(s.serde_lib, out->mutable_serde_lib());
  if (s.table_type) FillValueChange(s.table_type, out->mutable_table_type());
  for (const auto& p : s.parameters_added)
    out->add_parameters_added(p);
  for (const auto& p : s.parameters_removed)
    out->add_parameters_removed(p);
  for (const auto& p : s.parameters_changed)
    out->add_parameters_changed(p);
  for (const auto& p : s.other_fields_changed)
    out->add_other_fields_changed(p);
}

Status FillConflict(const MergeConflict& c, admin::Conflict* out) {
  FillKey(c.name, out->mutable_key());
  if (c.base) ARBOR_RETURN_IF_ERROR(EntityBytesToStruct(c.name.kind, *c.base, out->mutable_base()));
  if (c.ours) ARBOR_RETURN_IF_ERROR(EntityBytesToStruct(c.name.kind, *c.ours, out->mutable_ours()));
  if (c.theirs) {
    ARBOR_RETURN_IF_ERROR(EntityBytesToStruct(c.name.kind, *c.theirs, out->mutable_theirs()));
  }
  for (const auto& f : c.fields)
    out->add_fields(f);
  return Status::OK();
}

}  // namespace

void FillCommit(const CommitData& c, admin::Commit* out) {
  out->set_id(c.id.ToHex());
  for (const auto& p : c.parents)
    out->add_parents(p.ToHex());
  out->set_author(c.author);
  out->set_message(c.message);
  FillTime(c.time_micros, out->mutable_time());
  for (const auto& [k, v] : c.metadata)
    (*out->mutable_metadata())[k] = v;
  out->set_generation(c.generation);
  out->set_lakefs_commit(c.lakefs_commit);
  out->set_root(c.root.ToHex());
}

std::string CommitModeName(versioning::CommitMode mode) {
  return mode == versioning::COMMIT_MODE_AUTO ? "auto" : "staged";
}

void FillBranch(const Repository& repo, const Branch& b, admin::Branch* out) {
  out->set_name(b.name);
  out->set_head(b.head.ToHex());
  out->set_protected_(b.is_protected);
  out->set_commit_mode(CommitModeName(b.commit_mode));
  FillTime(b.created_micros, out->mutable_created());
  out->set_is_default(b.name == repo.default_branch());
  auto intent = repo.refs().GetIntent(b.name);
  if (intent.ok() && *intent) {
    static constexpr const char* kOps[] = {"commit", "merge", "revert"};
    int op = (*intent)->op();
    out->set_pending_lakefs_operation(op >= 0 && op < 3 ? kOps[op] : "unknown");
    FillTime((*intent)->created_micros(), out->mutable_pending_since());
  }
}

void FillTag(const Tag& t, admin::Tag* out) {
  out->set_name(t.name);
  out->set_commit(t.commit.ToHex());
  FillTime(t.created_micros, out->mutable_created());
}

void FillRef(const ResolvedRef& r, admin::ResolvedRef* out) {
  out->set_expression(r.expression);
  switch (r.kind) {
    case ResolvedRef::Kind::kBranch:
      out->set_kind("branch");
      break;
    case ResolvedRef::Kind::kTag:
      out->set_kind("tag");
      break;
    case ResolvedRef::Kind::kCommit:
      out->set_kind("commit");
      break;
  }
  out->set_branch(r.branch);
  out->set_commit(r.commit.ToHex());
}

Status FillChange(const CatalogChange& c, admin::DiffEntry* out) {
  FillKey(c.name, out->mutable_key());
  out->set_type(std::string(ChangeTypeName(c.type)));
  if (c.old_value) {
    ARBOR_RETURN_IF_ERROR(EntityBytesToStruct(c.name.kind, *c.old_value, out->mutable_old_value()));
  }
  if (c.new_value) {
    ARBOR_RETURN_IF_ERROR(EntityBytesToStruct(c.name.kind, *c.new_value, out->mutable_new_value()));
  }
  if (c.type == ChangeType::kChanged) {
    ARBOR_ASSIGN_OR_RETURN(std::vector<std::string> fields,
                           ChangedFieldPaths(c.name.kind, c.old_value, c.new_value));
    for (auto& f : fields)
      out->add_changed_fields(std::move(f));
  }
  if (c.name.kind == CatalogKey::Kind::kTable) {
    ARBOR_ASSIGN_OR_RETURN(TableChangeSummary s, SummarizeTableChange(c.old_value, c.new_value));
    FillSummary(s, out->mutable_table_summary());
  }
  return Status::OK();
}

Status FillMerge(const MergeOutcome& m, std::string_view strategy, admin::MergeResponse* out) {
  if (m.commit) FillCommit(**m.commit, out->mutable_commit());
  if (m.base) out->set_base(m.base->ToHex());
  out->set_source(m.source.ToHex());
  out->set_destination_head(m.destination_head.ToHex());
  out->set_strategy(std::string(strategy));
  out->set_changes(static_cast<uint32_t>(m.changes));
  out->set_conflict_count(static_cast<uint32_t>(m.conflict_count));
  for (const auto& c : m.conflicts)
    ARBOR_RETURN_IF_ERROR(FillConflict(c, out->add_conflicts()));
  out->set_conflicts_has_more(m.conflicts_has_more);
  if (m.conflicts_has_more && !m.conflicts.empty()) {
    out->set_conflicts_next_after(EncodeCursor(m.conflicts.back().key));
  }
  return Status::OK();
}

}  // namespace arbor::admin_api
