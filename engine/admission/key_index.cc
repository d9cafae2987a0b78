#include "engine/admission/key_index.h"

#include <openssl/crypto.h>

#include <algorithm>

namespace ringgate::admission {

KeyIndex::KeyIndex(std::vector<std::pair<config::KeyHash, uint32_t>> entries)
    : entries_(std::move(entries)) {
  std::stable_sort(entries_.begin(), entries_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  entries_.erase(std::unique(entries_.begin(), entries_.end(),
                             [](const auto& a, const auto& b) { return a.first == b.first; }),
                 entries_.end());
}

std::optional<uint32_t> KeyIndex::find(std::string_view presented) const {
  if (presented.size() < config::kMinKeyLength || presented.size() > config::kMaxKeyLength)
    return std::nullopt;
  const config::KeyHash digest = config::sha256(presented);
  auto it = std::lower_bound(entries_.begin(), entries_.end(), digest,
                             [](const auto& e, const config::KeyHash& d) { return e.first < d; });
  if (it == entries_.end() || CRYPTO_memcmp(it->first.data(), digest.data(), digest.size()) != 0)
    return std::nullopt;
  return it->second;
}

}  // namespace ringgate::admission
