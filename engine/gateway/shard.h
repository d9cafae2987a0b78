// A shard: one pinned thread, one io_uring, its SO_REUSEPORT listeners (plain and TLS), and
// everything its connections need (buffers, upstream pools, TLS contexts, a JSON parser). Shards
// share nothing
// on the request path; the kernel spreads connections across their listeners.
#pragma once

#include <simdjson.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine/config/runtime.h"
#include "engine/gateway/buffer_pool.h"
#include "engine/gateway/deployment_state.h"
#include "engine/gateway/gateway_state.h"
#include "engine/gateway/shard_counter.h"
#include "engine/gateway/upstream_pool.h"
#include "engine/io/provided_buffers.h"
#include "engine/io/ring.h"
#include "engine/io/task.h"
#include "engine/io/tls_context.h"
#include "engine/io/tls_server_context.h"
#include "engine/pipeline/request_id.h"
#include "engine/pipeline/shard_services.h"
#include "engine/telemetry/metrics.h"
#include "engine/telemetry/record_ring.h"
#include "engine/telemetry/tap_ring.h"

namespace ringgate::gateway {

class ClientSession;

// What a write to a shard's eventfd asks for. The kernel sums concurrent writes, so the reasons
// are disjoint bit fields: any number of reloads stays below the stop bit.
inline constexpr uint64_t kWakeReload = 1;
inline constexpr uint64_t kWakeStop = uint64_t{1} << 32;
// A single flight settled that followers on this shard may wait for (written at most once per
// wake, so the sum stays in its own bits).
inline constexpr uint64_t kWakeFlight = uint64_t{1} << 40;

class FlightWait;

class Shard {
 public:
  static constexpr size_t kRecordRingSize = 4096;  // records in flight to the accounting thread
  // Bytes of upstream bodies in flight to the accounting thread: at its tens of MB/s of parsing,
  // some tens of milliseconds of this shard's fastest relaying.
  static constexpr size_t kTapRingBytes = size_t{4} << 20;

  // One of the shard's listening sockets; `tls` ones serve HTTPS with GatewayState's context.
  struct Listener {
    int fd = -1;
    bool tls = false;
  };

  Shard(unsigned id, std::vector<Listener> listeners, GatewayState& state);
  ~Shard();
  Shard(const Shard&) = delete;

  // Starts the thread and waits until its ring is up (or failed).
  bool start(std::string& err);
  // Any thread: every single-flight follower waiting on this shard looks at its flight again.
  void wake_flight_followers();
  // The waits that wake cuts short (flight_follow.cc).
  void add_flight_wait(FlightWait* w);
  void remove_flight_wait(FlightWait* w);
  // Begins a graceful drain; callable from any thread.
  void request_stop();
  // Tells the shard that GatewayState has a new runtime to adopt; callable from any thread.
  void request_reload();
  void join();

  unsigned id() const { return id_; }
  io::Ring& ring() { return ring_; }
  io::ProvidedBuffers& recv_buffers() { return recv_buffers_; }
  BufferPool& buffers() { return buffer_pool_; }
  // Upstream read buffers keep their size between uses, so taking one never zero-fills it.
  RawBufferPool& read_buffers() { return read_buffer_pool_; }
  simdjson::dom::parser& json() { return json_; }
  GatewayState& state() { return state_; }
  // The snapshot a new request runs on. The request keeps the pointer until it ends, and with it
  // the state of every upstream that snapshot names, whatever reloads happen meanwhile.
  std::shared_ptr<const config::Runtime> runtime();
  // The current snapshot's config, for connection-level settings read between requests.
  const config::Config& config() const { return runtime_->config(); }
  // Per-upstream state by stable id: any id of a snapshot a request still holds is found.
  UpstreamPool& pool(config::UpstreamId id) { return *upstream(id).pool; }
  io::TlsContext* tls(config::UpstreamId id) { return upstream(id).tls.get(); }
  // host[:port] for the upstream's Host header, computed once.
  const std::string& authority(config::UpstreamId id) { return upstream(id).authority; }
  // Breakers, key pools, loads and balancers of the deployments this shard routes to.
  DeploymentTable& deployments() { return deployments_; }
  const DeploymentTable& deployments() const { return deployments_; }
  bool draining() const { return draining_; }
  ShardCounters& counters() { return counters_; }
  const ShardCounters& counters() const { return counters_; }
  pipeline::RequestIdSource& request_ids() { return request_ids_; }
  // Where this shard's sessions leave their request records for the accounting thread.
  telemetry::RecordRing& records() { return records_; }
  // Where they leave the accounting copy of upstream bodies, each tagged with its request.
  telemetry::TapRing& taps() { return taps_; }
  uint64_t next_tap_request() { return ++tap_requests_; }
  // This shard's request counters; the shard's thread writes them, a scrape reads them.
  telemetry::ShardMetrics& metrics() { return metrics_; }
  // What a scrape reads of this shard (for the registry, before the shard starts).
  telemetry::ShardSource metrics_source() const;
  // What the pipeline's stages may use on this shard.
  const pipeline::ShardServices& services() const { return services_; }

