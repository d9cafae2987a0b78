// Quick mode's admission flags (--auth-key, --cors-origin, --trusted-proxy), checked by the same
// rules as their config-file counterparts. The key comes by reference only, like --upstream-key:
// on the command line it would sit in `ps` output and shell history.
#include <openssl/crypto.h>

#include "engine/config/cidr.h"
#include "engine/config/config.h"
#include "engine/config/cors_origin.h"
#include "engine/config/key_material.h"

namespace ringgate::config {
namespace {

bool add_static_key(const std::string& ref, Admission& a, ConfigError& err) {
  if (!is_secret_ref(ref)) {
    err.message =
        "--auth-key: must not be the key itself; pass env:NAME (an environment variable) or "
        "file:PATH (a file holding the key)";
    return false;
  }
  std::string why;
  std::optional<std::string> key = resolve_secret(ref, why);
  if (!key) {
    err.message = "--auth-key: " + why;
    return false;
  }
  why = key_weakness(*key);
  if (why.empty()) {
    VirtualKey k;
    k.id = "static";
    k.sha256 = sha256(*key);
    // Quick mode passes every /v1 path through, most with no model named: the one gateway key
    // stands for the operator and may use them all.
    k.allow_modelless_paths = true;
    a.keys.push_back(std::move(k));
  }
  OPENSSL_cleanse(key->data(), key->size());  // only the hash stays in memory
  if (!why.empty()) {
    err.message =
        "--auth-key: the key is too weak: " + why + " (`ringgate keygen` makes a strong one)";
    return false;
  }
  a.mode = AuthMode::kKeys;
  return true;
}

}  // namespace

bool apply_quick_admission(const QuickAdmission& flags, Config& config, ConfigError& err) {
  Admission& a = config.admission;
  if (!flags.auth_key_ref.empty() && !add_static_key(flags.auth_key_ref, a, err)) return false;
  for (const std::string& origin : flags.cors_origins) {
    if (std::string why = cors_origin_problem(origin); !why.empty()) {
      err.message = "--cors-origin " + origin + ": " + why;
      return false;
    }
    a.cors.allowed_origins.push_back(origin);
  }
  for (const std::string& text : flags.trusted_proxies) {
    std::string why;
    std::optional<Cidr> cidr = parse_cidr(text, why);
    if (!cidr) {
      err.message = "--trusted-proxy " + text + ": " + why;
      return false;
    }
    a.trusted_proxies.push_back(*cidr);
  }
  return true;
}

}  // namespace ringgate::config
