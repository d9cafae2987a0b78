// The admission part of the configuration: who may call ([auth], [[keys]], [[teams]],
// [anonymous]), how much ([limits], [budget], model prices) and from where ([server]
// trusted_proxies, [cors]). Plain values, like the rest of Config; engine/admission turns them
// into shared lock-free state.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ringgate::config {

// Every limit is a count per window; 0 means no limit of that kind.
struct RateLimits {
  uint64_t rpm = 0, rph = 0, rpd = 0;  // requests per minute, hour, day
  uint64_t tpm = 0, tph = 0, tpd = 0;  // tokens (input estimate + max output) per minute, hour, day
  uint32_t concurrent = 0;             // requests in flight

  bool any() const { return rpm || rph || rpd || tpm || tph || tpd || concurrent; }
};

// Integer microdollars (1 USD = 1'000'000), each period explicit (seed-defect 000-M1); 0 = none.
// Days and months are UTC calendar periods.
struct Budget {
  int64_t daily_micros = 0, monthly_micros = 0, total_micros = 0;

  bool any() const { return daily_micros || monthly_micros || total_micros; }
};

// A budget's alert_percent: the percents of each of its periods that raise an alert; unset:
// [alerts] budget_percent; empty: none for this budget.
using AlertPercents = std::optional<std::vector<uint16_t>>;

// Microdollars per million tokens (2.50 USD/Mtok is 2'500'000). `set` is false when the config
// names no price: such a model costs 0 and budgets cannot reserve for it.
struct Price {
  int64_t input_per_mtok_micros = 0;
  int64_t output_per_mtok_micros = 0;
  int64_t cached_input_per_mtok_micros = 0;
  int64_t cache_write_per_mtok_micros = 0;
  bool set = false;
};

enum class AuthMode {
  kUnset,  // refused at load unless keys are configured (then it means kKeys)
  kKeys,   // every request presents a virtual key
  kNone,   // open access, written explicitly; warned about loudly
};

struct Team {
  std::string name;
  RateLimits limits;
  Budget budget;
  AlertPercents budget_alert_percent;
};

// Bring your own key: a provider key a virtual key carries for one [[upstreams]] entry, used
// instead of the deployment's pool for requests of that key to that upstream.
struct ProviderKey {
  std::string upstream;  // an [[upstreams]] name
  std::string secret;    // unsealed at load ([byok] master key); never logged
};

struct VirtualKey {
  std::string id;                    // what logs, metrics and the ledger show; never the key
  std::array<uint8_t, 32> sha256{};  // of the key's bytes; the config never holds a key in clear
  bool has_sha256 = true;            // false: the key is presented only as a client certificate
  // Mutual TLS: a verified client certificate with this subject (RFC 2253, "CN=svc-a,O=Example")
  // stands in for the key when the request presents none. "" = none.
  std::string tls_subject;
  std::string team;                 // "" = no team
  std::vector<std::string> models;  // glob patterns ("gpt-4o*") on canonical names; empty = all
  RateLimits limits;
  Budget budget;
  AlertPercents budget_alert_percent;
  bool allow_modelless_paths = false;      // files, batches and other /v1 paths with no model
  std::vector<ProviderKey> provider_keys;  // provider_keys = { UPSTREAM = "rgk1:..." }
  // Created through the admin API (POST /admin/keys), stored in the ledger database; the
  // config file's keys are false. Only those may carry an expiry (unix seconds).
  bool managed = false;
  std::optional<int64_t> expires_at;
};

// Optional free tier for callers without a key (only when auth mode is "keys").
struct Anonymous {
  bool enabled = false;
  std::vector<std::string> models;  // patterns, as for keys; empty = all
  RateLimits limits_per_address;
};

// An address prefix: "10.0.0.0/8", "::1/128", or a bare address (a full-length prefix).
struct Cidr {
  bool v6 = false;
  std::array<uint8_t, 16> addr{};  // network order; IPv4 uses the first 4 bytes
  uint8_t prefix_len = 0;
};

struct Cors {
  std::vector<std::string> allowed_origins;  // exact "scheme://host[:port]"; "*" allows any
};

struct Admission {
  AuthMode mode = AuthMode::kUnset;
  std::vector<Team> teams;
  std::vector<VirtualKey> keys;
  Anonymous anonymous;
  std::vector<Cidr> trusted_proxies;  // [server] trusted_proxies
  Cors cors;
  std::string byok_master_ref;  // [byok] master_key as written ("env:NAME" / "file:PATH")
};

}  // namespace ringgate::config