  void add_session(ClientSession* s);
  void remove_session(ClientSession* s);

 private:
  class AcceptOp;
  class WakeOp;
  class DrainTimer;
  // One upstream's connections on this shard; lives as long as some snapshot in use names it.
  struct UpstreamState {
    config::UpstreamId id = 0;
    std::string connection_key;  // see config::RuntimeUpstream
    PoolLimits limits;
    std::unique_ptr<UpstreamPool> pool;
    std::unique_ptr<io::TlsContext> tls;
    std::string authority;
  };

  void run();
  bool setup(std::string& err);
  void on_accept(int fd, bool tls);
  void begin_drain();
  void force_close_all();
  // Makes `next` the snapshot for new requests: keeps the state of upstreams it leaves
  // unchanged, creates the rest, retires what it no longer names. False (with err) when a TLS
  // context could not be made; that upstream then refuses connections (503) rather than go
  // without TLS.
  bool adopt(std::shared_ptr<const config::Runtime> next, std::string& err);
  bool make_upstream_state(const config::RuntimeUpstream& up, UpstreamState& st, std::string& err);
  void on_wake(uint64_t reasons);
  void wake_flight_waits();
  // Drops retired upstream state once no request holds a snapshot older than the current one.
  void prune_retired();
  UpstreamState& upstream(config::UpstreamId id);
  io::Detached serve(int fd, std::shared_ptr<io::TlsServerContext> tls);

  unsigned id_;
  std::vector<Listener> listeners_;
  int wake_fd_ = -1;
  GatewayState& state_;
  std::shared_ptr<const config::Runtime> runtime_;
  io::Ring ring_;
  io::ProvidedBuffers recv_buffers_;
  BufferPool buffer_pool_;
  RawBufferPool read_buffer_pool_;
  simdjson::dom::parser json_;
  std::unordered_map<config::UpstreamId, std::unique_ptr<UpstreamState>> upstreams_;
  DeploymentTable deployments_;
  // State replaced or removed by a reload, kept while requests on older snapshots may use it.
  std::vector<std::unique_ptr<UpstreamState>> retired_;
  std::vector<std::weak_ptr<const config::Runtime>> older_runtimes_;
  std::vector<std::unique_ptr<AcceptOp>> accepts_;  // one per listener
  // What a new connection on a TLS listener gets; the previous one lives on in its sessions.
  std::shared_ptr<io::TlsServerContext> server_tls_;
  std::unique_ptr<WakeOp> wake_;
  std::vector<FlightWait*> flight_waits_;
  std::atomic<bool> flight_wake_pending_{false};
  std::unique_ptr<DrainTimer> drain_timer_;
  ClientSession* sessions_ = nullptr;  // intrusive list of live sessions, for drain
  size_t session_count_ = 0;
  ShardCounters counters_;
  bool draining_ = false;
  pipeline::RequestIdSource request_ids_;
  pipeline::ShardServices services_;
  telemetry::RecordRing records_{kRecordRingSize};
  telemetry::TapRing taps_{kTapRingBytes};
  uint64_t tap_requests_ = 0;
  telemetry::ShardMetrics metrics_;
  std::thread thread_;
  friend class ClientSession;
};

}  // namespace ringgate::gateway
