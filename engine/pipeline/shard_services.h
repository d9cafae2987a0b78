// What a stage may use on its shard, handed in: stages include neither the session nor the shard,
// so they run (and are unit tested) without a ring.
#pragma once

#include <simdjson.h>

#include <functional>
#include <string>

#include "engine/pipeline/request_id.h"
#include "protocol/admin_query.h"

namespace ringgate::cache {
class Embedder;
class ExactCache;
class SemanticCache;
class SingleFlight;
}  // namespace ringgate::cache

namespace ringgate::pipeline {

// The admin API's read-only views (GET /admin/<view>).
enum class AdminView : uint8_t { kOverview, kKeys, kTeams, kDeployments, kCache, kRequests };

struct ShardServices {
  simdjson::dom::parser* json = nullptr;  // the shard's parser: a request's JSON is parsed once
  RequestIdSource* request_ids = nullptr;
  cache::ExactCache* exact_cache = nullptr;  // the node's; null when [cache] was off at start
  cache::SingleFlight* flights = nullptr;    // with it: identical misses in flight
  // The node's semantic cache and its embedder; null when [cache.semantic] was off at start.
  cache::SemanticCache* semantic = nullptr;
  cache::Embedder* embedder = nullptr;
  std::function<bool()> ready;  // every shard serving and not draining (for /readyz)
  // Appends `"deployments":[...]`, each deployment's health probe state (for /readyz); may be
  // empty.
  std::function<void(std::string& out)> deployment_health;
  // Appends `"ledger_postgres":{...}`, the fleet ledger shipper's state (for /readyz); empty
  // when the node ships to no PostgreSQL.
  std::function<void(std::string& out)> fleet_ledger;
  // Appends `"cluster":{...}`, the fleet-wide limits' state (for /readyz); unset without
  // [cluster].
  std::function<void(std::string& out)> cluster_state;
  // Appends every shard's metrics in the Prometheus text format (for /metrics); bounded work.
  // open_access: the scraping request's snapshot is in [auth] mode = "none".
  std::function<void(bool open_access, std::string& out)> scrape_metrics;
  // Appends the JSON body of an admin view, from snapshots and atomics only (never waits on
  // another thread); `query` is read by kRequests alone. Unset: the API answers 503.
  std::function<void(AdminView view, const protocol::AdminQuery& query, std::string& out)>
      admin_view;
  // GET /admin/requests reads the ledger off the shard (the session waits for it); false: the
  // accounting thread's recent records, answered at once.
  bool admin_ledger = false;
};

}  // namespace ringgate::pipeline
