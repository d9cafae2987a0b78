// The admin API's ledger reads (GET /admin/requests), run off the shards: a shard submits a
// bounded query and goes on serving; this thread runs it on its own read-only connection (WAL:
// the ledger writer is never blocked) and hands the rows to the job's callback, which wakes the
// shard. The queue is bounded: a full one refuses at once, so no scrape storm piles up work.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/telemetry/ledger_reader.h"

namespace ringgate::telemetry {

class AdminLedgerQueries {
 public:
  static constexpr size_t kMaxQueued = 16;
  // rows: nullopt on a read error (with `error`).
  using Done = std::function<void(std::optional<std::vector<LedgerRow>> rows, std::string error)>;

  explicit AdminLedgerQueries(std::string ledger_path);
  ~AdminLedgerQueries();  // jobs still queued are dropped, their callbacks never run
  AdminLedgerQueries(const AdminLedgerQueries&) = delete;

  // Any thread. False when the queue is full (the callback will not run).
  bool submit(LedgerReader::RecentFilter filter, Done done);

 private:
  struct Job {
    LedgerReader::RecentFilter filter;
    Done done;
  };
  void run();
  void answer(Job& job);

  const std::string path_;
  std::unique_ptr<LedgerReader> reader_;  // opened on first use, by the thread
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ringgate::telemetry
