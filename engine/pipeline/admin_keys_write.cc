#include "engine/pipeline/admin_keys_write.h"

#include <chrono>
#include <ctime>

#include "engine/pipeline/admin_auth.h"
#include "protocol/admin_key_request.h"

namespace ringgate::pipeline {

namespace {

constexpr std::string_view kNoStore = "Cache-Control: no-store\r\n";
constexpr std::string_view kPath = "/admin/keys";

Verdict refuse(int status, std::string message, protocol::ErrorCode code,
               std::string_view param = {}) {
  return Verdict::error({status, message, code, param}, kNoStore);
}

uint64_t steady_ms() {
  return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count());
}

const config::VirtualKey* find_key(const config::Config& cfg, std::string_view id) {
  for (const config::VirtualKey& k : cfg.admission.keys) {
    if (k.id == id) return &k;
  }
  return nullptr;
}

bool team_exists(const config::Config& cfg, std::string_view team) {
  for (const config::Team& t : cfg.admission.teams) {
    if (t.name == team) return true;
  }
  return false;
}

// The spec's auth rules: no admin key configured is 403, a wrong or missing one 401.
std::optional<Verdict> check_admin(const RequestContext& rq) {
  const config::Config& cfg = rq.runtime->config();
  if (!cfg.metrics.admin_key_sha256) {
    return refuse(403, "the admin API is closed: set [metrics] admin_key to use it",
                  protocol::ErrorCode::kConfigurationError);
  }
  if (!presents_admin_key(*rq.http, *cfg.metrics.admin_key_sha256)) {
    return refuse(401, "the admin API needs the admin key: Authorization: Bearer",
                  protocol::ErrorCode::kInvalidApiKey);
  }
  return std::nullopt;
}

// The body checked against the config this request runs on; the store decides the rest (an id
// another admin request took a moment ago).
std::optional<Verdict> parse_create(RequestContext& rq, const ShardServices& svc,
                                    KeyChange& change) {
  const config::Config& cfg = rq.runtime->config();
  protocol::AdminKeyRequest req;
  protocol::AdminKeyRequestError err;
  if (!protocol::parse_admin_key_request(*svc.json, rq.http->body, std::time(nullptr), req, err)) {
    return refuse(400, err.message, protocol::ErrorCode::kInvalidRequestBody, err.param);
  }
  if (!req.team.empty() && !team_exists(cfg, req.team)) {
    return refuse(400, "no [[teams]] entry is named '" + req.team + "'",
                  protocol::ErrorCode::kInvalidRequestBody, "team");
  }
  if (find_key(cfg, req.id)) {
    return refuse(409, "a key with id '" + req.id + "' exists", protocol::ErrorCode::kConflict,
                  "id");
  }
  change.id = std::move(req.id);
  change.team = std::move(req.team);
  change.expires_at = req.expires_at;
  return std::nullopt;
}

std::optional<Verdict> parse_revoke(const RequestContext& rq, std::string_view id,
                                    KeyChange& change) {
  if (!protocol::valid_admin_key_id(id)) {
    return refuse(404, "no key has this id", protocol::ErrorCode::kNotFound);
  }
  const config::VirtualKey* k = find_key(rq.runtime->config(), id);
  if (k && !k->managed) {
    return refuse(409,
                  "key '" + std::string(id) +
                      "' is in the config file, which the admin API does not change; remove it "
                      "there and reload",
                  protocol::ErrorCode::kConflict);
  }
  change.revoke = true;
  change.id = id;
  return std::nullopt;
}

}  // namespace

void KeyChangeWaiter::deliver(KeyChangeResult r) {
  std::lock_guard lock(mutex_);
  done_ = true;
  result_ = std::move(r);
  if (wake_) wake_();
}

bool KeyChangeWaiter::done() {
  std::lock_guard lock(mutex_);
  return done_;
}

KeyChangeResult KeyChangeWaiter::leave() {
  std::lock_guard lock(mutex_);
  wake_ = nullptr;
  return std::move(result_);
}

Verdict admin_keys_write(RequestContext& rq, const ShardServices& svc) {
  const protocol::HttpRequest& req = *rq.http;
  const bool create = req.method == "POST" && req.path == kPath;
  const bool revoke = req.method == "DELETE" && req.path.size() > kPath.size() + 1 &&
                      req.path.starts_with(kPath) && req.path[kPath.size()] == '/';
  if (!create && !revoke) return Verdict::go_on();
  if (std::optional<Verdict> v = check_admin(rq)) return *v;
  KeyChange change;
  std::optional<Verdict> bad = create ? parse_create(rq, svc, change)
                                      : parse_revoke(rq, req.path.substr(kPath.size() + 1), change);
  if (bad) return *bad;
  if (!svc.key_writer) {
    return refuse(503, "key management needs the ledger database: set [ledger] path",
                  protocol::ErrorCode::kConfigurationError);
  }
  auto waiter = std::make_shared<KeyChangeWaiter>(svc.wake);
  if (!svc.key_writer->submit(std::move(change), waiter)) {
    return refuse(503,
                  "the key store takes no change now (too many queued, or stopping); try again",
                  protocol::ErrorCode::kUpstreamUnavailable);
  }
  rq.key_change = std::move(waiter);
  rq.key_change_until_ms = steady_ms() + kKeyChangeWaitMs;
  return Verdict::go_on();
}

Verdict admin_keys_written(RequestContext& rq) {
  KeyChangeResult r = rq.key_change->leave();
  rq.key_change.reset();
  if (r.status == 0) {
    return refuse(503, "the key store did not answer in time; the change may still apply",
                  protocol::ErrorCode::kUpstreamUnavailable);
  }
  if (r.status >= 300) return Verdict::error(std::move(r.error), kNoStore);
  rq.local_body = std::move(r.body);
  return Verdict::local(r.status, "application/json", rq.local_body, kNoStore);
}

}  // namespace ringgate::pipeline
