#include "engine/admission/key_index.h"

#include <openssl/crypto.h>

#include <algorithm>

namespace ringgate::admission {

KeyIndex::KeyIndex(std::vector<std::pair<KeyDigest, uint32_t>> entries)
    : entries_(std::move(entries)) {
  std::stable_sort(entries_.begin(), entries_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  entries_.erase(std::unique(entries_.begin(), entries_.end(),
                             [](const auto& a, const auto& b) { return a.first == b.first; }),
                 entries_.end());
}

std::optional<uint32_t> KeyIndex::find(std::string_view presented) const {
  if (presented.size() < kMinKeyLength || presented.size() > kMaxKeyLength) return std::nullopt;
  const KeyDigest digest = sha256(presented);
  auto it = std::lower_bound(entries_.begin(), entries_.end(), digest,
                             [](const auto& e, const KeyDigest& d) { return e.first < d; });
  if (it == entries_.end() || CRYPTO_memcmp(it->first.data(), digest.data(), digest.size()) != 0)
    return std::nullopt;
  return it->second;
}

}  // namespace ringgate::admission
