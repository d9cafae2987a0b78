#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace ringgate::providers::tokenizer {

inline constexpr uint32_t kNoRank = UINT32_MAX;

// A tiktoken rank table: token bytes -> rank (the rank is the token id). Loaded from a
// `.tiktoken` file, one "base64(token bytes) SP rank" per line.
//
// Lookups are the tokenizer's inner loop, so the table is a flat open-addressing hash of 16-byte
// slots: the first 8 key bytes inline (most tokens are at most 8 bytes, so one compare decides),
// the rest in one arena. Immutable after load, so concurrent const use needs no lock.
class BpeRanks {
 public:
  // Reads and parses the file. On failure returns false and says why in *error.
  bool load_file(std::string_view path, std::string* error);
  // Parses the file's text (exposed for tests).
  bool parse(std::string_view text, std::string* error);

  // The rank of bytes [p, p+n), or kNoRank. Reads 8 bytes at p whatever n is (n <= 8 included):
  // callers keep 8 readable bytes after every key (the tokenizer pads its piece buffer).
  uint32_t find_padded(const uint8_t* p, size_t n) const {
    uint64_t head;
    uint64_t h = key_hash(p, n, head);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.rank == kNoRank) return kNoRank;
      if (s.head == head && (s.off_len & 0xff) == n &&
          (n <= 8 || std::memcmp(arena_.data() + (s.off_len >> 8) + 8, p + 8, n - 8) == 0)) {
        return s.rank;
      }
    }
  }
  // The same without the padding requirement (copies short keys).
  uint32_t find(std::string_view bytes) const;

  // The bytes of a rank, empty if the rank is not in the table.
  std::string_view bytes_of(uint32_t rank) const {
    if (rank >= by_rank_.size() || by_rank_[rank] == UINT32_MAX) return {};
    uint32_t ol = by_rank_[rank];
    return {reinterpret_cast<const char*>(arena_.data()) + (ol >> 8), ol & 0xff};
  }
  // The rank of a single byte (every byte is a token in cl100k_base and o200k_base; load checks).
  uint32_t byte_rank(uint8_t b) const { return byte_rank_[b]; }

  size_t size() const { return count_; }
  static constexpr size_t kMaxTokenBytes = 255;

 private:
  struct Slot {
    uint64_t head = 0;        // first min(len, 8) bytes, little-endian, zero-padded
    uint32_t rank = kNoRank;  // kNoRank marks an empty slot
    uint32_t off_len = 0;     // arena offset << 8 | length
  };
  static constexpr uint64_t kMul1 = 0x9E3779B97F4A7C15ull;
  static constexpr uint64_t kMul2 = 0xD6E8FEB86659FD93ull;
  static uint64_t load8(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  }
  static uint64_t mix(uint64_t x) {
    x *= kMul2;
    x ^= x >> 32;
    x *= kMul1;
    return x ^ (x >> 29);
  }
  static uint64_t hash_long(uint64_t head, const uint8_t* p, size_t n) {
    uint64_t h = head ^ (n * kMul1);
    size_t i = 8;
    for (; i + 8 <= n; i += 8) h = mix(h) ^ load8(p + i);
    if (i < n) h = mix(h) ^ (load8(p + i) & ((uint64_t{1} << (8 * (n - i))) - 1));
    return mix(h);
  }
  static uint64_t key_hash(const uint8_t* p, size_t n, uint64_t& head) {
    head = load8(p);
    if (n < 8) head &= (uint64_t{1} << (8 * n)) - 1;
    return n <= 8 ? mix(head ^ (n * kMul1)) : hash_long(head, p, n);
  }
  bool insert(const uint8_t* p, size_t n, uint32_t rank, std::string* error);

  std::vector<uint8_t> arena_;     // all token bytes back to back, plus 8 bytes of padding
  std::vector<Slot> slots_;        // power-of-two size, load factor <= 0.5
  std::vector<uint32_t> by_rank_;  // rank -> off_len (UINT32_MAX for holes)
  uint32_t byte_rank_[256] = {};
  size_t mask_ = 0;
  size_t count_ = 0;
};

}  // namespace ringgate::providers::tokenizer
