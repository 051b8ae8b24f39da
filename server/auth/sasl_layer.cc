#include "server/auth/sasl_layer.h"

#include <sasl/sasl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <mutex>

namespace arbor::auth {

namespace {

// Cyrus declares callbacks as int(*)(void) whatever their real signature.
using SaslProc = int (*)(void);
template <typename F>
SaslProc AsProc(F* f) {
  // Through void(*)(), the generic function pointer, which the compiler accepts
  // as a cast between function types.
  return reinterpret_cast<SaslProc>(reinterpret_cast<void (*)()>(f));
}

enum : uint8_t { kStart = 1, kOk = 2, kBad = 3, kError = 4, kComplete = 5 };

uint32_t ReadBigEndian32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
}

void AppendBigEndian32(uint32_t n, std::string* out) {
  const char b[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                     static_cast<char>(n >> 8), static_cast<char>(n)};
  out->append(b, 4);
}

void AppendMessage(uint8_t status, std::string_view payload, std::string* out) {
  out->push_back(static_cast<char>(status));
  AppendBigEndian32(static_cast<uint32_t>(payload.size()), out);
  out->append(payload);
}

// Cyrus's own log lines go to debug: our failure lines carry the outcome.
int LogCallback(void*, int level, const char* message) {
  if (level <= SASL_LOG_ERR) {
    spdlog::debug("sasl: {}", message ? message : "");
  } else {
    spdlog::trace("sasl: {}", message ? message : "");
  }
  return SASL_OK;
}

// PLAIN: the users file decides. Returning a failure here also lets Cyrus try
// its own password checks, which the options below point at nothing.
int CheckPassCallback(sasl_conn_t*, void* context, const char* user, const char* pass,
                      unsigned passlen, struct propctx*) {
  const auto* users = static_cast<const UserDirectory*>(context);
  if (users == nullptr || user == nullptr || pass == nullptr) return SASL_BADAUTH;
  return users->CheckPassword(user, std::string_view(pass, passlen)) ? SASL_OK : SASL_BADAUTH;
}

// No proxying through SASL (set_ugi and proxy= do that, visibly): the
// authorization id, when a client sends one, must name the authenticated
// principal itself, with or without the service's realm (Cyrus drops the
// realm of local principals from the authenticated name; some clients send it).
int ProxyPolicyCallback(sasl_conn_t* conn, void* context, const char* requested, unsigned rlen,
                        const char* authenticated, unsigned alen, const char*, unsigned,
                        struct propctx*) {
  const auto* options = static_cast<const SaslOptions*>(context);
  std::string_view want(requested ? requested : "", requested ? rlen : 0);
  std::string_view have(authenticated ? authenticated : "", authenticated ? alen : 0);
  if (want == have) return SASL_OK;
  if (options != nullptr && !options->realm.empty() &&
      want == std::string(have) + "@" + options->realm) {
    return SASL_OK;
  }
  sasl_seterror(conn, 0, "Requested identity not authenticated identity");
  return SASL_BADAUTH;
}

int GetOptCallback(void*, const char*, const char* option, const char** result, unsigned* len) {
  // No sasldb, saslauthd or other password store behind PLAIN: only the callback.
  if (std::strcmp(option, "auxprop_plugin") == 0) {
    *result = "arbor-none";
  } else if (std::strcmp(option, "pwcheck_method") == 0) {
    *result = "auxprop";
  } else {
    return SASL_FAIL;
  }
  if (len) *len = static_cast<unsigned>(std::strlen(*result));
  return SASL_OK;
}

class SaslLayer : public ConnectionLayer {
 public:
  SaslLayer(const SaslOptions* options, sasl_conn_t* conn, std::string peer)
      : options_(options), conn_(conn), peer_(std::move(peer)) {}
  ~SaslLayer() override { sasl_dispose(&conn_); }

  Status Receive(std::string_view in, std::string* up, std::string* down) override {
    buf_.append(in);
    size_t used = 0;
    Status s = state_ == State::kData ? Unframe(&used, up) : Negotiate(&used, up, down);
    buf_.erase(0, used);
    return s;
  }

