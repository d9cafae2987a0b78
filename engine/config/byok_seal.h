// Bring-your-own-key provider keys at rest: AES-256-GCM under the [byok] master key, the virtual
// key's id as additional authenticated data so a sealed blob copied to another key fails to open.
// Format: "rgk1:" + base64(12-byte random nonce || ciphertext || 16-byte tag).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ringgate::config {

inline constexpr std::string_view kSealedPrefix = "rgk1:";
using MasterKey = std::array<uint8_t, 32>;

// 32 bytes written as 64 hex digits or as base64 (44 characters with padding); nullopt otherwise.
std::optional<MasterKey> parse_master_key(std::string_view text);

// nullopt only when OpenSSL fails (no randomness).
std::optional<std::string> seal_provider_key(const MasterKey& master, std::string_view key_id,
                                             std::string_view plaintext);

// The provider key, or nullopt with `why` set: a malformed blob, or one that does not open under
// this master key and key id (tampered, another master key, another key's blob). `why` never
// holds any part of the blob or the plaintext.
std::optional<std::string> unseal_provider_key(const MasterKey& master, std::string_view key_id,
                                               std::string_view sealed, std::string& why);

}  // namespace ringgate::config
