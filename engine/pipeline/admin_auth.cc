#include "engine/pipeline/admin_auth.h"

#include <openssl/crypto.h>

#include "protocol/http_header.h"

namespace ringgate::pipeline {

namespace {

std::string_view bearer_token(const protocol::HttpRequest& req) {
  std::string_view auth = req.header("authorization");
  if (auth.size() <= 7 || !protocol::ascii_iequals(auth.substr(0, 7), "bearer ")) return {};
  auth.remove_prefix(7);
  while (!auth.empty() && auth.front() == ' ') auth.remove_prefix(1);
  return auth;
}
}  // namespace

bool presents_admin_key(const protocol::HttpRequest& req, const config::KeyHash& want) {
  std::string_view key = bearer_token(req);
  if (key.empty() || key.size() > config::kMaxKeyLength) return false;
  const config::KeyHash got = config::sha256(key);
  return CRYPTO_memcmp(got.data(), want.data(), want.size()) == 0;
}

}  // namespace ringgate::pipeline
