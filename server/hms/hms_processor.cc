#include "server/hms/hms_processor.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <thrift/TApplicationException.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TTransportException.h>
#include <thrift/transport/TVirtualTransport.h>

#include "server/hms/hms_handler.h"

namespace arbor::hms {
namespace {

namespace hive = ::Apache::Hadoop::Hive;
using apache::thrift::TApplicationException;
using apache::thrift::TProcessor;
using apache::thrift::TProcessorContextFreer;
using apache::thrift::protocol::T_EXCEPTION;
using apache::thrift::protocol::T_LIST;
using apache::thrift::protocol::T_REPLY;
using apache::thrift::protocol::T_STRUCT;
using apache::thrift::protocol::TBinaryProtocolT;
using apache::thrift::protocol::TCompactProtocolT;
using apache::thrift::protocol::TProtocol;
using apache::thrift::transport::TTransport;
using apache::thrift::transport::TTransportException;
using apache::thrift::transport::TVirtualTransport;

// An append-only byte buffer in fixed chunks: growing it never copies what it
// holds, and the chunks can be handed on and freed one by one.
class ChunkSink : public TVirtualTransport<ChunkSink> {
 public:
  // The protocol writes a few bytes at a time: the common case is one memcpy.
  void write(const uint8_t* buf, uint32_t len) {
    if (len <= static_cast<size_t>(end_ - cur_)) {
      std::memcpy(cur_, buf, len);
      cur_ += len;
      return;
    }
    WriteSlow(buf, len);
  }
  bool isOpen() const override { return true; }

  // Writes everything to `out`, releasing each chunk once written.
  void DrainTo(TTransport* out) {
    for (size_t i = 0; i < chunks_.size(); ++i) {
      const size_t n = i + 1 == chunks_.size() ? cur_ - chunks_[i].get() : kChunkBytes;
      if (n > 0) out->write(chunks_[i].get(), static_cast<uint32_t>(n));
      chunks_[i].reset();
    }
    chunks_.clear();
    cur_ = end_ = nullptr;
  }

  // From now on, a full chunk is written to `out` at once and its memory reused:
  // the sink holds at most one chunk.
  void StreamTo(TTransport* out) {
    DrainTo(out);
    stream_ = out;
  }

 private:
  static constexpr size_t kChunkBytes = 256 << 10;

  void WriteSlow(const uint8_t* buf, uint32_t len) {
    while (len > 0) {
      if (cur_ == end_ && stream_ && !chunks_.empty()) {
        stream_->write(chunks_.back().get(), static_cast<uint32_t>(kChunkBytes));
        cur_ = chunks_.back().get();
      } else if (cur_ == end_) {
        chunks_.emplace_back(new uint8_t[kChunkBytes]);
        cur_ = chunks_.back().get();
        end_ = cur_ + kChunkBytes;
      }
      const uint32_t n = std::min<uint32_t>(len, static_cast<uint32_t>(end_ - cur_));
      std::memcpy(cur_, buf, n);
      cur_ += n;
      buf += n;
      len -= n;
    }
  }