  Status Send(std::string_view out, std::string* down) override {
    if (!wrap_) {
      AppendBigEndian32(static_cast<uint32_t>(out.size()), down);
      down->append(out);
      return Status::OK();
    }
    while (!out.empty()) {
      const size_t n = std::min<size_t>(out.size(), max_out_);
      const char* encoded = nullptr;
      unsigned encoded_len = 0;
      if (sasl_encode(conn_, out.data(), static_cast<unsigned>(n), &encoded, &encoded_len) !=
          SASL_OK) {
        return Status::Internal("sasl_encode: " + std::string(sasl_errdetail(conn_)));
      }
      down->append(encoded, encoded_len);  // holds its own 4-byte length
      out.remove_prefix(n);
    }
    return Status::OK();
  }

  bool ready() const override { return state_ == State::kData; }
  size_t buffered() const override { return buf_.size(); }
  const char* handshake_failure() const override { return "unauthenticated"; }
  Identity identity() const override { return identity_; }

 private:
  enum class State { kStart, kInitial, kStep, kData };

  // Handshake messages, then (once done) any data frames that followed them.
  Status Negotiate(size_t* used, std::string* up, std::string* down) {
    while (state_ != State::kData) {
      if (state_ == State::kStart && *used < buf_.size() &&
          static_cast<uint8_t>(buf_[*used]) != kStart) {
        return Status::InvalidArgument(
            "the client did not open with a SASL handshake, and this server requires one "
            "(Hive: hive.metastore.sasl.enabled=true, or metastore.client.auth.mode=PLAIN)");
      }
      if (buf_.size() - *used < 5) return Status::OK();
      const uint8_t status = static_cast<uint8_t>(buf_[*used]);
      const uint32_t length = ReadBigEndian32(buf_.data() + *used + 1);
      if (length > options_->max_negotiation_bytes) {
        return Fail(down, "SASL negotiation message of " + std::to_string(length) +
                              " bytes, over the limit of " +
                              std::to_string(options_->max_negotiation_bytes));
      }
      if (buf_.size() - *used - 5 < length) return Status::OK();
      std::string_view payload(buf_.data() + *used + 5, length);
      *used += 5 + length;
      ARBOR_RETURN_IF_ERROR(Step(status, payload, down));
    }
    return Unframe(used, up);
  }

  Status Step(uint8_t status, std::string_view payload, std::string* down) {
    if (status == kBad || status == kError) {
      return Status::InvalidArgument("the client gave up the SASL handshake: " +
                                     std::string(payload.substr(0, 200)));
    }
    if (state_ == State::kStart) {
      mechanism_ = std::string(payload);
      if (std::find(options_->mechanisms.begin(), options_->mechanisms.end(), mechanism_) ==
          options_->mechanisms.end()) {
        std::string offered;
        for (const auto& m : options_->mechanisms)
          offered += (offered.empty() ? "" : ", ") + m;
        return Fail(down,
                    "SASL mechanism '" + mechanism_.substr(0, 40) +
                        "' is not offered (offered: " + offered + ")",
                    /*tell_client=*/true);
      }
      state_ = State::kInitial;
      return Status::OK();
    }
    if (status != kOk && status != kComplete) {
      return Fail(down, "unexpected SASL status " + std::to_string(status));
    }
    const char* out = nullptr;
    unsigned out_len = 0;
    int rc;
    if (state_ == State::kInitial) {
      rc = sasl_server_start(conn_, mechanism_.c_str(), payload.empty() ? nullptr : payload.data(),
                             static_cast<unsigned>(payload.size()), &out, &out_len);
      state_ = State::kStep;
    } else {
      rc = sasl_server_step(conn_, payload.data(), static_cast<unsigned>(payload.size()), &out,
                            &out_len);
    }
    std::string_view reply(out ? out : "", out ? out_len : 0);
    if (rc == SASL_CONTINUE) {
      AppendMessage(kOk, reply, down);
      return Status::OK();
    }
    if (rc != SASL_OK) {
      return Fail(down, mechanism_ + " authentication failed: " + sasl_errdetail(conn_));
    }
    ARBOR_RETURN_IF_ERROR(Established());
    AppendMessage(kComplete, reply, down);
    return Status::OK();
  }

