#include "engine/gateway/key_store.h"

#include <chrono>
#include <ctime>

#include "protocol/error_body.h"

namespace ringgate::gateway {

namespace {

// A bound on parked admin requests; more are answered 503 at once.
constexpr size_t kMaxQueued = 64;
// How often the thread looks for keys that expired (their audit line; admission refuses them
// on its own, to the second).
constexpr auto kExpiryScan = std::chrono::milliseconds(250);

using pipeline::KeyChange;
using pipeline::KeyChangeResult;

KeyChangeResult failure(int status, std::string message, protocol::ErrorCode code) {
  KeyChangeResult r;
  r.status = status;
  r.error = {status, message, code};
  return r;
}

void append_string_or_null(std::string& out, std::string_view s) {
  if (s.empty()) {
    out += "null";
    return;
  }
  out.push_back('"');
  protocol::append_json_escaped(out, s);
  out.push_back('"');
}

void append_int_or_null(std::string& out, const std::optional<int64_t>& v) {
  out += v ? std::to_string(*v) : "null";
}

config::VirtualKey to_key(const telemetry::ManagedKeyRow& row) {
  config::VirtualKey k;
  k.id = row.id;
  k.sha256 = row.sha256;
  k.team = row.team;
  k.managed = true;
  k.expires_at = row.expires_at;
  return k;
}

}  // namespace

std::unique_ptr<KeyStore> KeyStore::open(const std::string& path, std::string& err,
                                         std::FILE* audit) {
  std::unique_ptr<telemetry::ManagedKeyDb> db = telemetry::ManagedKeyDb::open(path, err);
  if (!db) return nullptr;
  std::vector<telemetry::ManagedKeyRow> rows;
  if (!db->load(rows, err)) {
    err = "ledger " + path + ": cannot read the managed keys: " + err;
    return nullptr;
  }
  return std::unique_ptr<KeyStore>(new KeyStore(std::move(db), std::move(rows), audit));
}

KeyStore::KeyStore(std::unique_ptr<telemetry::ManagedKeyDb> db,
                   std::vector<telemetry::ManagedKeyRow> rows, std::FILE* audit)
    : db_(std::move(db)), rows_(std::move(rows)), audit_(audit) {}

KeyStore::~KeyStore() { stop(); }

std::vector<config::VirtualKey> KeyStore::active_keys() const {
  std::vector<config::VirtualKey> keys;
  for (const telemetry::ManagedKeyRow& r : rows_) {
    if (!r.revoked_at) keys.push_back(to_key(r));
  }
  return keys;
}

void KeyStore::start(Hooks hooks) {
  hooks_ = std::move(hooks);
  accepting_ = true;
  thread_ = std::thread([this] { run(); });
}

void KeyStore::stop() {
  {
    std::lock_guard lock(mutex_);
    accepting_ = false;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool KeyStore::submit(KeyChange change, std::shared_ptr<pipeline::KeyChangeWaiter> w) {
  {
    std::lock_guard lock(mutex_);
    if (!accepting_ || queue_.size() >= kMaxQueued) return false;
    queue_.push_back({std::move(change), std::move(w)});
  }
  cv_.notify_one();
  return true;
}

void KeyStore::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait_for(lock, kExpiryScan, [this] { return stopping_ || !queue_.empty(); });
    while (!queue_.empty()) {
      Job job = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      job.waiter->deliver(job.change.revoke ? revoke(job.change) : create(job.change));
      lock.lock();
    }
    if (stopping_) return;
    lock.unlock();
    log_expired();
    lock.lock();
  }
}

KeyChangeResult KeyStore::create(const KeyChange& c) {
  if (hooks_.config_has && hooks_.config_has(c.id)) {
    return failure(409, "a key with id '" + c.id + "' exists in the config file",
                   protocol::ErrorCode::kConflict);
  }
  const std::optional<std::string> key = config::generate_key();
  if (!key) return failure(500, "the random generator failed", protocol::ErrorCode::kUpstreamError);
  telemetry::ManagedKeyRow row;
  row.id = c.id;
  row.sha256 = config::sha256(*key);
  row.team = c.team;
  row.created_at = std::time(nullptr);
  row.expires_at = c.expires_at;
  std::string err;
  switch (db_->insert(row, err)) {
    case telemetry::ManagedKeyDb::Insert::kOk:
      break;
    case telemetry::ManagedKeyDb::Insert::kExists:
      return failure(409, "a key with id '" + c.id + "' exists (ids of revoked keys stay taken)",
                     protocol::ErrorCode::kConflict);
    case telemetry::ManagedKeyDb::Insert::kFailed:
      std::fprintf(stderr, "ringgate: warning: admin key create: ledger: %s\n", err.c_str());
      return failure(503, "the ledger database refused the write; nothing changed",
                     protocol::ErrorCode::kConfigurationError);
  }
  rows_.push_back(row);
  if (hooks_.publish) hooks_.publish(active_keys());
  audit("key_created", row);
  KeyChangeResult r;
  r.status = 201;
  r.body = "{\"id\":\"" + row.id + "\",\"key\":\"" + *key + "\",\"team\":";
  append_string_or_null(r.body, row.team);
  r.body += ",\"expires_at\":";
  append_int_or_null(r.body, row.expires_at);
  r.body += '}';
  return r;
}

KeyChangeResult KeyStore::revoke(const KeyChange& c) {
  std::string err;
  const int64_t now = std::time(nullptr);
  switch (db_->revoke(c.id, now, err)) {
    case telemetry::ManagedKeyDb::Revoke::kOk:
      break;
    case telemetry::ManagedKeyDb::Revoke::kUnknown:
      return failure(404, "no key has the id '" + c.id + "'", protocol::ErrorCode::kNotFound);
    case telemetry::ManagedKeyDb::Revoke::kAlreadyRevoked:
      return failure(404, "key '" + c.id + "' is already revoked", protocol::ErrorCode::kNotFound);
    case telemetry::ManagedKeyDb::Revoke::kFailed:
      std::fprintf(stderr, "ringgate: warning: admin key revoke: ledger: %s\n", err.c_str());
      return failure(503, "the ledger database refused the write; nothing changed",
                     protocol::ErrorCode::kConfigurationError);
  }
  telemetry::ManagedKeyRow* row = nullptr;
  for (telemetry::ManagedKeyRow& r : rows_) {
    if (r.id == c.id) row = &r;
  }
  if (row) {
    row->revoked_at = now;
    if (hooks_.publish) hooks_.publish(active_keys());
    audit("key_revoked", *row);
  }
  KeyChangeResult r;
  r.status = 200;
  r.body = "{\"id\":\"" + c.id + "\",\"revoked\":true}";
  return r;
}

// Once per key, across restarts (expiry_logged), when its expiry has passed and it was not
// revoked first.
void KeyStore::log_expired() {
  const int64_t now = std::time(nullptr);
  for (telemetry::ManagedKeyRow& r : rows_) {
    if (r.revoked_at || r.expiry_logged || !r.expires_at || *r.expires_at > now) continue;
    std::string err;
    if (!db_->mark_expiry_logged(r.id, err)) continue;  // tried again at the next scan
    r.expiry_logged = true;
    audit("key_expired", r);
  }
}

void KeyStore::audit(std::string_view event, const telemetry::ManagedKeyRow& row) {
  if (!audit_) return;
  std::string line = "{\"audit\":\"";
  line += event;
  line += "\",\"id\":\"" + row.id + "\",\"team\":";  // ids are [A-Za-z0-9._-]: nothing to escape
  append_string_or_null(line, row.team);
  line += ",\"actor\":\"admin\",\"expires_at\":";
  append_int_or_null(line, row.expires_at);
  line += ",\"time\":" + std::to_string(std::time(nullptr)) + "}\n";
  std::fputs(line.c_str(), audit_);
  std::fflush(audit_);
}

}  // namespace ringgate::gateway
