// The fleet ledger's shipper: its own thread (never a shard, never the accounting thread) reads
// the rows the node's SQLite ledger committed after a watermark kept in that same file, INSERTs
// them into PostgreSQL in batches, then advances the watermark. The file stays the node's durable
// log: with PostgreSQL down rows wait in it and go when it is back (reconnecting with backoff).
// Delivery is at least once (a crash between the INSERT and the watermark sends a batch again)
// and PostgreSQL keeps each row once: the key is the file's random ledger id and the row's id.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "engine/config/config.h"

namespace ringgate::telemetry {

class LedgerReader;
class PgConnection;

struct PgShipperOptions {
  std::string conninfo;  // holds a password: never logged
  std::string node;      // this node's name in the fleet ledger
  std::chrono::milliseconds interval{1000};
  size_t batch_rows = 500;

  static PgShipperOptions from(const config::LedgerConfig& config, std::string node);
};

struct PgShipperStats {
  bool connected = false;
  uint64_t rows_shipped = 0;  // sent and acknowledged (dedup may have kept fewer new ones)
  uint64_t backlog = 0;       // committed in the file, not yet shipped
  uint64_t batches = 0;
  uint64_t errors = 0;     // failed connects and statements
  std::string last_error;  // scrubbed of the password; "" when none yet
  std::string where;       // host:port/db once connected
};

class PgShipper {
 public:
  // Opens the node's ledger at `ledger_path` (the Ledger must have created it) and its watermark;
  // does not connect yet. null with `error` on a file error.
  static std::unique_ptr<PgShipper> open(const std::string& ledger_path, PgShipperOptions options,
                                         std::string& error);
  ~PgShipper();  // stop()
  PgShipper(const PgShipper&) = delete;
  PgShipper& operator=(const PgShipper&) = delete;

  // Before start(), on the caller's thread: ships until nothing is left or `timeout` passed.
  // true when caught up (then the fleet ledger holds every row of this file).
  bool catch_up(std::chrono::milliseconds timeout);
  void start();
  // After the Ledger closed: ships what is left (for at most `grace`), then stops the thread.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(3000));

  PgShipperStats stats() const;
  // `"ledger_postgres":{...}` for /readyz.
  void append_json(std::string& out) const;

 private:
  struct Files;
  PgShipper(PgShipperOptions options, std::unique_ptr<Files> files);

  void run();
  // One pass: connects if needed, then ships batches until caught up, `deadline`, or an error.
  bool ship_pass(std::chrono::steady_clock::time_point deadline);
  bool ensure_connected();
  bool ship_batch(bool& caught_up);
  void note_error(std::string_view event, const std::string& error);
  void refresh_backlog();

  const PgShipperOptions options_;
  std::unique_ptr<Files> files_;      // the shipper's thread only (or catch_up's, before start)
  std::unique_ptr<PgConnection> pg_;  // likewise
  std::chrono::steady_clock::time_point next_connect_{};
  std::chrono::milliseconds backoff_{100};
  bool said_down_ = false;

  mutable std::mutex mu_;  // last_error_, where_; and the thread's sleep
  std::condition_variable wake_;
  bool stopping_ = false;
  std::chrono::milliseconds grace_{3000};
  std::string last_error_, where_;
  std::atomic<bool> connected_{false};
  std::atomic<uint64_t> shipped_{0}, backlog_{0}, batches_{0}, errors_{0};
  std::thread thread_;
};

}  // namespace ringgate::telemetry
