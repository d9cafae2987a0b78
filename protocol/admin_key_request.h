// The body of POST /admin/keys: {"id": "...", "team": "..." (optional), "expires_at": unix
// seconds (optional)}. Strict: an object with these members only, each at most once, of the
// right type; the id is 1..64 of [A-Za-z0-9._-] (it names the key in logs, metrics and the
// ledger); expires_at is an integer after `now_s`.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ringgate::protocol {

inline constexpr size_t kMaxAdminKeyIdLength = 64;
inline constexpr size_t kMaxAdminKeyBodyBytes = 4096;

struct AdminKeyRequest {
  std::string id;
  std::string team;  // "" = none
  std::optional<int64_t> expires_at;
};

struct AdminKeyRequestError {
  std::string message;  // never quotes more than a bounded part of the body
  std::string param;    // the member at fault, when there is one
};

// True with `out` filled, or false with `err` filled.
bool parse_admin_key_request(simdjson::dom::parser& parser, std::string_view body, int64_t now_s,
                             AdminKeyRequest& out, AdminKeyRequestError& err);

// True for an id the admin API accepts (also the path segment of DELETE /admin/keys/{id}).
bool valid_admin_key_id(std::string_view id);

}  // namespace ringgate::protocol
