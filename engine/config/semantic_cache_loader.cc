#include "engine/config/semantic_cache_loader.h"

#include <string_view>

#include "engine/config/secret.h"
#include "engine/config/webhook_url.h"

namespace ringgate::config {
namespace {

// A similarity threshold: a number in (0, 1]. False when refused (reported).
bool threshold_at(const toml::node& n, const std::string& what, Diagnostics& diag, double& out) {
  const std::optional<double> v = n.value<double>();  // integers too
  if (!v || !(*v > 0.0 && *v <= 1.0)) {
    diag.add(n.source(), what + " must be a number above 0 and at most 1 (a cosine similarity)");
    return false;
  }
  out = *v;
  return true;
}

void read_thresholds(TableReader& r, Diagnostics& diag, SemanticCacheConfig& out) {
  if (const toml::node* n = r.node("default_threshold")) {
    threshold_at(*n, r.key_path("default_threshold"), diag, out.default_threshold);
  }
  const toml::table* t = r.table("thresholds");
  if (t == nullptr) return;
  for (const auto& [model, value] : *t) {
    double v = 0;
    const std::string what = r.key_path("thresholds") + ".\"" + std::string(model.str()) + "\"";
    if (threshold_at(value, what, diag, v)) out.thresholds.emplace(std::string(model.str()), v);
  }
}

void read_api_key(TableReader& r, Diagnostics& diag, const std::string& base_dir,
                  RemoteEmbedderConfig& out) {
  const auto* v = r.string("api_key");
  if (v == nullptr) return;
  if (!is_secret_ref(v->get())) {  // never quoted: it is probably the key itself
    diag.add(v->source(), r.key_path("api_key") +
                              " must not hold the key itself; write \"env:NAME\" or "
                              "\"file:PATH\"");
    return;
  }
  out.api_key_ref = v->get();
  std::string err;
  if (auto secret = resolve_secret(out.api_key_ref, err, base_dir)) {
    out.api_key = std::move(*secret);
  } else {
    diag.add(v->source(), r.key_path("api_key") + ": " + err);
  }
}

void read_remote(TableReader& semantic, Diagnostics& diag, const std::string& base_dir,
                 const toml::node* kind_node, SemanticCacheConfig& out) {
  const toml::table* t = semantic.table("remote");
  if (t == nullptr) {
    if (out.embedder == SemanticEmbedderKind::kRemote) {
      diag.add(kind_node->source(),
               "cache.semantic.embedder = \"remote\" needs a "
               "[cache.semantic.remote] table with url, model and dims");
    }
    return;
  }
  TableReader r(*t, semantic.key_path("remote"), diag);
  RemoteEmbedderConfig& remote = out.remote;
  r.require("url");
  r.require("model");
  r.require("dims");
  if (const auto* url = r.string("url")) {
    std::string base = url->get(), err;
    while (!base.empty() && base.back() == '/') base.pop_back();
    if (parse_webhook_url(base + "/v1/embeddings", remote.endpoint, err)) {
      remote.url = base;
      remote.endpoint.url = base + "/v1/embeddings";
    } else {
      diag.add(url->source(), r.key_path("url") + ": " + err);
    }
  }
  r.read_string("model", remote.model);
  read_api_key(r, diag, base_dir, remote);
  r.read_int("timeout_ms", 1, 60'000, remote.timeout_ms);
  r.read_int("dims", 1, 8192, remote.dims);
  r.read_int("queue", 1, 65'536, remote.queue);
  r.finish();
}

void read_index(TableReader& semantic, Diagnostics& diag, SemanticIndexConfig& out) {
  const toml::table* t = semantic.table("index");
  if (t == nullptr) return;
  TableReader r(*t, semantic.key_path("index"), diag);
  r.read_int("m", 2, 128, out.m);
  r.read_int("ef_construction", 1, 4096, out.ef_construction);
  r.read_int("ef_search", 1, 4096, out.ef_search);
  r.read_int("max_vectors", 1, 100'000'000, out.max_vectors);
  r.finish();
}

}  // namespace

void read_semantic_cache(TableReader& cache, Diagnostics& diag, const std::string& base_dir,
                         SemanticCacheConfig& out) {
  const toml::table* t = cache.table("semantic");
  if (t == nullptr) return;
  TableReader r(*t, cache.key_path("semantic"), diag);
  r.read_bool("enabled", out.enabled);
  const auto* kind = r.string("embedder");
  if (kind != nullptr) {
    if (kind->get() == "local") {
      out.embedder = SemanticEmbedderKind::kLocal;
    } else if (kind->get() == "remote") {
      out.embedder = SemanticEmbedderKind::kRemote;
    } else {
      diag.add(kind->source(), r.key_path("embedder") + " must be \"local\" or \"remote\", not \"" +
                                   kind->get() + "\"");
    }
  }
  r.read_int("local_dims", 8, 8192, out.local_dims);
  read_remote(r, diag, base_dir, kind, out);
  read_index(r, diag, out.index);
  r.read_int("ttl_s", 1, 30 * 86'400, out.ttl_s);
  read_thresholds(r, diag, out);
  r.finish();
}

}  // namespace ringgate::config