  std::vector<std::unique_ptr<uint8_t[]>> chunks_;
  uint8_t* cur_ = nullptr;  // the free space of the last chunk
  uint8_t* end_ = nullptr;
  TTransport* stream_ = nullptr;  // set: chunks go out as they fill
};

// A protocol that encodes elements as `oprot` does, into `sink`, and which one
// it is; null for a protocol this file does not know (the generated path
// serves those).
std::unique_ptr<TProtocol> ElementProtocol(TProtocol* oprot, std::shared_ptr<ChunkSink> sink,
                                           WireProtocol* wire) {
  if (dynamic_cast<TBinaryProtocolT<TTransport>*>(oprot)) {
    *wire = WireProtocol::kBinary;
    return std::make_unique<TBinaryProtocolT<ChunkSink>>(std::move(sink));
  }
  if (dynamic_cast<TCompactProtocolT<TTransport>*>(oprot)) {
    *wire = WireProtocol::kCompact;
    return std::make_unique<TCompactProtocolT<ChunkSink>>(std::move(sink));
  }
  return nullptr;
}

// Writes `s` as the protocol's writeString does: a big-endian i32 length
// (binary) or a varint length (compact), then the bytes.
void WriteString(ChunkSink& sink, WireProtocol wire, std::string_view s) {
  const auto n = static_cast<uint32_t>(s.size());
  uint8_t head[5];
  uint32_t used = 0;
  if (wire == WireProtocol::kBinary) {
    head[0] = static_cast<uint8_t>(n >> 24);
    head[1] = static_cast<uint8_t>(n >> 16);
    head[2] = static_cast<uint8_t>(n >> 8);
    head[3] = static_cast<uint8_t>(n);
    used = 4;
  } else {
    uint32_t v = n;
    while (v >= 0x80) {
      head[used++] = static_cast<uint8_t>(v | 0x80);
      v >>= 7;
    }
    head[used++] = static_cast<uint8_t>(v);
  }
  sink.write(head, used);
  sink.write(reinterpret_cast<const uint8_t*>(s.data()), n);
}

// Runs `call`, catching each exception the result struct R declares into its
// slot (o1..o4), as the generated process_ functions do.
#define ARBOR_HMS_CATCH_SLOT(slot, next)                     \
  template <class R, class F>                                \
  void Catch_##slot(R& r, F& call) {                         \
    if constexpr (requires { r.slot; }) {                    \
      try {                                                  \
        next(r, call);                                       \
      } catch (std::remove_cvref_t<decltype(R::slot)> & e) { \
        r.slot = std::move(e);                               \
        r.__isset.slot = true;                               \
      }                                                      \
    } else {                                                 \
      next(r, call);                                         \
    }                                                        \
  }
template <class R, class F>
void CallOnly(R&, F& call) {
  call();
}
ARBOR_HMS_CATCH_SLOT(o4, CallOnly)
ARBOR_HMS_CATCH_SLOT(o3, Catch_o4)
ARBOR_HMS_CATCH_SLOT(o2, Catch_o3)
ARBOR_HMS_CATCH_SLOT(o1, Catch_o2)
#undef ARBOR_HMS_CATCH_SLOT

// The call being served: what the generated process_ functions take.
struct Call {
  TProtocol* iprot;
  TProtocol* oprot;
  int32_t seqid;
  void* call_context;
};

class HmsProcessor : public SessionProcessor {
 public:
  // `iface` answers every method; `handler`, the same object when it is an
  // HmsHandler, streams the listings (without it they take the generated path).
  void Bind(std::shared_ptr<hive::ThriftHiveMetastoreIf> iface,
            std::shared_ptr<HmsHandler> handler) {
    ThriftHiveMetastoreProcessor::iface_ = iface;
    facebook::fb303::FacebookServiceProcessor::iface_ = std::move(iface);
    handler_ = std::move(handler);
  }
  void SetSession(const std::shared_ptr<HmsHandler>& session) override { Bind(session, session); }

 protected:
  bool dispatchCall(TProtocol* iprot, TProtocol* oprot, const std::string& fname, int32_t seqid,
                    void* call_context) override {
    if (handler_) {
      const auto& table = Methods();
      if (auto it = table.find(fname); it != table.end()) {
        auto sink = std::make_shared<ChunkSink>();
        WireProtocol wire;
        if (auto elements = ElementProtocol(oprot, sink, &wire)) {
          (this->*(it->second))(Call{iprot, oprot, seqid, call_context},
                                Out{sink.get(), elements.get(), wire});
          return true;
        }
      }
    }
    return ThriftHiveMetastoreProcessor::dispatchCall(iprot, oprot, fname, seqid, call_context);
  }

 private:
  // Where a listing's elements go: `sink`, encoded by `elements`, which speaks `wire`.
  struct Out {
    ChunkSink* sink;
    TProtocol* elements;
    WireProtocol wire;
  };
  using Method = void (HmsProcessor::*)(const Call&, const Out&);
  using Emitter = HmsHandler::PartitionEmitter;
  using NameEmitter = HmsHandler::NameEmitter;

  // The emitters a listing's handler call writes the reply's elements with.
  // Partitions go as stored bytes through the transcoder where it takes them,
  // else as objects through the generated serializer; names straight from the
  // scan. `begin` starts a streamed reply; `count` counts what was written.
  class Items {
   public:
    Items(const Out& out, std::function<void(uint64_t)> begin, uint64_t* count)
        : out_(out), begin_(std::move(begin)), count_(count) {}

    Emitter Partitions() {
      transcoder_.emplace(out_.wire);
      return Emitter(
          [this](const hive::Partition& p) {
            p.write(out_.elements);
            ++*count_;
          },
          begin_,
          [this](std::string_view stored, const PartitionPresentation& how) {
            if (!transcoder_->Transcode(stored, how)) return false;
            const std::string_view bytes = transcoder_->bytes();
            out_.sink->write(reinterpret_cast<const uint8_t*>(bytes.data()),
                             static_cast<uint32_t>(bytes.size()));
            ++*count_;
            return true;
          });
    }
    NameEmitter Names() {
      return NameEmitter(
          [this](std::string_view name) {
            WriteString(*out_.sink, out_.wire, name);
            ++*count_;
          },
          begin_);
    }

