#include "engine/config/cluster_loader.h"

#include <unistd.h>

#include <string>

#include "engine/config/listen_address.h"

namespace ringgate::config {
namespace {

std::string default_node_id() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host) + ":" + std::to_string(getpid());
}

}  // namespace

void read_cluster(TableReader& top, Diagnostics& diag, ClusterConfig& out) {
  const toml::table* t = top.table("cluster");
  if (t == nullptr) return;
  TableReader r(*t, "cluster", diag);
  if (const auto* v = r.string("redis")) {
    std::string err;
    if (auto a = parse_listen_address(v->get(), err)) {
      out.enabled = true;
      out.redis_host = a->host;
      out.redis_port = a->port;
    } else {
      diag.add(v->source(), "cluster.redis: " + err);
    }
  } else {
    diag.add(t->source(), "[cluster] needs redis = \"HOST:PORT\"");
  }
  if (!r.read_string("node_id", out.node_id) || out.node_id.empty())
    out.node_id = default_node_id();
  r.read_int("slice", 1, int64_t(1) << 32, out.slice);
  if (const toml::node* n = r.node("slice_fraction")) {
    const auto v = n->value<double>();  // an integer reads as a double too
    if (!v || *v <= 0 || *v > 1) {
      diag.add(n->source(), "cluster.slice_fraction must be a number in (0, 1]");
    } else {
      out.slice_fraction = *v;
    }
  }
  r.read_int("timeout_ms", 1, 60'000, out.timeout_ms);
  r.read_int("nodes", 1, 100'000, out.nodes);
  r.read_int("idle_return_ms", 10, 3'600'000, out.idle_return_ms);
  if (const auto* v = r.string("on_redis_down")) {
    if (v->get() == "closed") {
      out.on_redis_down = RedisDownPolicy::kClosed;
    } else if (v->get() == "local") {
      out.on_redis_down = RedisDownPolicy::kLocal;
    } else {
      diag.add(v->source(), "cluster.on_redis_down must be \"closed\" or \"local\"");
    }
  }
  if (const auto* v = r.string("mode")) {
    if (v->get() == "exact") {
      out.exact = true;
    } else if (v->get() != "lease") {
      diag.add(v->source(), "cluster.mode must be \"lease\" or \"exact\"");
    }
  }
  r.finish();
}

}  // namespace ringgate::config
