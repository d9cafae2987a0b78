// load_config_string on arbitrary bytes: never crashes, and either yields a config whose
// cross-references hold or an error in which every line is "fuzz.toml:LINE:COLUMN: message".
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/config/config.h"
#include "engine/config/runtime.h"

namespace {

bool is_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "fuzz.toml:L:C: text" with L, C >= 1 and some text.
bool positioned(std::string_view line) {
  constexpr std::string_view kSource = "fuzz.toml:";
  if (!line.starts_with(kSource)) return false;
  line.remove_prefix(kSource.size());
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || !is_digits(line.substr(0, colon))) return false;
  if (line.substr(0, colon) == "0") return false;
  line.remove_prefix(colon + 1);
  colon = line.find(':');
  if (colon == std::string_view::npos || !is_digits(line.substr(0, colon))) return false;
  if (line.substr(0, colon) == "0") return false;
  line.remove_prefix(colon + 1);
  return line.size() > 1 && line[0] == ' ';
}

// A loaded config always says who may call, and what it says is consistent.
bool admission_holds(const ringgate::config::Admission& a) {
  using ringgate::config::AuthMode;
  if (a.mode == AuthMode::kUnset) return false;
  if (a.mode == AuthMode::kNone && (!a.keys.empty() || a.anonymous.enabled)) return false;
  if (a.mode == AuthMode::kKeys && a.keys.empty() && !a.anonymous.enabled) return false;
  for (size_t i = 0; i < a.keys.size(); ++i) {
    const auto& k = a.keys[i];
    if (k.id.empty() || k.budget.daily_micros < 0 || k.budget.total_micros < 0) return false;
    bool team_found = k.team.empty();
    for (const auto& t : a.teams) team_found = team_found || t.name == k.team;
    if (!team_found) return false;
    for (size_t j = 0; j < i; ++j) {
      if (a.keys[j].id == k.id || a.keys[j].sha256 == k.sha256) return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ringgate::config;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ConfigError err;
  auto config = load_config_string(text, "fuzz.toml", err);
  if (config) {
    if (config->upstreams.empty()) __builtin_trap();
    if (config->passthrough && config->upstreams.size() != 1) __builtin_trap();
    if (!config->passthrough && config->models.empty()) __builtin_trap();
    for (const Model& m : config->models) {
      if (config->find_upstream(m.upstream) == nullptr) __builtin_trap();
      if (config->find_model(m.name) != &m) __builtin_trap();
      for (const auto& alias : m.aliases) {
        if (config->find_model(alias) != &m) __builtin_trap();
      }
      if (m.max_tokens_cap < 0 || m.default_max_tokens < 1) __builtin_trap();
      if (m.max_tokens_cap > 0 && m.default_max_tokens > m.max_tokens_cap) __builtin_trap();
    }
    for (const Upstream& u : config->upstreams) {
      if (u.parsed.host.empty() || u.parsed.port == 0) __builtin_trap();
      if (u.parsed.base_path.ends_with('/')) __builtin_trap();
    }
    if (!admission_holds(config->admission)) __builtin_trap();
    // listen_port 0 is valid: the kernel picks the port and the gateway prints it.
    if (config->server.shards > kMaxShards) __builtin_trap();
    (void)describe(*config);
    // Every valid config makes runtime tables, and they route each name as find_model does.
    std::string rt_err;
    auto rt = Runtime::build(*config, rt_err);
    if (!rt) __builtin_trap();
    for (const Model& m : rt->config().models) {
      const RuntimeModel* e = rt->find_model(m.name);
      if (!e || e->def != &m || e->upstream->def->name != m.upstream) __builtin_trap();
    }
    return 0;
  }
  std::string_view msg = err.message;
  if (msg.empty()) __builtin_trap();
  while (!msg.empty()) {
    size_t nl = msg.find('\n');
    if (!positioned(msg.substr(0, nl))) __builtin_trap();
    if (nl == std::string_view::npos) break;
    msg.remove_prefix(nl + 1);
  }
  return 0;
}