  // The mechanism succeeded: who it was, and whether a security layer wraps data.
  Status Established() {
    const void* value = nullptr;
    if (sasl_getprop(conn_, SASL_USERNAME, &value) != SASL_OK || value == nullptr) {
      return Status::Internal("SASL authenticated no user name");
    }
    std::string name = static_cast<const char*>(value);
    identity_.method = mechanism_ == "GSSAPI" ? AuthMethod::kKerberos : AuthMethod::kPassword;
    if (identity_.method == AuthMethod::kKerberos) {
      // Cyrus leaves the realm off names of the server's own realm.
      identity_.principal = name.find('@') == std::string::npos && !options_->realm.empty()
                                ? name + "@" + options_->realm
                                : name;
      identity_.user = ShortName(identity_.principal, options_->realm);
    } else {
      identity_.principal = name;
      identity_.user = name;
    }
    const void* ssf = nullptr;
    if (sasl_getprop(conn_, SASL_SSF, &ssf) == SASL_OK && ssf != nullptr) {
      wrap_ = *static_cast<const sasl_ssf_t*>(ssf) > 0;
    }
    const void* max_out = nullptr;
    if (wrap_ && sasl_getprop(conn_, SASL_MAXOUTBUF, &max_out) == SASL_OK && max_out != nullptr) {
      max_out_ = std::max<unsigned>(1024, *static_cast<const unsigned*>(max_out));
    }
    state_ = State::kData;
    spdlog::info("thrift: {} authenticated as '{}' ({}{})", peer_, identity_.principal, mechanism_,
                 wrap_ ? ", with a SASL security layer" : "");
    return Status::OK();
  }

  // Answers BAD and returns the failure (the listener logs it and closes). The
  // client learns only that authentication failed, unless `tell_client`.
  Status Fail(std::string* down, std::string message, bool tell_client = false) {
    AppendMessage(kBad, tell_client ? message : "authentication failed", down);
    return Status::InvalidArgument(message);
  }

  Status Unframe(size_t* used, std::string* up) {
    while (buf_.size() - *used >= 4) {
      const uint32_t length = ReadBigEndian32(buf_.data() + *used);
      if (length > options_->max_frame_bytes) {
        return Status::InvalidArgument(
            "a SASL frame of " + std::to_string(length) + " bytes, over the limit of " +
            std::to_string(options_->max_frame_bytes) + " (--max-message-bytes)");
      }
      if (buf_.size() - *used - 4 < length) return Status::OK();
      if (wrap_) {
        const char* plain = nullptr;
        unsigned plain_len = 0;
        if (sasl_decode(conn_, buf_.data() + *used, length + 4, &plain, &plain_len) != SASL_OK) {
          return Status::InvalidArgument("a SASL frame does not decode: " +
                                         std::string(sasl_errdetail(conn_)));
        }
        up->append(plain, plain_len);
      } else {
        up->append(buf_, *used + 4, length);
      }
      *used += 4 + length;
    }
    return Status::OK();
  }

  const SaslOptions* options_;
  sasl_conn_t* conn_;
  std::string peer_;
  State state_ = State::kStart;
  std::string mechanism_;
  std::string buf_;
  bool wrap_ = false;
  unsigned max_out_ = 65536;
  Identity identity_;
};

}  // namespace

struct SaslServer::Callbacks {
  sasl_callback_t list[5];
};

Status ParseServicePrincipal(std::string_view principal, SaslOptions* options) {
  size_t slash = principal.find('/');
  size_t at = principal.rfind('@');
  if (slash == std::string_view::npos || at == std::string_view::npos || slash == 0 ||
      at < slash + 2 || at + 1 == principal.size()) {
    return Status::InvalidArgument("--kerberos-principal must be service/host@REALM, got '" +
                                   std::string(principal) + "'");
  }
  options->service = std::string(principal.substr(0, slash));
  options->host = std::string(principal.substr(slash + 1, at - slash - 1));
  options->realm = std::string(principal.substr(at + 1));
  return Status::OK();
}

