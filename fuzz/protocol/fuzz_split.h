#pragma once

// Split points derived from the input itself, so a crashing input replays the same way.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace ringgate::fuzz {

// A few cut positions in [1, size): a hash of the input picks them, so libFuzzer's mutations
// explore different read boundaries along with different bytes.
inline std::vector<size_t> cuts_for(std::string_view data, size_t count = 3) {
  std::vector<size_t> cuts;
  if (data.size() < 2) return cuts;
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : data) h = (h ^ c) * 1099511628211ull;
  size_t last = 0;
  for (size_t i = 0; i < count; ++i) {
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    const size_t room = data.size() - 1 - last;
    if (room == 0) break;
    last += 1 + static_cast<size_t>(h % room);
    cuts.push_back(last);
    if (last >= data.size() - 1) break;
  }
  return cuts;
}

inline std::vector<size_t> every_byte(std::string_view data) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < data.size(); ++i) cuts.push_back(i);
  return cuts;
}

}  // namespace ringgate::fuzz
