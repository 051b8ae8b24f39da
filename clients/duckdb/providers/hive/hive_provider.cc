#include "clients/duckdb/providers/hive/hive_provider.h"

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSocket.h>
#include <thrift/transport/TTransportException.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <deque>
#include <memory>

#include "ThriftHiveMetastore.h"

namespace arbor::metastore {
namespace {

namespace hive = Apache::Hadoop::Hive;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::transport::TBufferedTransport;
using apache::thrift::transport::TSocket;
using apache::thrift::transport::TTransportException;

constexpr uint32_t kReadBufferBytes = 64 << 10;
constexpr uint32_t kWriteBufferBytes = 4 << 10;

struct HostPort {
  std::string host;
  int port = 9083;
};

Result<HostPort> ParseEndpoint(const std::string& endpoint) {
  std::string rest = endpoint.substr(endpoint.find("://") + 3);
  while (!rest.empty() && rest.back() == '/')
    rest.pop_back();
  HostPort hp;
  auto colon = rest.rfind(':');
  if (rest.empty() || colon == 0) {
    return Status::InvalidArgument("hive endpoint '" + endpoint + "' names no host");
  }
  if (colon == std::string::npos) {
    hp.host = rest;
    return hp;
  }
  hp.host = rest.substr(0, colon);
  std::string port = rest.substr(colon + 1);
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), hp.port);
  if (ec != std::errc() || end != port.data() + port.size() || hp.port <= 0 || hp.port > 65535) {
    return Status::InvalidArgument("hive endpoint '" + endpoint + "' has an invalid port");
  }
  return hp;
}

Column ToColumn(const hive::FieldSchema& f) {
  return Column{f.name, f.type, f.comment};
}

// The generated writer sends a field only when its __isset flag is set, so
// every field is assigned through its __set_ method.
hive::FieldSchema ToField(const Column& c) {
  hive::FieldSchema f;
  f.__set_name(c.name);
  f.__set_type(c.type);
  if (!c.comment.empty()) f.__set_comment(c.comment);
  return f;
}

StorageDescriptor ToStorage(const hive::StorageDescriptor& sd) {
  StorageDescriptor out;
  out.location = sd.location;
  out.input_format = sd.inputFormat;
  out.output_format = sd.outputFormat;
  out.serde = sd.serdeInfo.serializationLib;
  out.serde_parameters = sd.serdeInfo.parameters;
  for (const auto& f : sd.cols)
    out.columns.push_back(ToColumn(f));
  return out;
}

hive::StorageDescriptor FromStorage(const StorageDescriptor& sd) {
  hive::StorageDescriptor out;
  std::vector<hive::FieldSchema> cols;
  for (const auto& c : sd.columns)
    cols.push_back(ToField(c));
  out.__set_cols(cols);
  if (!sd.location.empty()) out.__set_location(sd.location);
  out.__set_inputFormat(sd.input_format);
  out.__set_outputFormat(sd.output_format);
  out.__set_compressed(false);
  out.__set_numBuckets(-1);
  hive::SerDeInfo serde;
  serde.__set_serializationLib(sd.serde);
  serde.__set_parameters(sd.serde_parameters);
  out.__set_serdeInfo(serde);
  out.__set_bucketCols({});
  out.__set_sortCols({});
  out.__set_parameters({});
  return out;
}

Table ToTable(const hive::Table& t) {
  Table out;
  out.namespace_name = t.dbName;
  out.name = t.tableName;
  out.table_type = t.tableType;
  out.owner = t.owner;
  out.storage = ToStorage(t.sd);
  for (const auto& f : t.partitionKeys)
    out.partition_columns.push_back(ToColumn(f));
  out.properties = t.parameters;
  out.statistics = StatisticsFromParameters(t.parameters);
  out.view_text = t.viewExpandedText.empty() ? t.viewOriginalText : t.viewExpandedText;
  return out;
}

