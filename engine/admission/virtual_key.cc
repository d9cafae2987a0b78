// OpenSSL 3 deprecates SHA256_Init; it is the one digest call that needs no EVP_MD_CTX from the
// heap, so a key lookup on the shard allocates nothing.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "engine/admission/virtual_key.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <bitset>

namespace ringgate::admission {
namespace {

constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void append_base64url(std::string& out, const uint8_t* p, size_t n) {
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    acc = (acc << 8) | p[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kBase64Url[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kBase64Url[(acc << (6 - bits)) & 63];
}

bool token_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~' || c == '+' || c == '/' || c == '=';
}

}  // namespace

std::string generate_key() {
  uint8_t random[kKeyRandomBytes];
  if (RAND_bytes(random, sizeof random) != 1) return {};
  std::string key(kKeyPrefix);
  append_base64url(key, random, sizeof random);
  return key;
}

KeyDigest sha256(std::string_view bytes) {
  KeyDigest d;
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, bytes.data(), bytes.size());
  SHA256_Final(d.data(), &ctx);
  return d;
}

std::string to_hex(const KeyDigest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string_view key_weakness(std::string_view key) {
  if (key.size() < 32) return "shorter than 32 characters";
  std::bitset<256> seen;
  for (char c : key) {
    if (!token_char(c)) return "has characters outside A-Z a-z 0-9 - _ . ~ + / =";
    seen.set(uint8_t(c));
  }
  // 32 random base64 characters show ~25 distinct ones; fewer than 12 is a word or a pattern.
  if (seen.count() < 12) return "too few distinct characters to be random";
  return {};
}

}  // namespace ringgate::admission
