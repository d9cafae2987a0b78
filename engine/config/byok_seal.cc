#include "engine/config/byok_seal.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <vector>

#include "engine/config/key_material.h"

namespace ringgate::config {
namespace {

constexpr size_t kNonceBytes = 12, kTagBytes = 16;
// Provider keys are a few hundred bytes; the cap bounds what a config can make us decode.
constexpr size_t kMaxSealedChars = 8192;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

std::string base64(const uint8_t* data, size_t n) {
  std::string out(4 * ((n + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, int(n));
  return out;
}

// Standard padded base64 to bytes; nullopt for anything else.
std::optional<std::vector<uint8_t>> unbase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0 || text.size() > kMaxSealedChars) return std::nullopt;
  std::vector<uint8_t> out(text.size() / 4 * 3);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                          int(text.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts padding as zero bytes.
  size_t pad = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  out.resize(size_t(n) - pad);
  // Canonical only: bits that padding drops could otherwise change unnoticed, so that any change
  // to a sealed string, not just to its bytes, makes it fail to open.
  if (base64(out.data(), out.size()) != text) return std::nullopt;
  return out;
}

// Encrypts or decrypts `in` into `out` (GCM keeps lengths); false on any OpenSSL failure.
bool gcm(bool encrypt, const MasterKey& master, const uint8_t* nonce, std::string_view aad,
         const uint8_t* in, size_t n, uint8_t* out, uint8_t* tag) {
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, master.data(), nonce,
                                encrypt ? 1 : 0) != 1) {
    return false;
  }
  if (EVP_CipherUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const uint8_t*>(aad.data()),
                       int(aad.size())) != 1 ||
      EVP_CipherUpdate(ctx.get(), out, &len, in, int(n)) != 1) {
    return false;
  }
  if (!encrypt && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag) != 1) {
    return false;
  }
  if (EVP_CipherFinal_ex(ctx.get(), out + len, &len) != 1) return false;  // the tag check
  return !encrypt || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag) == 1;
}

}  // namespace

std::optional<MasterKey> parse_master_key(std::string_view text) {
  MasterKey key{};
  if (text.size() == 64) return parse_sha256_hex(text);  // 32 bytes in hex, as a digest is written
  std::optional<std::vector<uint8_t>> bytes = unbase64(text);
  if (!bytes || bytes->size() != key.size()) return std::nullopt;
  std::copy(bytes->begin(), bytes->end(), key.begin());
  OPENSSL_cleanse(bytes->data(), bytes->size());
  return key;
}

std::optional<std::string> seal_provider_key(const MasterKey& master, std::string_view key_id,
                                             std::string_view plaintext) {
  std::vector<uint8_t> blob(kNonceBytes + plaintext.size() + kTagBytes);
  if (RAND_bytes(blob.data(), int(kNonceBytes)) != 1) return std::nullopt;
  uint8_t* body = blob.data() + kNonceBytes;
  if (!gcm(true, master, blob.data(), key_id, reinterpret_cast<const uint8_t*>(plaintext.data()),
           plaintext.size(), body, body + plaintext.size())) {
    return std::nullopt;
  }
  return std::string(kSealedPrefix) + base64(blob.data(), blob.size());
}

std::optional<std::string> unseal_provider_key(const MasterKey& master, std::string_view key_id,
                                               std::string_view sealed, std::string& why) {
  if (!sealed.starts_with(kSealedPrefix)) {
    why =
        "is not a sealed key (\"rgk1:...\" as `ringgate seal-key` prints it); a provider key "
        "is never written in clear";
    return std::nullopt;
  }
  std::optional<std::vector<uint8_t>> blob = unbase64(sealed.substr(kSealedPrefix.size()));
  if (!blob || blob->size() <= kNonceBytes + kTagBytes) {
    why = "is not valid: the text after \"rgk1:\" must be the base64 `ringgate seal-key` prints";
    return std::nullopt;
  }
  const size_t n = blob->size() - kNonceBytes - kTagBytes;
  std::string plain(n, '\0');
  uint8_t* body = blob->data() + kNonceBytes;
  if (!gcm(false, master, blob->data(), key_id, body, n, reinterpret_cast<uint8_t*>(plain.data()),
           body + n)) {
    OPENSSL_cleanse(plain.data(), plain.size());
    why =
        "does not open under the [byok] master key for this key id (another master key, a "
        "blob sealed for another key id, or altered)";
    return std::nullopt;
  }
  return plain;
}

}  // namespace ringgate::config
