// POST /admin/keys and DELETE /admin/keys/{id}: the admin API's writes. The stage checks the
// admin key and the request on the shard, then hands the change to the node's KeyWriter (the key
// store's thread: SQLite never runs on a shard) and parks the request; the store answers through
// a KeyChangeWaiter, which wakes the shard.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "engine/pipeline/request_context.h"
#include "engine/pipeline/shard_services.h"
#include "engine/pipeline/verdict.h"
#include "protocol/api_error.h"

namespace ringgate::pipeline {

struct KeyChange {
  bool revoke = false;  // false: create
  std::string id;
  std::string team;  // create: "" = none
  std::optional<int64_t> expires_at;
};

// What the store answers: a status with a JSON body (2xx) or an error.
struct KeyChangeResult {
  int status = 0;
  std::string body;
  protocol::ApiError error;
};

// Shared by the parked request and the store thread, which may answer after the request gave up:
// once leave() has run, deliver() no longer wakes the shard.
class KeyChangeWaiter {
 public:
  explicit KeyChangeWaiter(std::function<void()> wake) : wake_(std::move(wake)) {}
  void deliver(KeyChangeResult r);
  bool done();
  // Ends the wait; the result (status 0: none came) is the request's from now on.
  KeyChangeResult leave();

 private:
  std::mutex mutex_;
  std::function<void()> wake_;
  bool done_ = false;
  KeyChangeResult result_;
};

class KeyWriter {
 public:
  // Queues the change; false when the queue is full (the request is answered 503).
  virtual bool submit(KeyChange change, std::shared_ptr<KeyChangeWaiter> waiter) = 0;

 protected:
  ~KeyWriter() = default;
};

// How long a parked write waits for the store before it answers 503.
inline constexpr uint64_t kKeyChangeWaitMs = 5000;

// POST /admin/keys or DELETE /admin/keys/{id}: answered here (auth, bad input, conflicts), or
// parked with rq.key_change set (the session waits, then calls admin_keys_written). Goes on for
// any other request.
Verdict admin_keys_write(RequestContext& rq, const ShardServices& svc);
// The parked request's answer: the store's, or 503 when it did not come before the deadline.
Verdict admin_keys_written(RequestContext& rq);

}  // namespace ringgate::pipeline
