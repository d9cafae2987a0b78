#include "engine/telemetry/ledger.h"

#include <pthread.h>

#include <algorithm>
#include <cstdio>

#include "engine/telemetry/ledger_db.h"
#include "engine/telemetry/ledger_queries.h"
#include "protocol/error_body.h"

namespace ringgate::telemetry {
namespace {

const std::string kInsert = "INSERT INTO requests (" + std::string(kLedgerColumns) + ") VALUES (" +
                            numbered_placeholders(1, kLedgerFieldCount) + ")";

void bind_row(sqlite3_stmt* s, const LedgerRow& r) {
  int i = 0;
  visit_ledger_fields(
      r,
      [&](const std::string& v) {
        sqlite3_bind_text(s, ++i, v.data(), int(v.size()), SQLITE_STATIC);
      },
      [&](int64_t v) { sqlite3_bind_int64(s, ++i, v); });
}

void log_line(const std::string& path, std::string_view event, const std::string& error) {
  std::string line = R"({"level":"error","event":")" + std::string(event) + R"(","path":")";
  protocol::append_json_escaped(line, path);
  line += R"(","error":")";
  protocol::append_json_escaped(line, error);
  line += "\"}\n";
  std::fputs(line.c_str(), stderr);
}

}  // namespace

struct Ledger::Db {
  ledger_db::Db db;
  ledger_db::Stmt insert;
};

LedgerOptions LedgerOptions::from(const config::LedgerConfig& c) {
  LedgerOptions o;
  o.flush_interval = std::chrono::milliseconds(c.flush_interval_ms);
  o.batch_rows = c.batch_rows;
  o.queue_rows = c.queue_rows;
  return o;
}

std::unique_ptr<Ledger> Ledger::open(const std::string& path, const LedgerOptions& options,
                                     std::string& error) {
  auto db = std::make_unique<Db>();
  db->db = ledger_db::open(path, ledger_db::Mode::kWrite, int(options.busy_timeout.count()), error);
  if (!db->db) return nullptr;
  std::string why;
  db->insert = ledger_db::prepare(db->db.get(), kInsert.c_str(), why);
  if (!db->insert) {
    error = "ledger " + path + ": " + why;
    return nullptr;
  }
  return std::unique_ptr<Ledger>(new Ledger(path, options, std::move(db)));
}

Ledger::Ledger(std::string path, const LedgerOptions& options, std::unique_ptr<Db> db)
    : path_(std::move(path)), options_(options), db_(std::move(db)), writer_([this] { run(); }) {}

Ledger::~Ledger() { close(); }

bool Ledger::append(LedgerRow&& row) {
  std::lock_guard lock(mu_);
  if (closing_ || queue_.size() >= options_.queue_rows) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  queue_.push_back(std::move(row));
  ++appended_;
  if (queue_.size() == options_.batch_rows) wake_.notify_one();
  return true;
}

void Ledger::flush() {
  std::unique_lock lock(mu_);
  const uint64_t target = appended_;
  flush_wanted_ = std::max(flush_wanted_, target);
  wake_.notify_one();
  done_.wait(lock, [&] { return retired_ >= target; });
}

bool Ledger::flush_for(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  const uint64_t target = appended_;
  flush_wanted_ = std::max(flush_wanted_, target);
  wake_.notify_one();
  return done_.wait_for(lock, timeout, [&] { return retired_ >= target; });
}

void Ledger::close() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable()) writer_.join();
}

LedgerStats Ledger::stats() const {
  std::lock_guard lock(mu_);
  return {written_.load(std::memory_order_relaxed),
          dropped_.load(std::memory_order_relaxed),
          appended_ - retired_,
          commits_.load(std::memory_order_relaxed),
          errors_.load(std::memory_order_relaxed),
          last_error_};
}

// Waits for a full batch, a flush, close, or the interval's end. false: closing, nothing left.
bool Ledger::wait_for_work(std::unique_lock<std::mutex>& lock) {
  const auto deadline = std::chrono::steady_clock::now() + options_.flush_interval;
  wake_.wait_until(lock, deadline, [&] {
    return closing_ || queue_.size() >= options_.batch_rows ||
           (flush_wanted_ > retired_ && !queue_.empty());
  });
  return !(closing_ && queue_.empty());
}

void Ledger::run() {
  // Named so per-thread CPU (/proc/PID/task/*/comm, top -H, perf) tells it from the shards.
  pthread_setname_np(pthread_self(), "rg-ledger");
  std::vector<LedgerRow> batch;
  std::unique_lock lock(mu_);
  while (wait_for_work(lock)) {
    if (queue_.empty()) continue;
    batch.swap(queue_);
    lock.unlock();
    write_with_retry(batch);
    const uint64_t n = batch.size();
    batch.clear();
    lock.lock();
    retired_ += n;
    done_.notify_all();
  }
}

// Retries a failed batch until it is written; once closing, one attempt more, then it is dropped.
void Ledger::write_with_retry(std::vector<LedgerRow>& batch) {
  const auto pause = std::clamp(options_.flush_interval, std::chrono::milliseconds(10),
                                std::chrono::milliseconds(1000));
  for (bool last = false;;) {
    std::string error;
    const int code = write_batch(batch, error);
    if (code == SQLITE_OK) {
      written_.fetch_add(batch.size(), std::memory_order_relaxed);
      commits_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    note_error(code, error);
    if (last) break;
    std::unique_lock lock(mu_);
    last = wake_.wait_for(lock, pause, [&] { return closing_; });
  }
  dropped_.fetch_add(batch.size(), std::memory_order_relaxed);
  log_line(path_, "ledger_rows_lost_at_close",
           std::to_string(batch.size()) + " rows not written: " + stats().last_error);
}

// One transaction; SQLITE_OK or the failing code, with the file rolled back.
int Ledger::write_batch(const std::vector<LedgerRow>& batch, std::string& error) {
  sqlite3* db = db_->db.get();
  sqlite3_stmt* insert = db_->insert.get();
  if (!ledger_db::exec(db, "BEGIN IMMEDIATE", error)) return sqlite3_errcode(db);
  for (const LedgerRow& r : batch) {
    bind_row(insert, r);
    const int rc = sqlite3_step(insert);
    sqlite3_reset(insert);
    if (rc != SQLITE_DONE) {
      error = sqlite3_errmsg(db);
      std::string ignored;
      ledger_db::exec(db, "ROLLBACK", ignored);
      return rc;
    }
  }
  sqlite3_clear_bindings(insert);
  if (ledger_db::exec(db, "COMMIT", error)) return SQLITE_OK;
  const int rc = sqlite3_errcode(db);
  std::string ignored;
  ledger_db::exec(db, "ROLLBACK", ignored);
  return rc == SQLITE_OK ? SQLITE_ERROR : rc;
}

void Ledger::note_error(int code, const std::string& error) {
  errors_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard lock(mu_);
    last_error_ = error;
  }
  if (logged_kinds_.insert(code & 0xff).second)
    log_line(path_, "ledger_write_failed", error + " (retrying; logged once per kind)");
}

}  // namespace ringgate::telemetry
