// The query string of GET /admin/requests, parsed strictly: only the known parameters, each at
// most once, numbers in range, ids of at most kMaxId bytes after percent-decoding. Anything else
// is refused with a message (a 400), never guessed at.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ringgate::protocol {

struct AdminQuery {
  static constexpr size_t kMaxId = 128;
  static constexpr uint32_t kDefaultLimit = 50, kMaxLimit = 200;
  std::optional<int64_t> since;    // unix seconds: rows at or after it
  std::string key, model;          // "" = any
  uint32_t limit = kDefaultLimit;  // 1..kMaxLimit
  std::optional<uint64_t> before;  // a cursor from next_before: rows older than it
};

// `query`: what follows '?' (may be empty). nullopt with `error` set when refused.
std::optional<AdminQuery> parse_admin_query(std::string_view query, std::string& error);

}  // namespace ringgate::protocol