SaslServer::SaslServer(SaslOptions options)
    : options_(std::move(options)), callbacks_(std::make_unique<Callbacks>()) {}

SaslServer::~SaslServer() = default;

Result<std::unique_ptr<SaslServer>> SaslServer::Create(SaslOptions options) {
  if (options.mechanisms.empty()) return Status::InvalidArgument("no SASL mechanism to offer");
  for (const auto& m : options.mechanisms) {
    if (m != "GSSAPI" && m != "PLAIN") {
      return Status::InvalidArgument("SASL mechanism '" + m + "' is not supported (GSSAPI, PLAIN)");
    }
  }
  // Cyrus SASL's plugin table is process-wide: initialize it once.
  static std::once_flag once;
  static int init_rc = SASL_OK;
  std::call_once(once, [] {
    static sasl_callback_t global[] = {{SASL_CB_LOG, AsProc(&LogCallback), nullptr},
                                       {SASL_CB_GETOPT, AsProc(&GetOptCallback), nullptr},
                                       {SASL_CB_LIST_END, nullptr, nullptr}};
    init_rc = sasl_server_init(global, "arbord");
  });
  if (init_rc != SASL_OK) {
    return Status::Unavailable("cannot initialize Cyrus SASL: " +
                               std::string(sasl_errstring(init_rc, nullptr, nullptr)));
  }
  auto server = std::unique_ptr<SaslServer>(new SaslServer(std::move(options)));
  server->callbacks_->list[0] = {SASL_CB_LOG, AsProc(&LogCallback), nullptr};
  server->callbacks_->list[1] = {SASL_CB_GETOPT, AsProc(&GetOptCallback), nullptr};
  server->callbacks_->list[2] = {SASL_CB_SERVER_USERDB_CHECKPASS, AsProc(&CheckPassCallback),
                                 const_cast<UserDirectory*>(server->options_.users)};
  server->callbacks_->list[3] = {SASL_CB_PROXY_POLICY, AsProc(&ProxyPolicyCallback),
                                 const_cast<SaslOptions*>(&server->options_)};
  server->callbacks_->list[4] = {SASL_CB_LIST_END, nullptr, nullptr};
  // A mechanism that cannot load (GSSAPI without its plugin) fails here, not at
  // the first client.
  const char* const* mechs = sasl_global_listmech();
  for (const auto& m : server->options_.mechanisms) {
    bool found = false;
    for (const char* const* p = mechs; p != nullptr && *p != nullptr; ++p)
      found = found || m == *p;
    if (!found) {
      return Status::Unavailable("Cyrus SASL has no " + m + " plugin (install libsasl2-modules" +
                                 (m == "GSSAPI" ? "-gssapi-mit" : "") + ")");
    }
  }
  return server;
}

Result<std::unique_ptr<ConnectionLayer>> SaslServer::NewLayer(const std::string& peer) const {
  sasl_conn_t* conn = nullptr;
  const char* host = options_.host.empty() ? nullptr : options_.host.c_str();
  int rc = sasl_server_new(options_.service.c_str(), host, nullptr, nullptr, nullptr,
                           callbacks_->list, 0, &conn);
  if (rc != SASL_OK) {
    return Status::Unavailable("sasl_server_new: " +
                               std::string(sasl_errstring(rc, nullptr, nullptr)));
  }
  sasl_security_properties_t props{};
  props.min_ssf = 0;
  props.max_ssf = 256;  // the client chooses: auth, auth-int or auth-conf
  props.maxbufsize = 0xFFFFFF;
  props.security_flags = SASL_SEC_NOANONYMOUS;
  sasl_setprop(conn, SASL_SEC_PROPS, &props);
  return std::unique_ptr<ConnectionLayer>(new SaslLayer(&options_, conn, peer));
}

}  // namespace arbor::auth
