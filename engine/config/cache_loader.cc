#include "engine/config/cache_loader.h"

#include <string>

#include "engine/config/semantic_cache_loader.h"

namespace ringgate::config {

void read_cache_policy(TableReader& r, std::string_view key, Diagnostics& diag,
                       cache::CachePolicy& out) {
  const auto* v = r.string(key);
  if (v == nullptr) return;
  if (auto p = cache::parse_cache_policy(v->get())) {
    out = *p;
  } else {
    diag.add(v->source(),
             r.key_path(key) + " must be \"never\", \"temperature_zero\" or \"always\"");
  }
}

void read_cache(TableReader& top, Diagnostics& diag, const std::string& base_dir,
                CacheConfig& out) {
  const toml::table* t = top.table("cache");
  if (t == nullptr) return;
  TableReader r(*t, "cache", diag);
  r.read_bool("enabled", out.enabled);
  if (const auto* v = r.string("scope")) {
    if (v->get() == "key") {
      out.scope = CacheScope::kKey;
    } else if (v->get() == "team") {
      out.scope = CacheScope::kTeam;
    } else {
      diag.add(v->source(), "cache.scope must be \"key\" or \"team\"");
    }
  }
  int64_t ttl_s = out.ttl_ms / 1000;
  if (r.read_int("ttl_s", 1, int64_t(30) * 86'400, ttl_s)) out.ttl_ms = ttl_s * 1000;
  r.read_int("max_bytes", 0, int64_t(1) << 40, out.max_bytes);
  r.read_int("max_entry_bytes", 1024, int64_t(1) << 32, out.max_entry_bytes);
  read_cache_policy(r, "policy", diag, out.policy);
  r.read_bool("coalesce", out.coalesce);
  r.read_int("coalesce_wait_ms", 1, 600'000, out.coalesce_wait_ms);
  r.read_int("max_followers", 1, 100'000, out.max_followers);
  read_semantic_cache(r, diag, base_dir, out.semantic);
  r.finish();
}

}  // namespace ringgate::config