   private:
    Out out_;
    std::function<void(uint64_t)> begin_;
    uint64_t* count_;
    std::optional<PartitionTranscoder> transcoder_;
  };

  // The reply's framing: the list's element type, and for a wrapped reply
  // (the _req forms) the response struct's list field, which is field 1.
  struct Shape {
    bool wrapped;
    apache::thrift::protocol::TType element;
    const char* list_field;
  };
  static constexpr Shape kPartitionList{false, T_STRUCT, nullptr};
  static constexpr Shape kPartitionsResponse{true, T_STRUCT, "partitions"};
  static constexpr Shape kNameList{false, apache::thrift::protocol::T_STRING, nullptr};
  static constexpr Shape kNamesResponse{true, apache::thrift::protocol::T_STRING, "names"};

  static const std::unordered_map<std::string, Method>& Methods() {
    static const std::unordered_map<std::string, Method> kMethods = {
        {"get_partitions", &HmsProcessor::GetPartitions},
        {"get_partitions_with_auth", &HmsProcessor::GetPartitionsWithAuth},
        {"get_partitions_req", &HmsProcessor::GetPartitionsReq},
        {"get_partitions_ps", &HmsProcessor::GetPartitionsPs},
        {"get_partitions_ps_with_auth", &HmsProcessor::GetPartitionsPsWithAuth},
        {"get_partitions_ps_with_auth_req", &HmsProcessor::GetPartitionsPsWithAuthReq},
        {"get_partitions_by_filter", &HmsProcessor::GetPartitionsByFilter},
        {"get_partitions_by_filter_req", &HmsProcessor::GetPartitionsByFilterReq},
        {"get_partitions_by_names", &HmsProcessor::GetPartitionsByNames},
        {"get_partitions_by_names_req", &HmsProcessor::GetPartitionsByNamesReq},
        {"get_partition_names", &HmsProcessor::GetPartitionNames},
        {"fetch_partition_names_req", &HmsProcessor::FetchPartitionNamesReq},
        {"get_partition_names_ps", &HmsProcessor::GetPartitionNamesPs},
        {"get_partition_names_ps_req", &HmsProcessor::GetPartitionNamesPsReq},
    };
    return kMethods;
  }

  // The generated process_<method>, with the success value written from
  // `sink`. `run(args, items)` calls the handler. The names are literals: the
  // event handler keeps the pointer.
  template <class Args, class Result, class Run>
  void Serve(const Call& c, const char* method, const char* full_name, const Shape& shape,
             const Out& o, Run run) {
    ChunkSink& sink = *o.sink;
    void* ctx = nullptr;
    if (eventHandler_) ctx = eventHandler_->getContext(full_name, c.call_context);
    TProcessorContextFreer freer(eventHandler_.get(), ctx, full_name);
    if (eventHandler_) eventHandler_->preRead(ctx, full_name);
    Args args;
    args.read(c.iprot);
    c.iprot->readMessageEnd();
    uint32_t bytes = c.iprot->getTransport()->readEnd();
    if (eventHandler_) eventHandler_->postRead(ctx, full_name, bytes);

    Result result;
    uint64_t count = 0;
    bool ok = false;
    // Set once the listing has announced its count and the reply has begun.
    std::optional<uint64_t> streaming;
    auto begin = [&](uint64_t n) {
      if (eventHandler_) eventHandler_->preWrite(ctx, full_name);
      WriteHead(c, method, shape, n);
      sink.StreamTo(c.oprot->getTransport().get());
      streaming = n;
    };
    Items items(o, begin, &count);
    auto call = [&] {
      run(args, items);
      ok = true;
    };
    try {
      Catch_o1(result, call);
    } catch (const ListingOverBudget&) {
      // Nothing written: the call is served again elsewhere, and counted there.
      if (auto* observer = dynamic_cast<CallWithdrawal*>(eventHandler_.get())) {
        observer->Withdraw(ctx);
      }
      throw;
    } catch (const std::exception& e) {
      if (streaming) AbortStream(e.what());
      if (eventHandler_) eventHandler_->handlerError(ctx, full_name);
      TApplicationException x(e.what());
      c.oprot->writeMessageBegin(method, T_EXCEPTION, c.seqid);
      x.write(c.oprot);
      c.oprot->writeMessageEnd();
      c.oprot->getTransport()->writeEnd();
      c.oprot->getTransport()->flush();
      return;
    }
    if (streaming && !ok) AbortStream("the listing failed after its reply began");
    if (streaming && count != *streaming) {
      AbortStream("the listing announced " + std::to_string(*streaming) + " partitions and gave " +
                  std::to_string(count));
    }
    TProtocol* out = c.oprot;
    if (!streaming) {
      if (eventHandler_) eventHandler_->preWrite(ctx, full_name);
      if (!ok) {
        // A declared exception, in its slot; the partitions buffered so far are dropped.
        out->writeMessageBegin(method, T_REPLY, c.seqid);
        result.write(out);
        out->writeMessageEnd();
        Finish(c, ctx, full_name);
        return;
      }
      WriteHead(c, method, shape, count);
    }
    sink.DrainTo(out->getTransport().get());
    out->writeListEnd();
    if (shape.wrapped) {
      out->writeFieldEnd();
      out->writeFieldStop();
      out->writeStructEnd();
    }
    out->writeFieldEnd();
    out->writeFieldStop();
    out->writeStructEnd();
    out->writeMessageEnd();
    Finish(c, ctx, full_name);
  }

