// The exact cache's key: SHA-256 over a canonical, type-tagged, length-prefixed encoding of
// (scope, front, endpoint, canonical model, the body's answer-changing fields). Pure function.
//
// Why SHA-256: within one scope a key collision serves a wrong answer, and the body is chosen by
// the client, so collisions must not be cheap to produce; a non-cryptographic 128-bit hash
// (xxh3, CityHash) offers no such guarantee. SHA-256 costs ~1-2 GB/s with SHA-NI, well below the
// cost of parsing the body, which we do anyway.
//
// Canonical form: object keys sorted by their decoded bytes, whitespace ignored, strings by their
// decoded value (so "\u0041" == "A"), numbers with an exact integer value in [-2^63, 2^64) as
// integers (1.0 == 1 == 1e0), other numbers as the parsed double's bits (-0.0 == 0.0). Every
// field is tagged and length-prefixed, never concatenated (seed-defect 000-C3): ("ab","c") and
// ("a","bc") give different keys. An object with a duplicate key has no single meaning and is
// not cacheable.
//
// Top-level fields that do not change the answer and are left out (kIgnoredFields): "model"
// (replaced by the caller's canonical model), "stream", "stream_options" (transport: the replay
// produces either mode), "user", "safety_identifier", "metadata" (attribution only), "store"
// (whether the upstream keeps the response), "service_tier" (latency, not content),
// "prompt_cache_key", "prompt_cache_retention" (the upstream's prefix cache routing). Every other
// field, known or not, is part of the key.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ringgate::cache {

struct CacheKey {
  std::array<uint8_t, 32> bytes{};
  bool operator==(const CacheKey&) const = default;
  std::string hex() const;
};

struct CacheKeyHash {
  size_t operator()(const CacheKey& key) const;  // the digest's first 8 bytes: already uniform
};

struct CanonicalRequest {
  std::string_view scope;     // the tenant: a team id or key id, as configured
  std::string_view front;     // the client's API: "openai", "anthropic", "responses"
  std::string_view endpoint;  // e.g. "/v1/chat/completions"
  std::string_view model;     // canonical model name, after alias resolution
  std::string_view body;      // the client's JSON body
};

struct CanonicalKeyResult {
  CacheKey key;
  std::optional<double> temperature;  // the body's, when a number; for the cache policy
};

// The fields left out of the key, for documentation and tests.
std::span<const std::string_view> ignored_fields();

// nullopt when the body is not a JSON object, has a duplicate key, or nests deeper than 64.
std::optional<CanonicalKeyResult> canonical_request_key(const CanonicalRequest& request);

// Per-model policy: never cache; cache only requests with an explicit temperature of 0 (the
// providers' default temperature is 1, so an absent temperature is not deterministic); or cache
// every request.
enum class CachePolicy : uint8_t { kNever, kTemperatureZero, kAlways };
std::optional<CachePolicy> parse_cache_policy(std::string_view name);

struct CacheRequestHeaders {
  std::string_view x_ringgate_cache;  // "no" (any case) turns the cache off for this request
  std::string_view cache_control;     // no-store: no lookup, no store; no-cache: no lookup
};

struct CacheDecision {
  bool lookup = false;  // may be served from the cache
  bool store = false;   // its answer may be stored
  // "bypass" when lookup is off; empty otherwise (the stage then reports hit or miss).
  std::string_view header;
};

CacheDecision decide_cache(CachePolicy policy, std::optional<double> temperature,
                           const CacheRequestHeaders& headers);

}  // namespace ringgate::cache
