#include "server/hms/hms_processor.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
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

// A protocol that encodes elements as `oprot` does, into `sink`; null for a
// protocol this file does not know (the generated path serves those).
std::unique_ptr<TProtocol> ElementProtocol(TProtocol* oprot, std::shared_ptr<ChunkSink> sink) {
  if (dynamic_cast<TBinaryProtocolT<TTransport>*>(oprot)) {
    return std::make_unique<TBinaryProtocolT<ChunkSink>>(std::move(sink));
  }
  if (dynamic_cast<TCompactProtocolT<TTransport>*>(oprot)) {
    return std::make_unique<TCompactProtocolT<ChunkSink>>(std::move(sink));
  }
  return nullptr;
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
        if (auto elements = ElementProtocol(oprot, sink)) {
          (this->*(it->second))(Call{iprot, oprot, seqid, call_context}, *sink, elements.get());
          return true;
        }
      }
    }
    return ThriftHiveMetastoreProcessor::dispatchCall(iprot, oprot, fname, seqid, call_context);
  }

 private:
  using Method = void (HmsProcessor::*)(const Call&, ChunkSink&, TProtocol*);
  using Emitter = HmsHandler::PartitionEmitter;

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
    };
    return kMethods;
  }

  // The generated process_<method>, with the success value written from
  // `sink`. `run(args, emit)` calls the handler. `wrapped`: the success value
  // is a response struct holding the list as field 1 (the _req forms), not the
  // list itself. The names are literals: the event handler keeps the pointer.
  template <class Args, class Result, class Run>
  void Serve(const Call& c, const char* method, const char* full_name, bool wrapped,
             ChunkSink& sink, TProtocol* elements, Run run) {
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
      WriteHead(c, method, wrapped, n);
      sink.StreamTo(c.oprot->getTransport().get());
      streaming = n;
    };
    auto call = [&] {
      run(args, Emitter(
                    [&](const hive::Partition& p) {
                      p.write(elements);
                      ++count;
                    },
                    begin));
      ok = true;
    };
    try {
      Catch_o1(result, call);
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
      WriteHead(c, method, wrapped, count);
    }
    sink.DrainTo(out->getTransport().get());
    out->writeListEnd();
    if (wrapped) {
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
  static void WriteHead(const Call& c, const char* method, bool wrapped, uint64_t n) {
    TProtocol* out = c.oprot;
    out->writeMessageBegin(method, T_REPLY, c.seqid);
    out->writeStructBegin("result");
    out->writeFieldBegin("success", wrapped ? T_STRUCT : T_LIST, 0);
    if (wrapped) {
      out->writeStructBegin("response");
      out->writeFieldBegin("partitions", T_LIST, 1);
    }
    out->writeListBegin(T_STRUCT, static_cast<uint32_t>(n));
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

#define ARBOR_HMS_SERVE(method, wrapped, body)                                                   \
  Serve<hive::ThriftHiveMetastore_##method##_args, hive::ThriftHiveMetastore_##method##_result>( \
      c, #method, "ThriftHiveMetastore." #method, wrapped, sink, elements,                       \
      [this](const hive::ThriftHiveMetastore_##method##_args& a, const Emitter& emit) { body; })

  void GetPartitions(const Call& c, ChunkSink& sink, TProtocol* elements) {
    ARBOR_HMS_SERVE(get_partitions, false,
                    handler_->stream_partitions_req(
                        HmsHandler::PartitionsReq(a.db_name, a.tbl_name, a.max_parts), emit));
  }
  void GetPartitionsWithAuth(const Call& c, ChunkSink& sink, TProtocol* elements) {
    ARBOR_HMS_SERVE(get_partitions_with_auth, false,
                    handler_->stream_partitions_ps_with_auth_req(
                        HmsHandler::PartitionsWithAuthReq(a.db_name, a.tbl_name, {}, a.max_parts,
                                                          a.user_name, a.group_names),
                        emit));
  }
  void GetPartitionsReq(const Call& c, ChunkSink& sink, TProtocol* elements) {
    ARBOR_HMS_SERVE(get_partitions_req, true, handler_->stream_partitions_req(a.req, emit));
  }
  void GetPartitionsPs(const Call& c, ChunkSink& sink, TProtocol* elements) {
    ARBOR_HMS_SERVE(
        get_partitions_ps, false,
        handler_->stream_partitions_ps_with_auth_req(
            HmsHandler::PartitionsPsReq(a.db_name, a.tbl_name, a.part_vals, a.max_parts), emit));
  }
  void GetPartitionsPsWithAuth(const Call& c, ChunkSink& sink, TProtocol* elements) {
    ARBOR_HMS_SERVE(get_partitions_ps_with_auth, false,
                    handler_->stream_partitions_ps_with_auth_req(
                        HmsHandler::PartitionsWithAuthReq(a.db_name, a.tbl_name, a.part_vals,
                                                          a.max_parts, a.user_name, a.group_names),
                        emit));
  }
  void GetPartitionsPsWithAuthReq(const Call& c, ChunkSink& sink, TProtocol* elements) {
    ARBOR_HMS_SERVE(get_partitions_ps_with_auth_req, true,
                    handler_->stream_partitions_ps_with_auth_req(a.req, emit));
  }
  void GetPartitionsByFilter(const Call& c, ChunkSink& sink, TProtocol* elements) {
    ARBOR_HMS_SERVE(
        get_partitions_by_filter, false,
        handler_->stream_partitions_by_filter_req(
            HmsHandler::PartitionsByFilterReq(a.db_name, a.tbl_name, a.filter, a.max_parts), emit));
  }
  void GetPartitionsByFilterReq(const Call& c, ChunkSink& sink, TProtocol* elements) {
    ARBOR_HMS_SERVE(get_partitions_by_filter_req, false,
                    handler_->stream_partitions_by_filter_req(a.req, emit));
  }
  void GetPartitionsByNames(const Call& c, ChunkSink& sink, TProtocol* elements) {
    ARBOR_HMS_SERVE(get_partitions_by_names, false,
                    handler_->stream_partitions_by_names_req(
                        HmsHandler::PartitionsByNamesReq(a.db_name, a.tbl_name, a.names), emit));
  }
  void GetPartitionsByNamesReq(const Call& c, ChunkSink& sink, TProtocol* elements) {
    ARBOR_HMS_SERVE(get_partitions_by_names_req, true,
                    handler_->stream_partitions_by_names_req(a.req, emit));
  }
#undef ARBOR_HMS_SERVE

  std::shared_ptr<HmsHandler> handler_;
};

}  // namespace

std::unique_ptr<SessionProcessor> MakeSessionProcessor() {
  return std::make_unique<HmsProcessor>();
}

std::shared_ptr<TProcessor> MakeHmsProcessor(std::shared_ptr<hive::ThriftHiveMetastoreIf> handler) {
  auto processor = std::make_shared<HmsProcessor>();
  auto hms = std::dynamic_pointer_cast<HmsHandler>(handler);
  processor->Bind(std::move(handler), std::move(hms));
  return processor;
}

}  // namespace arbor::hms
