#pragma once

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace ringgate::io {

// The outcome of resolving one (host, port): the addresses to try in order, or why there are none.
struct ResolvedAddrs {
  std::vector<sockaddr_storage> addrs;  // port already filled in; IPv4 and IPv6
  std::string error;                    // set when resolution failed and no earlier result exists
  bool ok() const { return !addrs.empty(); }
};

// sizeof the concrete sockaddr inside `addr`, for connect().
socklen_t sockaddr_length(const sockaddr_storage& addr);

// Keeps host names resolved off the shard threads. One background thread resolves names it is
// asked about and re-resolves all of them every `refresh`; shards read a published snapshot.
//
// lookup() is the shard-side call. In the steady state it is one atomic load and a binary search
// over a thread-local copy of the snapshot pointer: no lock, no syscall, no allocation (after a
// publish, each thread briefly locks once to pick up the new snapshot). The first
// lookup of an unknown name returns nullptr and queues the name (a short, rare critical section:
// upstream names are prefetched at config load); the engine retries on its next attempt, or is
// poked through set_on_update().
class DnsResolver {
 public:
  // Fills `out` (port already set) or returns false with a reason in `err`. Injectable for tests.
  using ResolveFn = std::function<bool(const std::string& host, uint16_t port,
                                       std::vector<sockaddr_storage>& out, std::string& err)>;

  struct Options {
    std::chrono::milliseconds refresh{30000};
    ResolveFn resolve;  // empty = getaddrinfo
    // Upper bound on distinct (host, port) names, so nothing grows without bound.
    size_t max_names = 4096;
  };

  DnsResolver();
  explicit DnsResolver(Options options);
  ~DnsResolver();
  DnsResolver(const DnsResolver&) = delete;
  DnsResolver& operator=(const DnsResolver&) = delete;

  // Numeric hosts ("127.0.0.1", "::1", "[::1]") never wait for the thread. Returns nullptr while a
  // name is not resolved yet; a failed resolution returns a result with !ok() and an error.
  std::shared_ptr<const ResolvedAddrs> lookup(std::string_view host, uint16_t port);

  // Asks the thread to resolve `host` soon, without waiting.
  void prefetch(const std::string& host, uint16_t port);

  // Resolves on the calling thread (start-up and config reload, never a shard) and publishes the
  // result, so the first request already finds it.
  bool resolve_now_blocking(const std::string& host, uint16_t port, std::string& err);

  // Called on the resolver thread after each published change (keep it short: e.g. write an
  // eventfd a shard's ring polls). Whatever it captures must outlive the resolver.
  void set_on_update(std::function<void()> on_update);

  // Bumped on every published change.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // getaddrinfo, deduplicated, at most kMaxAddrs addresses.
  static bool system_resolve(const std::string& host, uint16_t port,
                             std::vector<sockaddr_storage>& out, std::string& err);
  static constexpr size_t kMaxAddrs = 8;

 private:
  struct Entry {
    std::string host;
    uint16_t port;
    std::shared_ptr<const ResolvedAddrs> result;  // nullptr while pending
  };
  // Sorted by (host, port); replaced whole on every change and never mutated once published.
  using Table = std::vector<Entry>;

  std::shared_ptr<const Table> current_table() const;
  const Table& reader_table();
  // Registers a name for the thread; returns its current result (nullptr while pending).
  std::shared_ptr<const ResolvedAddrs> request(std::string_view host, uint16_t port);
  void run();
  std::shared_ptr<const ResolvedAddrs> resolve_one(const std::string& host, uint16_t port,
                                                   const ResolvedAddrs* previous);
  // The *_locked helpers require mu_. store_locked changes names_ only; publish_locked makes
  // names_ the snapshot shards read.
  void store_locked(const std::string& host, uint16_t port,
                    std::shared_ptr<const ResolvedAddrs> result);
  void publish_locked();

  Options options_;
  const uint64_t id_;  // tells this resolver's thread-local cache apart from other instances'
  // Readers copy this pointer once per thread per publish (see reader_table), so the mutex is
  // held for a refcount increment and only after a change; std::atomic<shared_ptr> in libstdc++ 12
  // is a spin lock of its own and invisible to TSan.
  mutable std::mutex snapshot_mu_;
  std::shared_ptr<const Table> table_;
  std::atomic<uint64_t> generation_{0};

  std::mutex mu_;  // writers only: the thread, prefetch, resolve_now_blocking, first-miss requests
  std::condition_variable wake_;
  Table names_;  // authoritative copy, guarded by mu_
  bool stop_ = false;
  std::function<void()> on_update_;
  std::thread thread_;
};

}  // namespace ringgate::io
