// The usage ledger: one SQLite row per request, written by the ledger's own thread in batched
// transactions. The accounting thread appends (never a shard: append takes a mutex); the writer
// commits every flush interval, or as soon as a batch is full. A row appended more than one flush
// interval (plus a commit's own time) before the process is killed, even by SIGKILL, is in the
// file: WAL with synchronous=NORMAL puts each commit into the OS before COMMIT returns; only an
// OS crash or power loss can lose the last commits. Write errors (disk full, a locked file) are
// logged once per kind, counted and retried; rows wait meanwhile, and beyond the queue's bound
// new rows are dropped and counted, never blocking the caller.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/config/config.h"
#include "engine/telemetry/ledger_row.h"

struct sqlite3;
struct sqlite3_stmt;

namespace ringgate::telemetry {

struct LedgerOptions {
  std::chrono::milliseconds flush_interval{1000};
  size_t batch_rows = 1000;
  size_t queue_rows = 65536;  // appended and not yet being written; beyond it append drops
  // How long a commit waits for a lock another process holds before it counts as an error.
  std::chrono::milliseconds busy_timeout{1000};

  static LedgerOptions from(const config::LedgerConfig& config);
};

struct LedgerStats {
  uint64_t rows_written = 0;  // committed
  uint64_t rows_dropped = 0;  // refused by a full queue, or still failing when the ledger closed
  uint64_t lag = 0;           // appended and not yet committed
  uint64_t commits = 0;       // transactions committed (each holds a batch)
  uint64_t errors = 0;        // failed commits (each retried)
  std::string last_error;     // "" when none yet
};

class Ledger {
 public:
  // Opens or creates the ledger at `path` (and its directory) and starts the writer. null on
  // failure, with `error` naming the path: the gateway refuses to start with it.
  static std::unique_ptr<Ledger> open(const std::string& path, const LedgerOptions& options,
                                      std::string& error);
  ~Ledger();  // close()
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Queues a row. false: the queue was full (or the ledger closed); the row is counted as
  // dropped. Holds the queue's mutex only to push.
  bool append(LedgerRow&& row);
  // Blocks until every row appended before the call is committed (SIGTERM drain, tests).
  void flush();
  // The same, for at most `timeout`; false when rows were still waiting (a write kept failing).
  bool flush_for(std::chrono::milliseconds timeout);
  // Commits what is queued (one attempt; what fails counts as dropped) and stops the writer.
  void close();

  LedgerStats stats() const;
  const std::string& path() const { return path_; }

 private:
  struct Db;
  Ledger(std::string path, const LedgerOptions& options, std::unique_ptr<Db> db);

  void run();
  bool wait_for_work(std::unique_lock<std::mutex>& lock);
  void write_with_retry(std::vector<LedgerRow>& batch);
  int write_batch(const std::vector<LedgerRow>& batch, std::string& error);
  void note_error(int code, const std::string& error);

  const std::string path_;
  const LedgerOptions options_;
  std::unique_ptr<Db> db_;  // used by the writer thread only

  mutable std::mutex mu_;
  std::condition_variable wake_;  // the writer: a full batch, a flush, close
  std::condition_variable done_;  // flush(): rows retired
  std::vector<LedgerRow> queue_;
  uint64_t appended_ = 0, retired_ = 0;  // retired: committed or given up at close
  uint64_t flush_wanted_ = 0;            // flush() waits for rows up to this count
  bool closing_ = false;
  std::string last_error_;

  std::atomic<uint64_t> written_{0}, dropped_{0}, commits_{0}, errors_{0};
  std::set<int> logged_kinds_;  // writer thread only: sqlite primary codes already logged
  std::thread writer_;
};

}  // namespace ringgate::telemetry
