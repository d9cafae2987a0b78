// What a name in the config may be made of. Model names and the ids of keys and teams travel in
// JSON bodies, metric labels, logs and the ledger, so each is printable ASCII that needs no
// escaping in any of them.
#pragma once

#include <cstddef>
#include <string_view>

namespace ringgate::config {

inline constexpr size_t kMaxModelNameBytes = 256;
inline constexpr size_t kMaxIdBytes = 64;

inline bool printable_without_quoting(std::string_view s, size_t max_bytes) {
  if (s.empty() || s.size() > max_bytes) return false;
  for (unsigned char c : s) {
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') return false;
  }
  return true;
}

// Printable ASCII without spaces covers every provider's naming ("meta-llama/Llama-3-70b",
// "gpt-4o:free", "claude@2024"). A key's model patterns follow the same rule ('*' is a glob there).
inline bool valid_model_name(std::string_view name) {
  return printable_without_quoting(name, kMaxModelNameBytes);
}
inline constexpr std::string_view kModelNameRule =
    "must be 1-256 printable ASCII characters without spaces, quotes or backslashes";

// Key ids and team names: what logs, metrics and the ledger show for a caller.
inline bool valid_id(std::string_view id) { return printable_without_quoting(id, kMaxIdBytes); }
inline constexpr std::string_view kIdRule =
    "must be 1-64 printable ASCII characters without spaces, quotes or backslashes";

}  // namespace ringgate::config
