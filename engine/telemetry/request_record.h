// What one request leaves behind, built at the session's single completion point whatever
// happened, and carried off the shard to the accounting thread, which completes it (usage, cost)
// and settles what the request still owes. Fixed-size fields, so pushing a record onto the ring
// allocates nothing.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "engine/admission/admission_decision.h"
#include "engine/config/runtime.h"

namespace ringgate::telemetry {

// A bounded copy of a string: long values are cut, never allocated.
template <size_t N>
struct ShortText {
  char bytes[N];
  uint8_t size = 0;
  static_assert(N <= 255);
  void assign(std::string_view s) {
    size = uint8_t(s.size() < N ? s.size() : N);
    std::memcpy(bytes, s.data(), size);
  }
  std::string_view view() const { return {bytes, size}; }
};

enum class Outcome : uint8_t {
  kAnswered,        // a response reached the client whole (whatever its status)
  kLocal,           // answered by the gateway itself (health, models, OPTIONS, refusals)
  kUpstreamFailed,  // the upstream failed or timed out; the client got a 5xx or an error event
  kClientGone,      // the client left before the answer was whole
};

// What the exact cache did for the request ("none": off, or not a generation request).
enum class CacheResult : uint8_t { kNone, kBypass, kMiss, kHit, kCoalesced, kSemantic };

struct RequestRecord {
  ShortText<128> request_id;
  ShortText<64> client_key;  // the virtual key's id, or "anonymous"; never the key
  // The caller's address (IPv4 in the first 4 bytes) and, when its key was refused, at most
  // the first few characters of what it presented: what the audit line shows (seed 001-9).
  uint8_t client_ip[16] = {};
  bool client_ip_v6 = false;
  bool auth_failed = false;
  ShortText<8> refused_key_prefix;
  ShortText<64> model_requested, model_served, upstream;
  ShortText<64> deployment;  // the one that answered (or the last tried); "" in passthrough
  uint8_t attempts = 0;      // tries toward upstreams, the one that answered included
  // Of them, written whole and then unanswered (timed out, closed): the upstream may have
  // generated, and billed, a response nobody got.
  uint8_t possibly_billed = 0;
  uint16_t status = 0;
  Outcome outcome = Outcome::kAnswered;
  uint64_t bytes_in = 0;   // request body bytes
  uint64_t bytes_out = 0;  // bytes written to the client, heads included
  // Relayed body bytes and sends as a tap counted them; taps_incomplete: some tap refused a
  // copy (full), so what it saw of this request is incomplete.
  uint64_t relayed_bytes = 0;
  uint32_t relayed_sends = 0;
  bool taps_incomplete = false;
  // Microseconds from the request's start; 0 where the request never got there.
  uint32_t admission_us = 0, cache_us = 0, upstream_connect_us = 0, upstream_ttfb_us = 0,
           total_us = 0;
  CacheResult cache = CacheResult::kNone;  // a hit reached no upstream and costs nothing

  // For the accounting thread. The snapshot the request ran on keeps `model` (for its price)
  // and the charge's buckets and budgets alive until the record is accounted.
  std::shared_ptr<const config::Runtime> runtime;
  const config::Model* model = nullptr;  // canonical; null in pass-through
  // What the answer costs per token: the serving deployment's price, else the serving model's
  // (a fallback's own), else null (model's price; none in pass-through).
  const config::Price* price = nullptr;
  admission::PendingCharge charge;  // what the request still owes, to correct to its usage
  // The upstream body's copy in the shard's TapRing, under this tag (tapped: one was opened).
  uint64_t tap_request = 0;
  bool tapped = false;

  // Filled in by the accounting thread.
  enum class UsageSource : uint8_t { kNone, kReported, kCounted };
  UsageSource usage_source = UsageSource::kNone;
  int64_t input_tokens = 0, output_tokens = 0, cached_input_tokens = 0, cache_creation_tokens = 0,
          reasoning_tokens = 0;
  int64_t cost_micros = 0;
  ShortText<64> upstream_model;  // the model the upstream said it served
  ShortText<32> finish_reason;
};

}  // namespace ringgate::telemetry
