#include "engine/telemetry/pg_shipper.h"

#include <openssl/rand.h>
#include <pthread.h>

#include <algorithm>
#include <cstdio>

#include "engine/telemetry/ledger_db.h"
#include "engine/telemetry/ledger_reader.h"
#include "engine/telemetry/pg_connection.h"
#include "engine/telemetry/pg_insert.h"
#include "protocol/error_body.h"

namespace ringgate::telemetry {
namespace {

// One row: which file this is to the fleet ledger, and the last row id PostgreSQL acknowledged.
constexpr const char* kWatermarkSchema =
    "CREATE TABLE IF NOT EXISTS fleet_shipped (ledger_id TEXT NOT NULL, shipped_id INTEGER NOT "
    "NULL)";

std::optional<std::string> random_ledger_id() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return std::nullopt;
  static const char* hex = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id.push_back(hex[b >> 4]);
    id.push_back(hex[b & 15]);
  }
  return id;
}

void log_event(std::string_view level, std::string_view event, const std::string& detail) {
  std::string line = R"({"level":")" + std::string(level) + R"(","event":")" + std::string(event) +
                     R"(","detail":")";
  protocol::append_json_escaped(line, detail);
  line += "\"}\n";
  std::fputs(line.c_str(), stderr);
}

}  // namespace

struct PgShipper::Files {
  ledger_db::Db db;  // the watermark's connection (writes)
  std::unique_ptr<LedgerReader> reader;
  std::string ledger_id;
  int64_t shipped_id = 0;

  // Reads the watermark, or makes one for a file never shipped. false with `error`.
  bool load_watermark(std::string& error) {
    if (!ledger_db::exec(db.get(), kWatermarkSchema, error)) return false;
    ledger_db::Stmt s =
        ledger_db::prepare(db.get(), "SELECT ledger_id, shipped_id FROM fleet_shipped", error);
    if (!s) return false;
    if (sqlite3_step(s.get()) == SQLITE_ROW) {
      ledger_id = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
      shipped_id = sqlite3_column_int64(s.get(), 1);
      return true;
    }
    std::optional<std::string> id = random_ledger_id();
    if (!id) {
      error = "no random bytes for the ledger id";
      return false;
    }
    ledger_id = *id;
    const std::string insert =
        "INSERT INTO fleet_shipped (ledger_id, shipped_id) VALUES ('" + ledger_id + "', 0)";
    return ledger_db::exec(db.get(), insert.c_str(), error);
  }

  bool save_watermark(int64_t id, std::string& error) {
    const std::string sql = "UPDATE fleet_shipped SET shipped_id = " + std::to_string(id);
    if (!ledger_db::exec(db.get(), sql.c_str(), error)) return false;
    shipped_id = id;
    return true;
  }
};

PgShipperOptions PgShipperOptions::from(const config::LedgerConfig& c, std::string node) {
  PgShipperOptions o;
  o.conninfo = c.postgres_conninfo;
  o.node = std::move(node);
  o.interval = std::chrono::milliseconds(c.postgres_flush_interval_ms);
  o.batch_rows = std::clamp<size_t>(c.postgres_batch_rows, 1, kPgMaxBatchRows);
  return o;
}

std::unique_ptr<PgShipper> PgShipper::open(const std::string& ledger_path, PgShipperOptions options,
                                           std::string& error) {
  auto files = std::make_unique<Files>();
  files->db = ledger_db::open(ledger_path, ledger_db::Mode::kWrite, 5000, error);
  if (!files->db) return nullptr;
  files->reader = LedgerReader::open(ledger_path, error);
  if (!files->reader) return nullptr;
  std::string why;
  if (!files->load_watermark(why)) {
    error = "ledger " + ledger_path + ": fleet watermark: " + why;
    return nullptr;
  }
  return std::unique_ptr<PgShipper>(new PgShipper(std::move(options), std::move(files)));
}

PgShipper::PgShipper(PgShipperOptions options, std::unique_ptr<Files> files)
    : options_(std::move(options)), files_(std::move(files)) {
  refresh_backlog();
}

PgShipper::~PgShipper() { stop(); }

void PgShipper::start() {
  thread_ = std::thread([this] { run(); });
}

void PgShipper::stop(std::chrono::milliseconds grace) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    grace_ = grace;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

bool PgShipper::catch_up(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (ship_pass(deadline)) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    std::this_thread::sleep_until(std::min(deadline, std::max(now, next_connect_)));
  }
}

