// The node's side of fleet-wide limits: makes a FleetLease per scope, and on its own thread
// (not the shards' rings: a dedicated thread with one blocking, deadline-bounded Redis
// connection) renews leases below their low-water mark, prefetches the next window's lease
// before the current one ends, returns leases left idle, and applies [cluster] on_redis_down
// when Redis is slow or gone: nothing waits on Redis but this thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/admission/fleet_lease.h"
#include "engine/cluster/lease_script.h"
#include "engine/cluster/redis_connection.h"
#include "engine/config/cluster_config.h"

namespace ringgate::cluster {

class FleetLimiter final : public admission::FleetLeases {
 public:
  explicit FleetLimiter(config::ClusterConfig cfg);
  ~FleetLimiter() override;
  // Null when [cluster] is absent.
  static std::shared_ptr<FleetLimiter> make(const config::ClusterConfig& cfg);

  std::shared_ptr<admission::FleetLease> lease(std::string_view scope, uint64_t limit,
                                               uint64_t window_s) override;
  std::shared_ptr<admission::FleetLease> budget_lease(std::string_view scope, uint64_t limit,
                                                      admission::FleetWindow kind) override;
  // Called from the fleet thread after exact-mode answers (and on Redis going down), so shards
  // re-admit the requests waiting for them: each shard registers its eventfd wake.
  void add_waker(std::function<void()> wake);
  // Connects once (bounded by timeout_ms), then runs the fleet thread.
  void start();
  void stop();  // returns what leases hold, best effort, then joins

  // `"cluster":{...}` for /readyz; ringgate_cluster_* for /metrics.
  void append_json(std::string& out) const;
  void append_metrics(std::string& out) const;
  admission::FleetState state() const { return state_.load(std::memory_order_acquire); }

 private:
  struct Entry {
    std::shared_ptr<admission::FleetLease> lease;
    uint64_t local_window = UINT64_MAX;  // the window its local share was installed for
    uint64_t prefetched = UINT64_MAX;    // the next window already asked for
  };
  struct Call {
    LeaseCall call;
    admission::FleetLease* lease = nullptr;
  };

  std::shared_ptr<admission::FleetLease> find_or_make(std::string_view scope, uint64_t limit,
                                                      uint64_t window_s, uint64_t slice,
                                                      admission::FleetWindow kind, bool exact);
  void run();
  void tick(uint64_t now_ms);
  void plan(Entry& e, uint64_t now_ms, std::vector<Call>& calls);
  void add_call(std::vector<Call>& calls, admission::FleetLease& l, uint64_t window, int64_t delta,
                int64_t restore = -1);
  bool send(std::vector<Call>& calls);
  void ping();
  void apply(const Call& c, const LeaseReply& r);
  void connect(uint64_t now_ms);
  void go_down(const std::string& why);
  void install_local_shares(uint64_t now_ms);
  void wake_waiters();
  const std::vector<Entry*>& entries();  // the registry now (the fleet thread's copy)

  const config::ClusterConfig cfg_;
  std::atomic<admission::FleetState> state_{admission::FleetState::kUp};
  mutable std::mutex mu_;  // the registry: lease() runs at snapshot builds, the thread per tick
  std::vector<std::unique_ptr<Entry>> entries_;
  const int wake_fd_;  // eventfd: leases ask for renewal through it
  std::atomic<bool> stopping_{false};
  std::thread thread_;

  RedisConnection conn_;  // the fleet thread's alone
  bool by_sha_ = true;
  uint64_t next_connect_ms_ = 0, backoff_ms_ = 0, last_round_trip_ms_ = 0;
  std::vector<protocol::RespValue> replies_;
  std::vector<Entry*> snapshot_;
  std::vector<Call> calls_;
  std::mutex wakers_mu_;
  std::vector<std::function<void()>> wakers_;
  bool answered_exact_ = false;  // the fleet thread's: an exact-mode answer arrived this tick
  std::atomic<uint64_t> commands_{0}, errors_{0}, transitions_{0}, granted_{0}, round_trips_{0};
};

}  // namespace ringgate::cluster
