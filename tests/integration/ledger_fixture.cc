// Writes a known set of rows into a usage ledger, as the gateway's ledger writer would, for the
// `ringgate usage` integration test:  ringgate-ledger-fixture PATH UNIX_S
// Rows at UNIX_S: alice (team research) 2 requests, 0.012345 USD; bob (no team) 1 request,
// 1.000000 USD. One row two days earlier: carol (team ops), 0.000007 USD.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/telemetry/ledger.h"

using ringgate::telemetry::Ledger;
using ringgate::telemetry::LedgerRow;

namespace {

LedgerRow row(const char* key, const char* team, int64_t unix_s, int64_t cost, int64_t input) {
  LedgerRow r;
  r.request_id = std::string("fixture-") + key + "-" + std::to_string(input);
  r.unix_ms = unix_s * 1000;
  r.key_id = key;
  r.team = team;
  r.model_requested = r.model_served = "gpt-4o";
  r.deployment = "mock";
  r.status = 200;
  r.input_tokens = input;
  r.output_tokens = 10;
  r.cached_input_tokens = 5;
  r.usage_source = "reported";
  r.cost_micros = cost;
  r.attempts = 1;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s PATH UNIX_S\n", argv[0]);
    return 2;
  }
  const int64_t now = std::strtoll(argv[2], nullptr, 10);
  std::string error;
  std::unique_ptr<Ledger> ledger = Ledger::open(argv[1], {}, error);
  if (!ledger) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  ledger->append(row("alice", "research", now, 12'000, 100));
  ledger->append(row("alice", "research", now, 345, 200));
  ledger->append(row("bob", "", now, 1'000'000, 300));
  ledger->append(row("carol", "ops", now - 2 * 86'400, 7, 400));
  ledger->flush();
  return ledger->stats().rows_written == 4 ? 0 : 1;
}
