// What the admit stage hands the Gatekeeper, what it gets back, and what the completion point
// settles: plain fixed-size values, so admitting allocates nothing.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "engine/admission/budget_store.h"
#include "engine/admission/fleet_lease.h"
#include "engine/admission/ip_address.h"
#include "engine/admission/limit_set.h"
#include "engine/config/config.h"

namespace ringgate::admission {

inline constexpr std::string_view kAnonymousKeyId = "anonymous";
inline constexpr int64_t kUnknown = -1;

struct AdmitInput {
  std::string_view key;  // as presented (Bearer, x-api-key, api-key); "" if none
  // The verified client certificate's subject (mutual TLS), "" without one; stands in for a key
  // whose tls_subject it is when `key` is "".
  std::string_view tls_subject;
  IpAddress client;                      // from client_address()
  const config::Model* model = nullptr;  // canonical; null for a path with no model
  // In pass-through mode (no model table) the model the client named, which a key's `models`
  // patterns are matched against; "" there for a path with no model. Unused when `model` is set.
  std::string_view model_name;
  const config::Price* price = nullptr;  // the dearest deployment's; null: model->price
  uint64_t input_tokens = 0;             // the cheap upper bound from the body's length
  uint64_t max_output_tokens = 0;        // max_tokens, or the model's default
  uint64_t now_ns = 0;                   // steady clock: buckets
  int64_t unix_s = 0;                    // wall clock: budget days and months (UTC)
  uint64_t unix_ms = 0;                  // wall clock: fleet-wide windows; 0: from unix_s
  // An exact-mode decision timed out and on_redis_down = "local": exact leases are skipped
  // (the node's own buckets still apply).
  bool skip_exact_fleet = false;
};

// Whose limit or budget refused.
enum class Scope : uint8_t { kKey, kTeam, kModel, kAddress };
std::string_view scope_name(Scope scope);  // "key", "team", "model", "address"

enum class RefusalKind : uint8_t {
  kNone,
  kMissingKey,        // 401
  kInvalidKey,        // 401
  kModelNotAllowed,   // 403 (the model exists; a key that may not use it is told so, not 404)
  kPathNotAllowed,    // 403: a path with no model, for a key without allow_modelless_paths
  kRateLimited,       // 429
  kAnonymousFull,     // 429: no slot for this address in the anonymous table
  kBudgetExceeded,    // 402
  kFleetUnavailable,  // 503: fleet-wide limits need Redis, which is gone (on_redis_down = closed)
  kBudgetRenewing,    // 429: this node's lease of a fleet-wide budget is being renewed
  kFleetPending,      // exact mode: Redis is asked; the session waits and admits again
};

struct Refusal {
  RefusalKind kind = RefusalKind::kNone;
  Scope scope = Scope::kKey;
  LimitRefusal limit;           // kRateLimited: the limit with the longest wait
  uint64_t retry_after_ms = 0;  // kRateLimited, kAnonymousFull, kBudgetRenewing: never 0
  BudgetRefusal budget;         // kBudgetExceeded, kBudgetRenewing
  uint64_t requested_tokens = 0;
};

// What a finished request still owes once its concurrency slot is left: the tokens and the
// budget reservations, to correct when its usage is known. A plain copyable value, so it can
// travel off the shard in the request's record and be corrected there (buckets and budgets are
// atomic); its pointers are into the Gatekeeper that issued the ticket, like the ticket's.
struct PendingCharge {
  static constexpr int kMaxSets = 3, kMaxAccounts = 2;  // key or address, team, model
  std::array<LimitSet*, kMaxSets> sets{};
  std::array<BudgetAccount*, kMaxAccounts> accounts{};
  std::array<BudgetHold, kMaxAccounts> holds{};
  // Fleet-wide request windows taken (key and team, per minute, hour and day), and in which
  // window each was taken: a refund gives back only to a window still current.
  static constexpr int kMaxFleet = 6;
  std::array<FleetLease*, kMaxFleet> fleet{};
  std::array<uint64_t, kMaxFleet> fleet_window{};
  uint64_t tokens = 0;  // the estimate taken from every tokens bucket
  uint8_t sets_count = 0, accounts_count = 0, fleet_count = 0;

  bool active() const { return sets_count || accounts_count || fleet_count; }
};

// What admission took, to give back or correct at the completion point. Move-only; settle()
// clears it, so a request cannot be settled twice. Its pointers are into the Gatekeeper that
// issued it: keep that snapshot alive until the ticket is settled.
class Ticket {
 public:
  Ticket() = default;
  Ticket(Ticket&& o) noexcept { *this = std::move(o); }
  Ticket& operator=(Ticket&& o) noexcept;
  Ticket(const Ticket&) = delete;
  Ticket& operator=(const Ticket&) = delete;

  bool active() const { return taken_.active(); }

 private:
  friend class Gatekeeper;
  void clear() { taken_ = {}; }

  PendingCharge taken_;  // what admission took; `tokens` from every tokens bucket
};

struct Decision {
  Refusal refusal;
  std::string_view key_id = kAnonymousKeyId;  // for logs, metrics and the ledger
  std::string_view team_id;                   // the key's team, "" without one (cache scope)
  LimitHeaders headers;                       // the caller's own tightest buckets
  Ticket ticket;
  // The caller's own provider keys (BYOK), by upstream; views into the Gatekeeper.
  std::span<const config::ProviderKey> provider_keys;

  bool ok() const { return refusal.kind == RefusalKind::kNone; }
};

// What the completion point knows about how the request ended.
struct SettleInput {
  // The request never reached an upstream: give back the request, its tokens and its reservation.
  bool refund = false;
  int64_t input_tokens = kUnknown, output_tokens = kUnknown;  // unknown keeps the estimate
  int64_t cost_micros = kUnknown;                             // unknown keeps the reservation
  uint64_t now_ns = 0;
  int64_t unix_s = 0;
};

}  // namespace ringgate::admission
