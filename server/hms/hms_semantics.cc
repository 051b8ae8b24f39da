#include "server/hms/hms_semantics.h"

#include <chrono>

#include "server/hms/hms_validation.h"

namespace arbor::hms {

namespace {

std::string JoinPath(const std::string& base, const std::string& leaf) {
  if (!base.empty() && base.back() == '/') return base + leaf;
  return base + "/" + leaf;
}

// HMS stores a new partition's location as Hadoop's Path prints it, which
// drops a trailing '/' unless the path is the root ("file:/x/" -> "file:/x").
// Clients compare the location they get back with the one they built.
void DropTrailingSlashes(std::string* location) {
  while (location->size() > 1 && location->back() == '/' && LocationPath(*location).size() > 1) {
    location->pop_back();
  }
}

}  // namespace

bool IsTrue(const std::string& v) {
  return v.size() == 4 && (v[0] == 't' || v[0] == 'T') && (v[1] == 'r' || v[1] == 'R') &&
         (v[2] == 'u' || v[2] == 'U') && (v[3] == 'e' || v[3] == 'E');
}

int32_t NowSeconds() {
  return static_cast<int32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count());
}

std::string DefaultDatabaseLocation(const std::string& warehouse, const std::string& db) {
  if (db == "default") return warehouse;
  return JoinPath(warehouse, db + ".db");
}

void ApplyDatabaseDefaults(catalog::Database* db, const std::string& warehouse, int32_t now) {
  if (!db->has_location_uri() || db->location_uri().empty()) {
    db->set_location_uri(DefaultDatabaseLocation(warehouse, db->name()));
  }
  if (!db->has_create_time() || db->create_time() == 0) db->set_create_time(now);
}

void SetDdlTimeIfAbsent(catalog::StringMap* parameters, int32_t now) {
  auto* entries = parameters->mutable_entries();
  if (!entries->contains(kDdlTime)) (*entries)[kDdlTime] = std::to_string(now);
}

void NormalizeTableType(catalog::Table* table) {
  bool external = false;
  if (table->has_parameters()) {
    auto it = table->parameters().entries().find("EXTERNAL");
    external = it != table->parameters().entries().end() && IsTrue(it->second);
  }
  const std::string type = table->has_table_type() ? table->table_type() : "";
  if (external && (type.empty() || type == "MANAGED_TABLE")) {
    table->set_table_type("EXTERNAL_TABLE");
  } else if (!external && type == "EXTERNAL_TABLE") {
    table->set_table_type("MANAGED_TABLE");
  } else if (type.empty()) {
    table->set_table_type("MANAGED_TABLE");
  }
}

void ApplyTableDefaults(catalog::Table* table, const catalog::Database& db, int32_t now) {
  NormalizeTableType(table);
  if (!table->has_create_time() || table->create_time() == 0) table->set_create_time(now);
  SetDdlTimeIfAbsent(table->mutable_parameters(), now);
  if (table->table_type() == "VIRTUAL_VIEW" || table->table_type() == "MATERIALIZED_VIEW") return;
  auto* sd = table->mutable_sd();
  if (!sd->has_location() || sd->location().empty()) {
    sd->set_location(JoinPath(db.location_uri(), table->table_name()));
  }
}

void ApplyTableAlterDefaults(catalog::Table* table, int32_t now) {
  NormalizeTableType(table);
  SetDdlTimeIfAbsent(table->mutable_parameters(), now);
}

void KeepDataPathOnRename(catalog::Table* renamed, const catalog::Table& current) {
  static const std::string kPath = "path";
  if (!renamed->has_sd() || !current.has_sd()) return;
  const std::string& location = current.sd().location();
  if (location.empty() || renamed->sd().location() != location) return;
  const auto& old_serde = current.sd().serde_info().parameters().entries();
  auto old_path = old_serde.find(kPath);
  if (old_path == old_serde.end() || old_path->second != location) return;
  auto* serde =
      renamed->mutable_sd()->mutable_serde_info()->mutable_parameters()->mutable_entries();
  auto new_path = serde->find(kPath);
  if (new_path != serde->end()) new_path->second = location;
}

void ApplyPartitionDefaults(catalog::Partition* partition, const catalog::Table& table,
                            const std::string& part_name, int32_t now) {
  if (!partition->has_sd() && table.has_sd()) {
    *partition->mutable_sd() = table.sd();
    partition->mutable_sd()->clear_location();
  }
  if (table.has_sd() && table.sd().has_location() &&
      (!partition->sd().has_location() || partition->sd().location().empty())) {
    partition->mutable_sd()->set_location(JoinPath(table.sd().location(), part_name));
  } else if (partition->sd().has_location()) {
    DropTrailingSlashes(partition->mutable_sd()->mutable_location());
  }
  if (!partition->has_create_time() || partition->create_time() == 0) {
    partition->set_create_time(now);
  }
  SetDdlTimeIfAbsent(partition->mutable_parameters(), now);
}

}  // namespace arbor::hms
