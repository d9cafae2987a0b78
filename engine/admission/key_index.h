// Finds a presented key among the configured ones without leaking it by timing: a key shorter
// than a generated one is refused before any work, the rest is hashed and looked up by digest
// (the attacker does not control the digest, so the search order reveals nothing about the key),
// and the match is confirmed with CRYPTO_memcmp. Built once per config snapshot, then read-only.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/config/key_material.h"

namespace ringgate::admission {

class KeyIndex {
 public:
  KeyIndex() = default;
  // (digest, value) pairs; a digest listed twice keeps its first value.
  explicit KeyIndex(std::vector<std::pair<config::KeyHash, uint32_t>> entries);

  // The value of the key, or nullopt for a key that is too short, too long or unknown.
  std::optional<uint32_t> find(std::string_view presented) const;
  size_t size() const { return entries_.size(); }

 private:
  std::vector<std::pair<config::KeyHash, uint32_t>> entries_;  // sorted by digest
};

}  // namespace ringgate::admission
