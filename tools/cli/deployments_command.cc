#include "tools/cli/deployments_command.h"

#include <simdjson.h>

#include <cstdio>
#include <optional>
#include <string_view>

#include "engine/config/config.h"
#include "tools/cli/gateway_address.h"
#include "tools/cli/http_get.h"

namespace ringgate::cli {

namespace {

std::string uptime_text(uint64_t ms) {
  if (ms == 0) return "-";
  const uint64_t s = ms / 1000;
  char out[32];
  std::snprintf(out, sizeof out, "%lluh%02llum%02llus", (unsigned long long)(s / 3600),
                (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
  return out;
}

int print_running(const std::string& body, bool json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array managed;
  if (parser.parse(body).get(doc) || doc["managed"].get_array().get(managed)) {
    std::fputs("ringgate deployments: the gateway runs no managed deployment\n", stdout);
    return 0;
  }
  if (json) {
    std::printf("%s\n", simdjson::to_string(managed).c_str());
    return 0;
  }
  std::printf("%-24s %-9s %8s %6s %12s %9s\n", "NAME", "STATE", "PID", "PORT", "UPTIME",
              "REQUESTS");
  for (simdjson::dom::element m : managed) {
    std::string_view name, state;
    int64_t pid = 0, port = 0;
    uint64_t uptime = 0, requests = 0;
    if (m["name"].get(name) || m["state"].get(state) || m["pid"].get(pid) || m["port"].get(port) ||
        m["uptime_ms"].get(uptime) || m["requests"].get(requests)) {
      continue;
    }
    std::printf("%-24.*s %-9.*s %8s %6lld %12s %9llu\n", int(name.size()), name.data(),
                int(state.size()), state.data(), pid ? std::to_string(pid).c_str() : "-",
                (long long)port, uptime_text(uptime).c_str(), (unsigned long long)requests);
  }
  return 0;
}

}  // namespace

int deployments_command(const DeploymentsOptions& options) {
  std::optional<config::Config> cfg;
  std::optional<GatewayAddress> found =
      find_gateway(options.config, options.url, "ringgate deployments", cfg);
  if (!found) return 2;
  const GatewayAddress& at = *found;
  const std::string& host = at.host;
  const std::string& port = at.port;
  // Any answer with a body is the gateway's /readyz (503 while a deployment starts, say).
  if (auto reply = http_get(at, "/readyz")) return print_running(reply->body, options.json);
  if (!cfg) {
    std::fprintf(stderr, "ringgate deployments: no gateway answers on %s:%s\n", host.c_str(),
                 port.c_str());
    return 1;
  }
  // Nothing runs: what the config would run, all stopped (ringgate owns no process now).
  std::printf("no gateway answers on %s:%s; managed deployments in %s:\n", host.c_str(),
              port.c_str(), options.config.c_str());
  std::printf("%-24s %-9s %8s %6s %12s %9s\n", "NAME", "STATE", "PID", "PORT", "UPTIME",
              "REQUESTS");
  for (const config::Deployment& d : cfg->deployments) {
    if (!d.managed.enabled) continue;
    std::printf("%-24s %-9s %8s %6u %12s %9s\n", d.name.c_str(), "stopped", "-",
                unsigned(d.managed.port), "-", "-");
  }
  return 0;
}

}  // namespace ringgate::cli
