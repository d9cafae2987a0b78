// Virtual keys as text: what `ringgate keygen` prints, the minimum a presented key must have,
// the SHA-256 digest the config stores instead of the key, and a strength check for a static key
// given by reference (seed-defect 000-C1).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ringgate::admission {

using KeyDigest = std::array<uint8_t, 32>;

inline constexpr std::string_view kKeyPrefix = "rg-";
inline constexpr size_t kKeyRandomBytes = 32;
// "rg-" + unpadded base64url of 32 random bytes. A presented key shorter than this is refused
// before it is hashed or looked up.
inline constexpr size_t kMinKeyLength = kKeyPrefix.size() + (kKeyRandomBytes * 4 + 2) / 3;
// Longer presented keys are refused too, so a client cannot make the shard hash a huge header.
inline constexpr size_t kMaxKeyLength = 512;

// A new key from OpenSSL's CSPRNG; "" if RAND_bytes failed (the caller refuses to print it).
std::string generate_key();
KeyDigest sha256(std::string_view bytes);  // no allocation: the one-shot digest on the stack
std::string to_hex(const KeyDigest& digest);

// Why a static gateway key is too weak to start with, or "" if it is strong enough: at least 32
// characters, of a token alphabet, not a short pattern repeated (seed-defect 000-C1).
std::string_view key_weakness(std::string_view key);

}  // namespace ringgate::admission
