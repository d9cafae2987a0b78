// One try of one deployment within a request (engine/gateway/attempts.cc): what it holds while in
// flight, and how its request and response head went.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/gateway/attempt_plan.h"
#include "engine/gateway/buffer_pool.h"
#include "engine/gateway/clock.h"
#include "engine/gateway/deployment_state.h"
#include "engine/managed/managed_process.h"

namespace ringgate::gateway {

struct Attempt {
  Candidate candidate;
  DeploymentState* state = nullptr;  // null in passthrough: no routing state
  upstream::Permit permit;
  admission::ConcurrencyLimit* slot = nullptr;  // entered for this attempt; left by release()
  size_t key = 0;                               // index into the deployment's keys
  // The caller's own provider key (BYOK, or x-ringgate-provider-key) for this attempt, used
  // instead of the pool; "" = the pool's key.
  std::string_view byok_key;
  bool started = false;                        // counted in the deployment's load
  managed::ManagedProcess* managed = nullptr;  // in flight there (keeps an idle stop off)

  Attempt() = default;
  Attempt(const Attempt&) = delete;
  Attempt& operator=(const Attempt&) = delete;
  ~Attempt() { release(); }
  // For the next attempt: what this one held is given back first.
  void reset() {
    release();
    candidate = {};
    state = nullptr;
    permit = {};
    key = 0;
    byok_key = {};
  }
  void release() {
    if (slot) slot->leave();
    slot = nullptr;
    if (started && state) {
      state->load.on_finish();
      state->publish(now_ms());
    }
    started = false;
    if (managed) managed->end_request();
    managed = nullptr;
  }
};

// How sending the request and reading the response head went. fail_status 0: a head arrived.
struct HeadResult {
  int fail_status = 0;
  const char* fail_message = nullptr;
  std::string fail_detail;
  bool written = false;    // the request left whole: the upstream may be acting on it (billing)
  bool pool_full = false;  // the shard's own connection bound for the upstream, not its fault
  bool client_gone = false;
};

class UpstreamConnection;

// A request's attempts: the one that got the head the client will see, and that head's
// connection and read buffer, which the relay then uses.
struct AttemptRun {
  Attempt attempt;
  RawBuffer ubuf;
  std::unique_ptr<UpstreamConnection> conn;
  uint32_t attempts = 0;         // tries sent (or begun) toward upstreams
  uint32_t possibly_billed = 0;  // of them, written whole and then unanswered
};

}  // namespace ringgate::gateway