hive::Table FromTable(const Table& t) {
  hive::Table out;
  out.__set_dbName(t.namespace_name);
  out.__set_tableName(t.name);
  out.__set_tableType(t.table_type.empty() ? "EXTERNAL_TABLE" : t.table_type);
  if (!t.owner.empty()) out.__set_owner(t.owner);
  out.__set_sd(FromStorage(t.storage));
  std::vector<hive::FieldSchema> keys;
  for (const auto& c : t.partition_columns)
    keys.push_back(ToField(c));
  out.__set_partitionKeys(keys);
  auto params = t.properties;
  if (out.tableType == "EXTERNAL_TABLE") params["EXTERNAL"] = "TRUE";
  out.__set_parameters(params);
  return out;
}

Partition ToPartition(const hive::Partition& p) {
  Partition out;
  out.values = p.values;
  out.storage = ToStorage(p.sd);
  out.properties = p.parameters;
  out.statistics = StatisticsFromParameters(p.parameters);
  return out;
}

// HMS filter syntax: strings double-quoted (backslash-escaped), integers bare.
std::string RenderLiteral(const std::string& literal, bool numeric) {
  if (numeric) return literal;
  std::string out = "\"";
  for (char c : literal) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// The predicate in HMS filter syntax, or nullopt when a term has no HMS
// spelling (null tests: Hive's filter grammar has none).
std::optional<std::string> RenderFilter(const PartitionPredicate& predicate) {
  using Op = PartitionTerm::Op;
  std::string out;
  for (const PartitionTerm& term : predicate.terms) {
    std::string part;
    auto cmp = [&](const char* op, const std::string& lit) {
      return term.column + " " + op + " " + RenderLiteral(lit, term.numeric);
    };
    switch (term.op) {
      case Op::kEq:
        part = cmp("=", term.literals.at(0));
        break;
      case Op::kNe:
        part = cmp("<>", term.literals.at(0));
        break;
      case Op::kLt:
        part = cmp("<", term.literals.at(0));
        break;
      case Op::kLe:
        part = cmp("<=", term.literals.at(0));
        break;
      case Op::kGt:
        part = cmp(">", term.literals.at(0));
        break;
      case Op::kGe:
        part = cmp(">=", term.literals.at(0));
        break;
      case Op::kIn:
        for (const std::string& lit : term.literals) {
          part += (part.empty() ? "(" : " OR ") + cmp("=", lit);
        }
        part += ")";
        break;
      default:
        return std::nullopt;
    }
    out += (out.empty() ? "" : " AND ") + part;
  }
  return out;
}

// Hive's partition-name escaping (FileUtils.unescapePathName): %XX.
std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '%' && i + 2 < s.size() + 0 && i + 2 <= s.size() - 1) {
      int v = 0;
      auto [end, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec == std::errc() && end == s.data() + i + 3) {
        out += static_cast<char>(v);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// "a=1/b=x%2Fy" -> {"1", "x/y"}.
std::vector<std::string> ValuesOfName(const std::string& name) {
  std::vector<std::string> values;
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    std::string kv =
        name.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    auto eq = kv.find('=');
    values.push_back(Unescape(eq == std::string::npos ? kv : kv.substr(eq + 1)));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return values;
}

class HiveProvider : public MetastoreProvider {
 public:
  HiveProvider(ProviderConfig config, HostPort hp)
      : config_(std::move(config)), hp_(std::move(hp)) {}

  std::string_view name() const override { return "hive"; }
  ProviderCapabilities capabilities() const override {
    return ProviderCapabilities{
        .writes = true, .partition_filter_pushdown = true, .refs = true, .pipelining = true};
  }

  Result<std::vector<std::string>> ListNamespaces() override {
    std::vector<std::string> out;
    ARBOR_RETURN_IF_ERROR(Call("get_all_databases", [&](auto& c) { c.get_all_databases(out); }));
    return out;
  }

  Result<Namespace> GetNamespace(const std::string& name) override {
    hive::Database db;
    ARBOR_RETURN_IF_ERROR(Call("get_database", [&](auto& c) { c.get_database(db, name); }));
    return Namespace{db.name, db.locationUri, db.description, db.parameters};
  }

  Result<std::vector<std::string>> ListTables(const std::string& ns) override {
    std::vector<std::string> out;
    ARBOR_RETURN_IF_ERROR(Call("get_all_tables", [&](auto& c) { c.get_all_tables(out, ns); }));
    return out;
  }

  Result<Table> GetTable(const std::string& ns, const std::string& table) override {
    // Hive 4's metastore dropped get_table; get_table_req exists since Hive 3.
    // Older servers answer "Invalid method name", and get_table is used from then on.
    if (use_table_req_) {
      Result<Table> got = Table();
      Status st = Call("get_table_req", [&](auto& c) {
        SendTable(c, true, ns, table);
        got = ReceiveTable(c, true, ns);
      });
      if (st.ok()) return got;
      if (st.message().find("Invalid method name") == std::string::npos) return st;
      use_table_req_ = false;
    }
    Result<Table> got = Table();
    ARBOR_RETURN_IF_ERROR(Call("get_table", [&](auto& c) {
      SendTable(c, false, ns, table);
      got = ReceiveTable(c, false, ns);
    }));
    return got;
  }

  Status SendGetTable(std::shared_ptr<PendingTable> pending) override {
    const bool req = use_table_req_;
    // No answer is read here (ReadAheadOn is not called): the request just
    // joins those in flight.
    Status st = CallOnce(req ? "get_table_req (ahead)" : "get_table (ahead)", [&](auto& c) {
      SendTable(c, req, pending->namespace_name, pending->table);
    });
    if (st.ok()) ahead_.push_back(Ahead{std::move(pending), req});
    return st;
  }

  void ReadAhead() override {
    if (ahead_.empty()) return;
    // A failure here is already each answer's (ReadAheadOn); the call's own
    // status adds nothing.
    (void)CallOnce("read ahead", [&](auto& c) { ReadAheadOn(c); });
  }

  Result<PartitionListing> ListPartitions(const Table& table,
                                          const PartitionPredicate* predicate) override {
    PartitionListing listing;
    std::vector<hive::Partition> parts;
    const std::string& ns = table.namespace_name;
    if (predicate == nullptr || predicate->empty()) {
      ARBOR_RETURN_IF_ERROR(CallPipelined(
          "get_partitions", [&](auto& c) { c.send_get_partitions(ns, table.name, -1); },
          [&](auto& c) { c.recv_get_partitions(parts); }));
      listing.pushed_down = true;
    } else if (auto filter = RenderFilter(*predicate)) {
      // The listing is sent before the answers ahead of it are read, so a
      // table validated ahead and its listing share one round trip.
      Status st = CallPipelined(
          "get_partitions_by_filter",
          [&](auto& c) { c.send_get_partitions_by_filter(ns, table.name, *filter, -1); },
          [&](auto& c) { c.recv_get_partitions_by_filter(parts); });
      if (st.ok()) {
        listing.pushed_down = true;
      } else if (st.code() == StatusCode::kInvalidArgument) {
        listing.note = "server refused filter [" + *filter + "]: " + st.message();
      } else {
        return st;
      }
    } else {
      listing.note = "filter has no HMS spelling: " + predicate->ToString();
    }
    if (!listing.pushed_down) {
      // Names, local pruning, then only the survivors.
      std::vector<std::string> names, keep;
      ARBOR_RETURN_IF_ERROR(Call("get_partition_names", [&](auto& c) {
        c.get_partition_names(names, ns, table.name, -1);
      }));
      for (const std::string& n : names) {
        if (predicate->Matches(table.partition_columns, ValuesOfName(n))) keep.push_back(n);
      }
      constexpr size_t kBatch = 1000;
      for (size_t i = 0; i < keep.size(); i += kBatch) {
        std::vector<std::string> batch(keep.begin() + i,
                                       keep.begin() + std::min(keep.size(), i + kBatch));
        std::vector<hive::Partition> got;
        ARBOR_RETURN_IF_ERROR(Call("get_partitions_by_names", [&](auto& c) {
          c.get_partitions_by_names(got, ns, table.name, batch);
        }));
        for (auto& p : got)
          parts.push_back(std::move(p));
      }
    }
    for (const auto& p : parts) {
      Partition part = ToPartition(p);
      // Exactness: the server's filter semantics may be wider than ours.
      if (predicate && !predicate->Matches(table.partition_columns, part.values)) continue;
      listing.partitions.push_back(std::move(part));
    }
    return listing;
  }

  Result<Statistics> GetStatistics(const std::string& ns, const std::string& table) override {
    ARBOR_ASSIGN_OR_RETURN(Table t, GetTable(ns, table));
    return t.statistics;
  }

  Status CreateNamespace(const Namespace& ns) override {
    hive::Database db;
    db.__set_name(ns.name);
    if (!ns.location.empty()) db.__set_locationUri(ns.location);
    if (!ns.description.empty()) db.__set_description(ns.description);
    db.__set_parameters(ns.properties);
    return Call("create_database", [&](auto& c) { c.create_database(db); });
  }

  Status DropNamespace(const std::string& name, bool cascade) override {
    return Call("drop_database", [&](auto& c) { c.drop_database(name, false, cascade); });
  }

  Status CreateTable(const Table& table) override {
    hive::Table t = FromTable(table);
    if (t.owner.empty() && config_.Has("user")) t.__set_owner(config_.Get("user"));
    if (config_.debug) {
      std::string cols;
      for (const auto& c : t.sd.cols)
        cols += " " + c.name + ":" + c.type;
      for (const auto& c : t.partitionKeys)
        cols += " [" + c.name + ":" + c.type + "]";
      std::fprintf(stderr, "[arbor hive] create_table %s.%s at '%s':%s\n", t.dbName.c_str(),
                   t.tableName.c_str(), t.sd.location.c_str(), cols.c_str());
    }
    return Call("create_table", [&](auto& c) { c.create_table(t); });
  }

  Status DropTable(const std::string& ns, const std::string& table) override {
    // deleteData=false: the extension never deletes files it did not write.
    return Call("drop_table", [&](auto& c) { c.drop_table(ns, table, false); });
  }

  Status AlterTable(const Table& table) override {
    hive::Table t = FromTable(table);
    return Call("alter_table",
                [&](auto& c) { c.alter_table(table.namespace_name, table.name, t); });
  }

  Status AddPartitions(const Table& table, const std::vector<Partition>& partitions) override {
    if (partitions.empty()) return Status::OK();
    hive::AddPartitionsRequest req;
    req.__set_dbName(table.namespace_name);
    req.__set_tblName(table.name);
    req.__set_ifNotExists(true);
    req.__set_needResult(false);
    std::vector<hive::Partition> parts;
    for (const Partition& p : partitions) {
      hive::Partition hp;
      hp.__set_dbName(table.namespace_name);
      hp.__set_tableName(table.name);
      hp.__set_values(p.values);
      hp.__set_sd(FromStorage(p.storage));
      hp.__set_parameters(p.properties);
      parts.push_back(std::move(hp));
    }
    req.__set_parts(parts);
    hive::AddPartitionsResult result;
    return Call("add_partitions_req", [&](auto& c) { c.add_partitions_req(result, req); });
  }

 private:
  Status Connect() {
    if (client_) return Status::OK();
    auto socket = std::make_shared<TSocket>(hp_.host, hp_.port);
    socket->setConnTimeout(static_cast<int>(config_.connect_timeout.count()));
    socket->setRecvTimeout(static_cast<int>(config_.timeout.count()));
    socket->setSendTimeout(static_cast<int>(config_.timeout.count()));
    // Thrift's default 512-byte read buffer takes a listing's reply in as many
    // recv calls as it has 512-byte pieces; one buffer the size of a typical
    // reply reads it in one or two.
    auto transport =
        std::make_shared<TBufferedTransport>(socket, kReadBufferBytes, kWriteBufferBytes);
    try {
      transport->open();
    } catch (const std::exception& e) {
      return Status::Unavailable("cannot reach the Hive metastore at " + config_.endpoint + ": " +
                                 e.what());
    }
    transport_ = transport;
    client_ = std::make_unique<hive::ThriftHiveMetastoreClient>(
        std::make_shared<TBinaryProtocol>(transport));
    return Status::OK();
  }

  void Disconnect() {
    for (Ahead& a : ahead_) {
      a.pending->answer =
          Status::Unavailable("the connection to the Hive metastore at " + config_.endpoint +
                              " closed before the answer was read");
    }
    ahead_.clear();
    client_.reset();
    if (transport_) {
      try {
        transport_->close();
      } catch (...) {
      }
    }
    transport_.reset();
  }

  // Runs one call, mapping HMS exceptions to Status codes, after reading the
  // answers sent ahead of it. A transport error drops the connection (the
  // next call reconnects). A read (get_*) whose connection, opened by an
  // earlier call, turned out closed is retried once on a new one: the
  // metastore may have restarted since. Timeouts and writes are not retried
  // (a write may have reached the server).
  template <typename F>
  Status Call(const char* method, F&& fn) {
    return Retried(method, [&](auto& c) {
      ReadAheadOn(c);
      fn(c);
    });
  }

  // Call, for a request sent before the answers ahead of it are read, so
  // that it travels with them.
  template <typename Send, typename Receive>
  Status CallPipelined(const char* method, Send&& send, Receive&& receive) {
    return Retried(method, [&](auto& c) {
      send(c);
      ReadAheadOn(c);
      receive(c);
    });
  }

  template <typename F>
  Status Retried(const char* method, F&& fn) {
    const bool reused = client_ != nullptr;
    Status st = CallOnce(method, fn);
    if (st.code() == StatusCode::kUnavailable && reused && connection_lost_ &&
        std::string_view(method).substr(0, 4) == "get_") {
      st = CallOnce(method, fn);
    }
    return st;
  }

  template <typename F>
  Status CallOnce(const char* method, F&& fn) {
    connection_lost_ = false;
    ARBOR_RETURN_IF_ERROR(Connect());
    auto start = std::chrono::steady_clock::now();
    struct Log {
      const ProviderConfig& config;
      const char* method;
      std::chrono::steady_clock::time_point start;
      ~Log() {
        if (!config.debug) return;
        std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
        std::fprintf(stderr, "[arbor hive] %s %s %.3f ms\n", config.endpoint.c_str(), method,
                     took.count());
      }
    } log{config_, method, start};
    try {
      fn(*client_);
      return Status::OK();
    } catch (const TTransportException& e) {
      connection_lost_ = e.getType() != TTransportException::TIMED_OUT;
      Disconnect();
      return Status::Unavailable(std::string("Hive metastore at ") + config_.endpoint +
                                 " failed during " + method + ": " + e.what());
    } catch (const std::exception& e) {
      if (auto st = HmsStatus(e)) return *st;
      Disconnect();
      return Status::Internal(std::string(method) + ": " + e.what());
    }
  }

  // The Status of an exception the metastore answered with, or nullopt for
  // anything else (the connection's state is then unknown).
  static std::optional<Status> HmsStatus(const std::exception& e) {
    if (auto* x = dynamic_cast<const hive::NoSuchObjectException*>(&e))
      return Status::NotFound(x->message);
    if (auto* x = dynamic_cast<const hive::UnknownDBException*>(&e))
      return Status::NotFound(x->message);
    if (auto* x = dynamic_cast<const hive::UnknownTableException*>(&e))
      return Status::NotFound(x->message);
    if (auto* x = dynamic_cast<const hive::AlreadyExistsException*>(&e))
      return Status::AlreadyExists(x->message);
    if (auto* x = dynamic_cast<const hive::InvalidObjectException*>(&e))
      return Status::InvalidArgument(x->message);
    if (auto* x = dynamic_cast<const hive::InvalidOperationException*>(&e))
      return ClassifyMeta(x->message);
    if (auto* x = dynamic_cast<const hive::MetaException*>(&e)) return ClassifyMeta(x->message);
    return std::nullopt;
  }

  // get_table_req (req) or get_table, split so that the request can be sent
  // ahead of reading its answer.
  static void SendTable(hive::ThriftHiveMetastoreClient& c, bool req, const std::string& ns,
                        const std::string& table) {
    if (!req) return c.send_get_table(ns, table);
    hive::GetTableRequest request;
    request.__set_dbName(ns);
    request.__set_tblName(table);
    c.send_get_table_req(request);
  }
  static Table ReceiveTable(hive::ThriftHiveMetastoreClient& c, bool req, const std::string& ns) {
    Table out;
    if (req) {
      hive::GetTableResult result;
      c.recv_get_table_req(result);
      out = ToTable(result.table);
    } else {
      hive::Table t;
      c.recv_get_table(t);
      out = ToTable(t);
    }
    // Under the name we were asked (it may carry a ref the server dropped).
    out.namespace_name = ns;
    return out;
  }

  // Reads the answers sent ahead, in order, each into its PendingTable: an
  // exception the metastore answered with is that answer's; anything else
  // leaves the connection's state unknown and propagates (Disconnect then
  // fails the answers behind it).
  void ReadAheadOn(hive::ThriftHiveMetastoreClient& c) {
    while (!ahead_.empty()) {
      Ahead a = std::move(ahead_.front());
      ahead_.pop_front();
      try {
        a.pending->answer = ReceiveTable(c, a.req, a.pending->namespace_name);
      } catch (const std::exception& e) {
        auto st = HmsStatus(e);
        if (st) {
          a.pending->answer = *st;
          continue;
        }
        a.pending->answer =
            Status::Unavailable("Hive metastore at " + config_.endpoint + " failed during " +
                                (a.req ? "get_table_req: " : "get_table: ") + e.what());
        throw;
      }
    }
  }

  // MetaException carries everything else; Arbor's read-only refusal says so
  // in its message, which is how a write to a tag is told apart.
  static Status ClassifyMeta(const std::string& message) {
    if (message.find("read-only") != std::string::npos ||
        message.find("ReadOnly") != std::string::npos ||
        message.find("is a tag") != std::string::npos) {
      return Status::ReadOnly(message);
    }
    return Status::InvalidArgument(message);
  }

  ProviderConfig config_;
  HostPort hp_;
  bool use_table_req_ = true;
  std::shared_ptr<TBufferedTransport> transport_;
  std::unique_ptr<hive::ThriftHiveMetastoreClient> client_;
  bool connection_lost_ = false;  // the last call's connection broke (not a timeout)
  struct Ahead {
    std::shared_ptr<PendingTable> pending;
    bool req;  // sent as get_table_req, else get_table
  };
  std::deque<Ahead> ahead_;  // sent, answers not read yet; in the connection's order
};

}  // namespace

ProviderFactory HiveProviderFactory() {
  ProviderFactory f;
  f.name = "hive";
  f.description = "Hive Metastore over Thrift (Arbor or any HMS)";
  f.uri_schemes = {"thrift"};
  f.options = {{"user", "owner recorded on tables the extension creates", false, false}};
  f.validate = [](const ProviderConfig& config) -> Status {
    return ParseEndpoint(config.endpoint).status();
  };
  f.auth_method = [](const ProviderConfig& config) -> std::string {
    std::string user = config.Get("user");
    return user.empty() ? "none (unauthenticated Thrift)"
                        : "none (unauthenticated Thrift), user " + user;
  };
  f.create = [](const ProviderConfig& config) -> Result<std::unique_ptr<MetastoreProvider>> {
    ARBOR_ASSIGN_OR_RETURN(HostPort hp, ParseEndpoint(config.endpoint));
    return std::unique_ptr<MetastoreProvider>(new HiveProvider(config, hp));
  };
  return f;
}

}  // namespace arbor::metastore
