#pragma once

#include <liburing.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/load/load_stats.h"
#include "bench/load/request_builder.h"
#include "bench/load/response_reader.h"
#include "bench/load/send_schedule.h"
#include "bench/load/target_url.h"

namespace ringgate::bench {

// What one worker thread is asked to do.
struct WorkerPlan {
  int index = 0;
  int threads = 1;
  int connections = 1;
  uint64_t request_quota = 0;  // measured requests this worker sends; 0 = until the end time
  double rate = 0;             // this worker's share of the open-loop rate; 0 = closed loop
  uint64_t timeout_ns = 5'000'000'000;
  bool stream = false;
  bool head_request = false;
  const TargetAddress* address = nullptr;
  const RequestBuilder* builder = nullptr;
};

uint64_t monotonic_ns();

// One thread's share of the load: its own io_uring and connections, one request in flight per
// connection (keep-alive, no pipelining). Buffers are allocated once up front; the request loop
// does not allocate.
class LoadWorker {
 public:
  explicit LoadWorker(const WorkerPlan& plan);
  ~LoadWorker();
  LoadWorker(const LoadWorker&) = delete;
  LoadWorker& operator=(const LoadWorker&) = delete;

  // Sets up the ring and buffers. Returns an error message, empty on success.
  std::string init();
  // Opens every connection and waits for them until deadline_ns. Returns how many are up.
  int connect_all(uint64_t deadline_ns);
  // Sends requests from start_ns; counts those intended at or after measure_start_ns; stops at
  // end_ns or when the quota has been answered.
  void run(uint64_t start_ns, uint64_t measure_start_ns, uint64_t end_ns);

  const LoadStats& stats() const { return stats_; }
  // When the last measured response arrived (for runs bounded by count).
  uint64_t last_completion_ns() const { return last_completion_ns_; }

 private:
  enum class ConnState : uint8_t { kDisconnected, kConnecting, kReady, kBusy, kClosing };
  struct Connection {
    int fd = -1;
    ConnState state = ConnState::kDisconnected;
    int pending = 0;  // submitted operations not yet completed
    bool measured = false;
    size_t fill = 0;
    const char* send_ptr = nullptr;
    size_t send_left = 0;
    uint64_t intended_ns = 0;
    uint64_t deadline_ns = 0;
    uint64_t first_byte_ns = 0;
    uint64_t last_event_ns = 0;
    uint64_t reconnect_at_ns = 0;
    uint64_t reconnect_delay_ns = 0;
    std::unique_ptr<char[]> buffer;
    std::string request;
    std::string body_scratch;
    ResponseReader reader;
  };
  enum Op : uint64_t { kConnect = 1, kSend = 2, kRecv = 3, kCancel = 4 };

  io_uring_sqe* get_sqe();
  void open(Connection& c, uint64_t now);
  void post_send(Connection& c, uint32_t index);
  void post_recv(Connection& c, uint32_t index);
  void become_ready(uint32_t index, uint64_t now);
  bool can_issue(uint64_t intended_ns) const;
  void dispatch(uint32_t index, uint64_t intended_ns, uint64_t now);
  void finish_request(Connection& c);
  void begin_close(uint32_t index, uint64_t reconnect_delay_ns);
  void maybe_finish_close(uint32_t index);
  void handle(uint64_t user_data, int res, uint64_t now);
  void on_connect(uint32_t index, int res, uint64_t now);
  void on_send(uint32_t index, int res);
  void on_recv(uint32_t index, int res, uint64_t now);
  void scan(uint64_t now);
  void drain_completions();

  WorkerPlan plan_;
  io_uring ring_{};
  bool ring_ready_ = false;
  std::vector<Connection> connections_;
  std::vector<uint32_t> idle_;  // open loop: connected and waiting for the schedule
  SendSchedule schedule_;
  bool running_ = false;
  uint64_t now_ns_ = 0;
  uint64_t measure_start_ns_ = 0;
  uint64_t end_ns_ = UINT64_MAX;
  uint64_t issued_measured_ = 0;
  uint64_t inflight_measured_ = 0;
  uint64_t sequence_ = 0;
  uint64_t rng_state_ = 0;
  uint64_t last_completion_ns_ = 0;
  LoadStats stats_;
};

}  // namespace ringgate::bench
