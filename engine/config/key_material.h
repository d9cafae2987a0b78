// Gateway keys (the keys clients present to ringgate, not provider keys): how one is made, how it
// is hashed for the config, and when a key chosen by hand is too weak to serve with. Shared by
// `ringgate keygen`, the config loader (sha256 values, quick mode's static key) and
// engine/admission (hashing a presented key).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ringgate::config {

using KeyHash = std::array<uint8_t, 32>;  // SHA-256, as VirtualKey::sha256 holds it

inline constexpr std::string_view kKeyPrefix = "rg-";
inline constexpr size_t kKeyRandomBytes = 32;
// "rg-" and the 32 random bytes in unpadded base64url (43 characters).
inline constexpr size_t kGeneratedKeyLength = kKeyPrefix.size() + 43;
// No key shorter than this is ever accepted: not as quick mode's static key, and so not as a
// presented key either (anything shorter can be refused before any lookup).
inline constexpr size_t kMinKeyLength = 32;
inline constexpr size_t kMinKeyDistinctCharacters = 10;
// Longer presented keys are refused too, so a client cannot make the shard hash a huge header.
inline constexpr size_t kMaxKeyLength = 512;

// A new key: "rg-" + base64url of kKeyRandomBytes from OpenSSL's RAND_bytes. nullopt only when the
// random generator fails (then there is no key to give).
std::optional<std::string> generate_key();

KeyHash sha256(std::string_view bytes);   // no allocation: the one-shot digest on the stack
std::string to_hex(const KeyHash& hash);  // 64 lower-case hex digits
std::string sha256_hex(std::string_view bytes);
// 64 hex digits, either case; nullopt for anything else.
std::optional<KeyHash> parse_sha256_hex(std::string_view hex);

// Why a hand-picked key is too weak to serve with (seed-defect 000-C1), or "" when it is strong
// enough. The rule: at least kMinKeyLength characters, all printable ASCII without spaces (keys
// travel in HTTP headers), at least kMinKeyDistinctCharacters distinct characters, no character
// more than a quarter of the length, and not a shorter string repeated. Ten distinct characters,
// not more, because a random 32-character hex key (`openssl rand -hex 16`, 128 bits) shows fewer
// than 14 distinct digits a third of the time. The reason never quotes any of the key.
std::string key_weakness(std::string_view key);

}  // namespace ringgate::config
