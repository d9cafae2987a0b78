// A shard: one pinned thread, one io_uring, one SO_REUSEPORT listener, and everything its
// connections need (buffers, upstream pools, TLS contexts, a JSON parser). Shards share nothing
// on the request path; the kernel spreads connections across their listeners.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/gateway/buffer_pool.h"
#include "engine/gateway/gateway_state.h"
#include "engine/gateway/shard_counter.h"
#include "engine/gateway/upstream_pool.h"
#include "engine/io/provided_buffers.h"
#include "engine/io/ring.h"
#include "engine/io/task.h"
#include "engine/io/tls_context.h"
#include "engine/pipeline/request_id.h"
#include "engine/pipeline/shard_services.h"
#include "engine/telemetry/record_ring.h"

namespace ringgate::gateway {

class ClientSession;

class Shard {
 public:
  static constexpr size_t kRecordRingSize = 4096;  // records in flight to the accounting thread

  Shard(unsigned id, int listen_fd, GatewayState& state);
  ~Shard();
  Shard(const Shard&) = delete;

  // Starts the thread and waits until its ring is up (or failed).
  bool start(std::string& err);
  // Begins a graceful drain; callable from any thread.
  void request_stop();
  void join();

  unsigned id() const { return id_; }
  io::Ring& ring() { return ring_; }
  io::ProvidedBuffers& recv_buffers() { return recv_buffers_; }
  BufferPool& buffers() { return buffer_pool_; }
  // Upstream read buffers keep their size between uses, so taking one never zero-fills it.
  BufferPool& read_buffers() { return read_buffer_pool_; }
  simdjson::dom::parser& json() { return json_; }
  GatewayState& state() { return state_; }
  const config::Config& config() const { return *config_; }
  UpstreamPool& pool(size_t upstream_index) { return *pools_[upstream_index]; }
  io::TlsContext* tls(size_t upstream_index) { return tls_[upstream_index].get(); }
  // host[:port] for the upstream's Host header, computed once.
  const std::string& authority(size_t upstream_index) const { return authorities_[upstream_index]; }
  bool draining() const { return draining_; }
  ShardCounters& counters() { return counters_; }
  const ShardCounters& counters() const { return counters_; }
  pipeline::RequestIdSource& request_ids() { return request_ids_; }
  // Where this shard's sessions leave their request records for the accounting thread.
  telemetry::RecordRing& records() { return records_; }
  // What the pipeline's stages may use on this shard.
  const pipeline::ShardServices& services() const { return services_; }

  void add_session(ClientSession* s);
  void remove_session(ClientSession* s);

 private:
  class AcceptOp;
  class WakeOp;
  class DrainTimer;

  void run();
  bool setup(std::string& err);
  void on_accept(int fd);
  void begin_drain();
  void force_close_all();
  io::Detached serve(int fd);

  unsigned id_;
  int listen_fd_;
  int wake_fd_ = -1;
  GatewayState& state_;
  std::shared_ptr<const config::Config> config_;
  io::Ring ring_;
  io::ProvidedBuffers recv_buffers_;
  BufferPool buffer_pool_;
  BufferPool read_buffer_pool_;
  simdjson::dom::parser json_;
  std::vector<std::unique_ptr<UpstreamPool>> pools_;
  std::vector<std::unique_ptr<io::TlsContext>> tls_;
  std::vector<std::string> authorities_;
  std::unique_ptr<AcceptOp> accept_;
  std::unique_ptr<WakeOp> wake_;
  std::unique_ptr<DrainTimer> drain_timer_;
  ClientSession* sessions_ = nullptr;  // intrusive list of live sessions, for drain
  size_t session_count_ = 0;
  ShardCounters counters_;
  bool draining_ = false;
  pipeline::RequestIdSource request_ids_;
  pipeline::ShardServices services_;
  telemetry::RecordRing records_{kRecordRingSize};
  std::thread thread_;
  friend class ClientSession;
};

}  // namespace ringgate::gateway
