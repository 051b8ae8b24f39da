// SharedRecord: one small record in the refs column ("shared/<name>") that every
// process sharing the store reads and rewrites by compare-and-set, for server state
// that must be the same on all arbord instances (the HMS lock table).
//
// Update() reads the record (empty when absent), lets `update` change the bytes and
// writes them back on condition that nobody changed the record meanwhile; a lost race
// runs `update` again on the new bytes. An update that leaves the bytes unchanged
// writes nothing. Meant for records of kilobytes changed at human or commit rates.
#pragma once

#include <functional>
#include <string>

#include "storage/kv_store.h"

namespace arbor {

class SharedRecord {
 public:
  SharedRecord(KvStore* kv, std::string_view name) : kv_(kv), key_("shared/" + std::string(name)) {}

  Status Update(const std::function<Status(std::string* bytes)>& update);

 private:
  KvStore* kv_;
  std::string key_;
};

}  // namespace arbor
