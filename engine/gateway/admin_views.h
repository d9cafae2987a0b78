// The JSON bodies of the admin API's views (pipeline/admin_endpoint.cc routes to them): read from
// the accounting thread's published AdminSnapshot, the gatekeeper's lock-free buckets and
// budgets, every shard's shown deployment states and counters, and the caches' stats. Bounded:
// sizes follow the config (keys, teams, deployments) and fixed caps (points, rows), never load.
#pragma once

#include <string>
#include <vector>

#include "engine/config/runtime.h"
#include "engine/gateway/gateway_state.h"
#include "engine/pipeline/shard_services.h"

namespace ringgate::gateway {

void append_admin_view(const GatewayState& state, const config::Runtime& rt,
                       pipeline::AdminView view, const protocol::AdminQuery& query,
                       std::string& out);

// The body of GET /admin/requests from ledger rows (newest first, at most query.limit + 1: one
// more than shown says there is a next page).
void append_ledger_requests(const std::vector<telemetry::LedgerRow>& rows,
                            const protocol::AdminQuery& query, std::string& out);

}  // namespace ringgate::gateway