  // A successful reply up to the list's elements: the message, the result
  // struct, the response struct of a wrapped form, and the list header.
  static void WriteHead(const Call& c, const char* method, const Shape& shape, uint64_t n) {
    TProtocol* out = c.oprot;
    out->writeMessageBegin(method, T_REPLY, c.seqid);
    out->writeStructBegin("result");
    out->writeFieldBegin("success", shape.wrapped ? T_STRUCT : T_LIST, 0);
    if (shape.wrapped) {
      out->writeStructBegin("response");
      out->writeFieldBegin(shape.list_field, T_LIST, 1);
    }
    out->writeListBegin(shape.element, static_cast<uint32_t>(n));
  }

  void Finish(const Call& c, void* ctx, const char* full_name) {
    const uint32_t bytes = c.oprot->getTransport()->writeEnd();
    c.oprot->getTransport()->flush();
    if (eventHandler_) eventHandler_->postWrite(ctx, full_name, bytes);
  }

  // A reply that has begun cannot carry an error any more: the connection is
  // closed instead (the listener closes it on a transport exception), so the
  // client sees a failed call, never a short or corrupt list.
  [[noreturn]] static void AbortStream(const std::string& why) {
    throw TTransportException(TTransportException::UNKNOWN,
                              "closing the connection: a streamed listing failed: " + why);
  }

#define ARBOR_HMS_SERVE(method, shape, body)                                                     \
  Serve<hive::ThriftHiveMetastore_##method##_args, hive::ThriftHiveMetastore_##method##_result>( \
      c, #method, "ThriftHiveMetastore." #method, shape, o,                                      \
      [this](const hive::ThriftHiveMetastore_##method##_args& a, Items& items) { body; })

  void GetPartitions(const Call& c, const Out& o) {
    ARBOR_HMS_SERVE(
        get_partitions, kPartitionList,
        handler_->stream_partitions_req(
            HmsHandler::PartitionsReq(a.db_name, a.tbl_name, a.max_parts), items.Partitions()));
  }
  void GetPartitionsWithAuth(const Call& c, const Out& o) {
    ARBOR_HMS_SERVE(get_partitions_with_auth, kPartitionList,
                    handler_->stream_partitions_ps_with_auth_req(
                        HmsHandler::PartitionsWithAuthReq(a.db_name, a.tbl_name, {}, a.max_parts,
                                                          a.user_name, a.group_names),
                        items.Partitions()));
  }
  void GetPartitionsReq(const Call& c, const Out& o) {
    ARBOR_HMS_SERVE(get_partitions_req, kPartitionsResponse,
                    handler_->stream_partitions_req(a.req, items.Partitions()));
  }
  void GetPartitionsPs(const Call& c, const Out& o) {
    ARBOR_HMS_SERVE(
        get_partitions_ps, kPartitionList,
        handler_->stream_partitions_ps_with_auth_req(
            HmsHandler::PartitionsPsReq(a.db_name, a.tbl_name, a.part_vals, a.max_parts),
            items.Partitions()));
  }
  void GetPartitionsPsWithAuth(const Call& c, const Out& o) {
    ARBOR_HMS_SERVE(get_partitions_ps_with_auth, kPartitionList,
                    handler_->stream_partitions_ps_with_auth_req(
                        HmsHandler::PartitionsWithAuthReq(a.db_name, a.tbl_name, a.part_vals,
                                                          a.max_parts, a.user_name, a.group_names),
                        items.Partitions()));
  }
  void GetPartitionsPsWithAuthReq(const Call& c, const Out& o) {
    ARBOR_HMS_SERVE(get_partitions_ps_with_auth_req, kPartitionsResponse,
                    handler_->stream_partitions_ps_with_auth_req(a.req, items.Partitions()));
  }
  void GetPartitionsByFilter(const Call& c, const Out& o) {
    ARBOR_HMS_SERVE(
        get_partitions_by_filter, kPartitionList,
        handler_->stream_partitions_by_filter_req(
            HmsHandler::PartitionsByFilterReq(a.db_name, a.tbl_name, a.filter, a.max_parts),
            items.Partitions()));
  }
  void GetPartitionsByFilterReq(const Call& c, const Out& o) {
    ARBOR_HMS_SERVE(get_partitions_by_filter_req, kPartitionList,
                    handler_->stream_partitions_by_filter_req(a.req, items.Partitions()));
  }
  void GetPartitionsByNames(const Call& c, const Out& o) {
    ARBOR_HMS_SERVE(
        get_partitions_by_names, kPartitionList,
        handler_->stream_partitions_by_names_req(
            HmsHandler::PartitionsByNamesReq(a.db_name, a.tbl_name, a.names), items.Partitions()));
  }
  void GetPartitionsByNamesReq(const Call& c, const Out& o) {
    ARBOR_HMS_SERVE(get_partitions_by_names_req, kPartitionsResponse,
                    handler_->stream_partitions_by_names_req(a.req, items.Partitions()));
  }
  void GetPartitionNames(const Call& c, const Out& o) {
    ARBOR_HMS_SERVE(
        get_partition_names, kNameList,
        handler_->stream_partition_names_req(
            HmsHandler::PartitionsReq(a.db_name, a.tbl_name, a.max_parts), items.Names()));
  }
  void FetchPartitionNamesReq(const Call& c, const Out& o) {
    ARBOR_HMS_SERVE(fetch_partition_names_req, kNameList,
                    handler_->stream_partition_names_req(a.partitionReq, items.Names()));
  }
  void GetPartitionNamesPs(const Call& c, const Out& o) {
    ARBOR_HMS_SERVE(
        get_partition_names_ps, kNameList,
        handler_->stream_partition_names_ps_req(
            HmsHandler::PartitionNamesPsReq(a.db_name, a.tbl_name, a.part_vals, a.max_parts),
            items.Names()));
  }
  void GetPartitionNamesPsReq(const Call& c, const Out& o) {
    ARBOR_HMS_SERVE(get_partition_names_ps_req, kNamesResponse,
                    handler_->stream_partition_names_ps_req(a.req, items.Names()));
  }
#undef ARBOR_HMS_SERVE

  std::shared_ptr<HmsHandler> handler_;
};

}  // namespace

std::unique_ptr<SessionProcessor> MakeSessionProcessor() {
  return std::make_unique<HmsProcessor>();
}

namespace {

template <size_t N>
bool OneOf(std::string_view method, const std::string_view (&methods)[N]) {
  return std::find(std::begin(methods), std::end(methods), method) != std::end(methods);
}

}  // namespace

bool ServedInline(std::string_view method) {
  static constexpr std::string_view kBounded[] = {
      "get_table",
      "get_table_req",
      "get_database",
      "get_database_req",
      "get_partition",
      "get_partition_by_name",
      "get_partition_with_auth",
      "get_fields",
      "get_fields_with_environment_context",
      "get_schema",
      "get_schema_with_environment_context",
      "get_config_value",
      "getMetaConf",
      "get_current_notificationEventId",
      "getVersion",
      "set_ugi",
  };
  return OneOf(method, kBounded);
}

uint64_t InlineListingBudget(std::string_view method) {
  // Names cost tens of nanoseconds each to read and send, partitions about a
  // microsecond: either budget keeps a listing served on the loop within
  // about the cost of one object read and its hand-off, and its reply
  // (queued when the socket is full) small.
  static constexpr std::string_view kNames[] = {
      "get_partition_names",
      "fetch_partition_names_req",
      "get_partition_names_ps",
      "get_partition_names_ps_req",
  };
  static constexpr std::string_view kPartitions[] = {
      "get_partitions",
      "get_partitions_req",
      "get_partitions_by_filter",
      "get_partitions_by_filter_req",
  };
  if (OneOf(method, kNames)) return 4096;
  if (OneOf(method, kPartitions)) return 256;
  return 0;
}

std::shared_ptr<TProcessor> MakeHmsProcessor(std::shared_ptr<hive::ThriftHiveMetastoreIf> handler) {
  auto processor = std::make_shared<HmsProcessor>();
  auto hms = std::dynamic_pointer_cast<HmsHandler>(handler);
  processor->Bind(std::move(handler), std::move(hms));
  return processor;
}

}  // namespace arbor::hms
