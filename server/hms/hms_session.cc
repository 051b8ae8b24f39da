// Session state, configuration calls, catalogs and fb303.
#include <spdlog/spdlog.h>

#include "server/hms/hms_handler.h"
#include "server/hms/hms_semantics.h"
#include "versioning/names.h"
#include "versioning/ref_expression.h"

namespace arbor::hms {

using hive::Catalog;
using hive::ConfigValSecurityException;
using hive::GetCatalogRequest;
using hive::GetCatalogResponse;
using hive::GetCatalogsResponse;

namespace {

constexpr const char* kRefKey = "arbor.ref";
constexpr const char* kVersion = "0.1.0";

}  // namespace

HmsHandler::HmsHandler(HmsContext* context, std::string peer, auth::Identity identity)
    : context_(context), peer_(std::move(peer)), identity_(std::move(identity)) {
  // Authenticated, the principal is the user (commit author, lock owner) until
  // a permitted set_ugi says otherwise.
  if (identity_.authenticated()) user_ = identity_.user;
  context_->open_connections.fetch_add(1);
  context_->total_connections.fetch_add(1);
}

HmsHandler::~HmsHandler() {
  context_->open_connections.fetch_sub(1);
}

std::string HmsHandler::RefOf(const DbName& name) const {
  if (!name.ref.empty()) return name.ref;
  if (!session_ref_.empty()) return session_ref_;
  return context_->options.default_branch;
}

// --- fb303

void HmsHandler::getName(std::string& _return) {
  _return = "arbor";
}

void HmsHandler::getVersion(std::string& _return) {
  _return = kVersion;
}

facebook::fb303::fb_status::type HmsHandler::getStatus() {
  return facebook::fb303::fb_status::ALIVE;
}

void HmsHandler::getStatusDetails(std::string& _return) {
  _return = "alive";
}

void HmsHandler::getCounters(std::map<std::string, int64_t>& _return) {
  _return["open_connections"] = context_->open_connections.load();
  _return["total_connections"] = context_->total_connections.load();
}

int64_t HmsHandler::getCounter(const std::string& key) {
  std::map<std::string, int64_t> counters;
  getCounters(counters);
  auto it = counters.find(key);
  return it == counters.end() ? 0 : it->second;
}

// fb303 options are process-wide knobs in other servers; Arbor has none to set at
// run time, so the calls are accepted and report nothing.
void HmsHandler::setOption(const std::string&, const std::string&) {}
void HmsHandler::getOption(std::string& _return, const std::string&) {
  _return.clear();
}
void HmsHandler::getOptions(std::map<std::string, std::string>& _return) {
  _return.clear();
}
void HmsHandler::getCpuProfile(std::string& _return, const int32_t) {
  _return.clear();
}

int64_t HmsHandler::aliveSince() {
  return context_->started_at_seconds;
}

// Hive clients call shutdown() when they close; it must not stop the server.
void HmsHandler::reinitialize() {}
void HmsHandler::shutdown() {}

// --- session and configuration

Status HmsHandler::Authorize(auth::Role need, std::string_view what) const {
  if (!identity_.authenticated() || context_->users == nullptr) return Status::OK();
  Status s = auth::RequireRole(user_, context_->users->RoleOf(user_), need, what);
  if (!s.ok()) spdlog::warn("thrift: {}: denied: {}", peer_, s.message());
  return s;
}

std::string HmsHandler::LockOwner() const {
  if (!identity_.authenticated() || context_->users == nullptr) return {};
  return context_->users->RoleOf(user_) == auth::Role::kAdmin ? std::string() : user_;
}

// With authentication on, set_ugi may only name the authenticated user, or a
// user the principal may act for (proxy= in the users file, Hive's
// hadoop.proxyuser rule); without it, set_ugi is the client's word, as in Hive.
void HmsHandler::set_ugi(std::vector<std::string>& _return, const std::string& user_name,
                         const std::vector<std::string>& group_names) {
  using E = ARBOR_HMS_THROWS(set_ugi);
  if (identity_.authenticated() && user_name != identity_.user &&
      (context_->users == nullptr || !context_->users->MayImpersonate(identity_.user, user_name))) {
    spdlog::warn("thrift: {}: denied: '{}' may not act as '{}' (set_ugi)", peer_, identity_.user,
                 user_name);
    Raise<E>(Status::PermissionDenied("user '" + identity_.user + "' may not impersonate '" +
                                      user_name + "' (not a proxy user for it)"));
  }
  user_ = user_name;
  groups_ = group_names;
  _return = group_names;
}

void HmsHandler::getMetaConf(std::string& _return, const std::string& key) {
  if (key == kRefKey) {
    _return = session_ref_.empty() ? context_->options.default_branch : session_ref_;
    return;
  }
  auto it = conf_.find(key);
  _return = it == conf_.end() ? std::string() : it->second;
}

void HmsHandler::setMetaConf(const std::string& key, const std::string& value) {
  using E = ARBOR_HMS_THROWS(setMetaConf);
  if (key != kRefKey) {
    conf_[key] = value;
    return;
  }
  std::string ref = NormalizeIdentifier(value);
  if (ref.empty()) {
    session_ref_.clear();
    return;
  }
  // Refuse a ref that does not resolve now, rather than failing every later call.
  Check<E>(context_->repo->Resolve(ref).status());
  session_ref_ = ref;
  spdlog::debug("{}: session ref set to '{}'", peer_, value);
}

void HmsHandler::get_config_value(std::string& _return, const std::string& name,
                                  const std::string& defaultValue) {
  if (name.find("javax.jdo.option") != std::string::npos ||
      name.find("hive.metastore.ds.connection") != std::string::npos) {
    ConfigValSecurityException e;
    e.__set_message("For security reasons, the config key " + name + " cannot be accessed");
    throw e;
  }
  if (name == "hive.metastore.warehouse.dir" || name == "metastore.warehouse.dir") {
    _return = context_->options.warehouse;
  } else if (name == kRefKey) {
    _return = session_ref_.empty() ? context_->options.default_branch : session_ref_;
  } else if (name == "arbor.ref.separator") {
    _return = std::string(1, context_->options.ref_separator);
  } else {
    _return = defaultValue;
  }
}

// --- catalogs: Arbor serves Hive's one catalog, `hive`.

void HmsHandler::get_catalog(GetCatalogResponse& _return, const GetCatalogRequest& catName) {
  using E = ARBOR_HMS_THROWS(get_catalog);
  if (!catName.__isset.name || catName.name != kHiveCatalog) {
    Raise<E>(Status::NotFound("No catalog " +
                              (catName.__isset.name ? catName.name : std::string()) +
                              " (Arbor serves the catalog 'hive')"));
  }
  Catalog c;
  c.__set_name(kHiveCatalog);
  c.__set_description("Hive catalog, versioned by Arbor");
  c.__set_locationUri(context_->options.warehouse);
  c.__set_createTime(static_cast<int32_t>(context_->started_at_seconds));
  _return.__set_catalog(c);
}

void HmsHandler::get_catalogs(GetCatalogsResponse& _return) {
  _return.__set_names({kHiveCatalog});
}

}  // namespace arbor::hms
