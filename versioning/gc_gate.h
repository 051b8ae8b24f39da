// GcGate: keeps garbage collection's sweep out of operations that create references.
//
// An operation that reads a base (a branch head, a commit, a tree) and then writes
// something pointing into it holds the gate shared from the read to its synced batch.
// The sweep holds it exclusively, so it never runs while such an operation could
// hold a reference that no root shows yet. A sweep that is waiting keeps new shared
// holders out, so a steady stream of writers cannot starve it.
//
// Lock order: take the gate before any branch or ref lock, and never while holding
// one; an operation takes it once (shared holders do not nest).
#pragma once

#include <condition_variable>
#include <mutex>

namespace arbor {

class GcGate {
 public:
  void LockShared() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !exclusive_ && waiting_ == 0; });
    ++shared_;
  }
  void UnlockShared() {
    std::lock_guard<std::mutex> lock(mu_);
    if (--shared_ == 0) cv_.notify_all();
  }
  void Lock() {
    std::unique_lock<std::mutex> lock(mu_);
    ++waiting_;
    cv_.wait(lock, [&] { return !exclusive_ && shared_ == 0; });
    --waiting_;
    exclusive_ = true;
  }
  void Unlock() {
    std::lock_guard<std::mutex> lock(mu_);
    exclusive_ = false;
    cv_.notify_all();
  }

  // RAII holders.
  class Shared {
   public:
    explicit Shared(GcGate* gate) : gate_(gate) { gate_->LockShared(); }
    ~Shared() { gate_->UnlockShared(); }
    Shared(const Shared&) = delete;
    Shared& operator=(const Shared&) = delete;

   private:
    GcGate* gate_;
  };
  class Exclusive {
   public:
    explicit Exclusive(GcGate* gate) : gate_(gate) { gate_->Lock(); }
    ~Exclusive() { gate_->Unlock(); }
    Exclusive(const Exclusive&) = delete;
    Exclusive& operator=(const Exclusive&) = delete;

   private:
    GcGate* gate_;
  };

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int shared_ = 0;
  int waiting_ = 0;
  bool exclusive_ = false;
};

}  // namespace arbor
