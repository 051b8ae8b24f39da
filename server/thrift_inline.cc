// The event loop serving a call itself (thrift_server_impl.h). Handing a
// request to a worker costs a wake-up of another thread and one back; for a
// call that costs less than that (server/hms ServedInline: one object read, a
// session call; InlineListingBudget: a listing that reads few keys), it is
// most of the call's time. So when the loop has nothing else to do, it serves
// such a call itself, under the same rules as a worker (the same
// CallObserver, errors close the connection) but without ever waiting:
//  * a listing runs with the session's listing budget set: one that would read
//    more keys, or cannot tell without reading them, throws ListingOverBudget
//    before writing anything, and goes to a worker with its request intact;
//  * only when the connection was the one ready descriptor of the epoll batch:
//    under load, workers serve and the loop stays responsive;
//  * only a request the scanner saw whole (kComplete; never kDispatch, which
//    the parser may need to read more for), and never a connection's first
//    message, which may be a SASL start the worker's sniffer answers;
//  * not while a reply is still queued for the client, nor after its end of
//    file: a worker then waits for the client to take its replies, as before;
//  * one request: whatever follows it goes to a worker (or waits for more);
//  * the reply is written without waiting (ConnectionTransport::kNoWait): what
//    the socket cannot take now is queued on the connection's `out`, sent by
//    the loop when the socket has room, and counted in --max-pending-bytes;
//    the client must take it within --request-timeout.
#include <spdlog/spdlog.h>

#include <sys/epoll.h>

#include "server/hms/hms_processor.h"
#include "server/thrift_server_impl.h"

namespace arbor::hms {

bool HmsServer::Impl::ServesOnLoop(const Connection* c, bool alone) const {
  if (!alone || c->first_message || c->eof || !c->out.empty()) return false;
  const std::string_view method = c->scanner.method(c->in);
  return ServedInline(method) || InlineListingBudget(method) > 0;
}

void HmsServer::Impl::ServeOnLoop(Connection* c) {
  loop_processor_->SetSession(c->session);
  c->session->SetListingBudget(InlineListingBudget(c->scanner.method(c->in)));
  bool keep;
  try {
    keep = Serve(loop_processor_, c, ConnectionTransport::Mode::kNoWait);
  } catch (const ListingOverBudget&) {
    // Nothing was written, and the request is still whole in `in`: a worker
    // serves it from the start.
    c->session->SetListingBudget(0);
    loop_processor_->SetSession(nullptr);
    c->consumed = 0;
    c->busy = true;
    ++busy_;
    Enqueue(c);
    if (metrics_) {
      metrics_->AddCounter("arbor_thrift_inline_handoffs_total",
                           "Listings the listener's event loop began and handed to a worker: "
                           "over its budget of keys to read, or not countable without reading.",
                           {});
    }
    return;
  }
  c->session->SetListingBudget(0);
  loop_processor_->SetSession(nullptr);
  if (!c->out.empty()) {
    spdlog::debug("thrift: connection from {}: {} bytes of the reply wait for the client", c->peer,
                  c->out.size());
  }
  // Counted once served: a test that sees the count sees the log line above.
  if (metrics_) {
    metrics_->AddCounter("arbor_thrift_inline_calls_total",
                         "Thrift calls the listener's event loop served itself, without a worker.",
                         {});
  }
  if (!keep) {
    (void)FlushOut(c);  // best effort, as a worker's reply before it fails
    Close(c);
    return;
  }
  using V = ThriftMessageScanner::Verdict;
  if (!c->in.empty()) {
    // The next request came with this one; Serve scanned it and set its deadline.
    if (c->scanner.Scan(c->in, false) != V::kNeedMore) {
      c->busy = true;
      ++busy_;
      Enqueue(c);
      return;
    }
    SetPartial(c, true);
  } else if (c->layer_bytes() > 0 || !c->out.empty()) {
    c->deadline = Clock::now() + timeout_;
    SetPartial(c, true);
  }
  Arm(c, EPOLL_CTL_MOD);
}

}  // namespace arbor::hms