void PgShipper::run() {
  pthread_setname_np(pthread_self(), "rg-ledger-pg");
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    // Bounded, so a long backlog after an outage never keeps stop() waiting; more to send (and
    // connected): straight on, without the interval's pause.
    const bool caught_up = ship_pass(std::chrono::steady_clock::now() + std::chrono::seconds(1));
    lock.lock();
    if (!caught_up && connected_.load()) continue;
    wake_.wait_for(lock, options_.interval, [&] { return stopping_; });
  }
  // The Ledger closed before stop(): its last rows are in the file now.
  const auto deadline = std::chrono::steady_clock::now() + grace_;
  lock.unlock();
  while (!ship_pass(deadline) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

bool PgShipper::ship_pass(std::chrono::steady_clock::time_point deadline) {
  if (!ensure_connected()) return false;
  for (bool caught_up = false; !caught_up;) {
    if (!ship_batch(caught_up)) return false;
    if (std::chrono::steady_clock::now() >= deadline) break;
  }
  refresh_backlog();
  return backlog_.load() == 0;
}

bool PgShipper::ensure_connected() {
  if (pg_ && !pg_->broken()) return true;
  pg_.reset();
  connected_.store(false);
  if (std::chrono::steady_clock::now() < next_connect_) {
    refresh_backlog();  // rows keep arriving in the file meanwhile
    return false;
  }
  std::string error;
  pg_ = PgConnection::connect(options_.conninfo, error);
  if (pg_ && !pg_->run_script(kPgLedgerSchema, error)) pg_.reset();
  if (!pg_) {
    note_error("ledger_pg_unavailable", error);
    return false;
  }
  backoff_ = std::chrono::milliseconds(100);
  connected_.store(true);
  {
    std::lock_guard lock(mu_);
    where_ = pg_->where();
  }
  log_event("info", "ledger_pg_connected", where_ + " as node " + options_.node);
  said_down_ = false;
  return true;
}

// One batch after the watermark. false on an error (the connection is dropped, retried later).
bool PgShipper::ship_batch(bool& caught_up) {
  std::string error;
  std::optional<std::vector<LedgerRow>> rows =
      files_->reader->rows_after(files_->shipped_id, options_.batch_rows, error);
  if (!rows) {
    note_error("ledger_pg_read_failed", error);
    return false;
  }
  caught_up = rows->empty();
  if (caught_up) return true;
  const PgInsert insert = encode_pg_insert(options_.node, files_->ledger_id, *rows);
  if (!pg_->run(insert.sql, insert.values, error)) {
    pg_.reset();
    connected_.store(false);
    note_error("ledger_pg_insert_failed", error);
    return false;
  }
  shipped_.fetch_add(rows->size());
  batches_.fetch_add(1);
  // Not saved (the file busy): the batch goes again and PostgreSQL keeps it once.
  if (!files_->save_watermark(rows->back().id, error)) {
    note_error("ledger_pg_watermark_failed", error);
    return false;
  }
  return true;
}

void PgShipper::refresh_backlog() {
  std::string error;
  if (std::optional<int64_t> last = files_->reader->last_id(error))
    backlog_.store(uint64_t(std::max<int64_t>(0, *last - files_->shipped_id)));
}

// Logged when the fleet ledger goes away, not for each retry; the backoff doubles to 5 s.
void PgShipper::note_error(std::string_view event, const std::string& error) {
  errors_.fetch_add(1);
  {
    std::lock_guard lock(mu_);
    last_error_ = error;
  }
  next_connect_ = std::chrono::steady_clock::now() + backoff_;
  backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(5000));
  if (!said_down_) log_event("error", event, error + " (rows wait in the node's ledger; retrying)");
  said_down_ = true;
  refresh_backlog();
}

PgShipperStats PgShipper::stats() const {
  PgShipperStats s;
  s.connected = connected_.load();
  s.rows_shipped = shipped_.load();
  s.backlog = backlog_.load();
  s.batches = batches_.load();
  s.errors = errors_.load();
  std::lock_guard lock(mu_);
  s.last_error = last_error_;
  s.where = where_;
  return s;
}

void PgShipper::append_json(std::string& out) const {
  const PgShipperStats s = stats();
  out += R"("ledger_postgres":{"connected":)";
  out += s.connected ? "true" : "false";
  out += R"(,"node":")";
  protocol::append_json_escaped(out, options_.node);
  out += R"(","where":")";
  protocol::append_json_escaped(out, s.where);
  out += R"(","rows_shipped":)" + std::to_string(s.rows_shipped) + R"(,"backlog_rows":)" +
         std::to_string(s.backlog) + R"(,"errors":)" + std::to_string(s.errors) +
         R"(,"last_error":")";
  protocol::append_json_escaped(out, s.last_error);
  out += "\"}";
}

}  // namespace ringgate::telemetry
