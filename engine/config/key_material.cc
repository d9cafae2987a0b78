// OpenSSL 3 deprecates SHA256_Init; it is the one digest call that needs no EVP_MD_CTX from the
// heap, so hashing a presented key on the shard allocates nothing.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "engine/config/key_material.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <vector>

namespace ringgate::config {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

std::string base64url(const uint8_t* data, size_t size) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t bits = 0;
  int held = 0;
  for (size_t i = 0; i < size; ++i) {
    bits = (bits << 8) | data[i];
    held += 8;
    while (held >= 6) {
      held -= 6;
      out += kAlphabet[(bits >> held) & 63];
    }
  }
  if (held > 0) out += kAlphabet[(bits << (6 - held)) & 63];
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The shortest p such that key is a prefix of some string repeated with period p (KMP's border).
size_t smallest_period(std::string_view s) {
  std::vector<size_t> border(s.size() + 1, 0);
  for (size_t i = 1, k = 0; i < s.size(); ++i) {
    while (k > 0 && s[i] != s[k]) k = border[k];
    if (s[i] == s[k]) ++k;
    border[i + 1] = k;
  }
  return s.size() - border[s.size()];
}

}  // namespace

std::optional<std::string> generate_key() {
  uint8_t random[kKeyRandomBytes];
  if (RAND_bytes(random, sizeof random) != 1) return std::nullopt;
  std::string key = std::string(kKeyPrefix) + base64url(random, sizeof random);
  OPENSSL_cleanse(random, sizeof random);
  return key;
}

KeyHash sha256(std::string_view bytes) {
  KeyHash out;
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, bytes.data(), bytes.size());
  SHA256_Final(out.data(), &ctx);
  return out;
}

std::string to_hex(const KeyHash& hash) {
  std::string out;
  out.reserve(hash.size() * 2);
  for (uint8_t b : hash) {
    out += kHexDigits[b >> 4];
    out += kHexDigits[b & 15];
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) { return to_hex(sha256(bytes)); }

std::optional<KeyHash> parse_sha256_hex(std::string_view hex) {
  KeyHash out{};
  if (hex.size() != out.size() * 2) return std::nullopt;
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::string key_weakness(std::string_view key) {
  if (key.size() < kMinKeyLength) {
    return "it has " + std::to_string(key.size()) + " characters; at least " +
           std::to_string(kMinKeyLength) + " are needed";
  }
  size_t count[256] = {};
  size_t distinct = 0, most = 0;
  for (unsigned char c : key) {
    if (c <= 0x20 || c >= 0x7f) {
      return "it holds a space, control or non-ASCII character; keys travel in HTTP headers";
    }
    if (count[c]++ == 0) ++distinct;
    most = std::max(most, count[c]);
  }
  if (distinct < kMinKeyDistinctCharacters) {
    return "it uses only " + std::to_string(distinct) + " distinct characters; at least " +
           std::to_string(kMinKeyDistinctCharacters) + " are needed";
  }
  if (most * 4 > key.size()) return "one character makes up more than a quarter of it";
  if (smallest_period(key) * 2 <= key.size()) return "it is a shorter string repeated";
  return "";
}

}  // namespace ringgate::config
