// TOML -> Config. Every problem is reported with the file, line and column of the key or value
// at fault, and all problems are reported at once, in file order, so one edit-run cycle fixes a
// whole config.
#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <map>

#include "engine/config/admission_loader.h"
#include "engine/config/alerts_loader.h"
#include "engine/config/cache_loader.h"
#include "engine/config/cluster_loader.h"
#include "engine/config/config.h"
#include "engine/config/listen_address.h"
#include "engine/config/name_rules.h"
#include "engine/config/toml_reader.h"

namespace ringgate::config {
namespace {

constexpr size_t kMaxConfigFileBytes = 4 << 20;
constexpr int64_t kMaxTimeoutMs = 24LL * 3600 * 1000;
constexpr int64_t kMaxTokens = 100'000'000;

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool valid_upstream_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::string join_path(std::string_view base_dir, const std::string& path) {
  if (base_dir.empty() || path.empty() || path[0] == '/') return path;
  std::string out(base_dir);
  if (out.back() != '/') out += '/';
  return out + path;
}

class Loader {
 public:
  Loader(std::string source, std::string base_dir)
      : diag_(std::move(source)), base_dir_(std::move(base_dir)) {}

  std::optional<Config> load(std::string_view text, ConfigError& err) {
    toml::table root;
    if (!parse(text, root, err)) return std::nullopt;

    Config config;
    config.source_path = diag_.source();
    TableReader top(root, "", diag_);
    if (const toml::node* n = top.typed("server", toml::node_type::table)) {
      read_server(*n->as_table(), config);
    }
    if (const toml::node* n = top.typed("timeouts", toml::node_type::table)) {
      read_timeouts(*n->as_table(), config.timeouts);
    }
    top.read_bool("passthrough", config.passthrough);
    // Before [[models]]: its values are their defaults.
    if (const toml::table* t = top.table("translation")) read_translation(*t, config.translation);
    if (const toml::table* t = top.table("responses_store")) {
      read_responses_store(*t, config.responses_store);
    }
    read_cache(top, diag_, base_dir_, config.cache);
    read_cluster(top, diag_, config.cluster);
    for (auto [index, t] : top.array_of_tables("upstreams")) read_upstream(index, *t, config);
    for (auto [index, t] : top.array_of_tables("deployments")) read_deployment(index, *t, config);
    for (auto [index, t] : top.array_of_tables("models")) read_model(index, *t, config);
    admission_.read_top(top, config.admission, base_dir_);
    read_alerts(top, diag_, base_dir_, config.alerts);
    read_ledger_in(top, config.ledger);
    if (const toml::table* t = top.table("managed")) {
      TableReader mr(*t, "managed", diag_);
      if (mr.read_string("state_dir", config.managed.state_dir)) {
        config.managed.state_dir = join_path(base_dir_, config.managed.state_dir);
      }
      mr.finish();
    }
    if (const toml::node* n = top.typed("log", toml::node_type::table)) {
      read_log(*n->as_table(), config.log);
    }
    if (const toml::node* n = top.typed("metrics", toml::node_type::table)) {
      read_metrics(*n->as_table(), config.metrics);
    }
    top.finish();
    check_whole(root, config);
    admission_.check(root, config.admission);
    admission_.check_provider_keys(
        [this](std::string_view u) { return upstream_lines_.count(std::string(u)) > 0; });

    if (!diag_.empty()) {
      err.message = diag_.render();
      return std::nullopt;
    }
    return config;
  }

  // The [ledger] table alone; other tables are neither read nor checked.
  std::optional<LedgerConfig> load_ledger(std::string_view text, ConfigError& err) {
    toml::table root;
    if (!parse(text, root, err)) return std::nullopt;
    LedgerConfig ledger;
    TableReader top(root, "", diag_);
    read_ledger_in(top, ledger);
    if (!diag_.empty()) {
      err.message = diag_.render();
      return std::nullopt;
    }
    return ledger;
  }

 private:
  bool parse(std::string_view text, toml::table& root, ConfigError& err) {
    try {
      root = toml::parse(text, std::string_view(diag_.source()));
      return true;
    } catch (const toml::parse_error& e) {
      err.message = position(diag_.source(), e.source().begin) + ": " + escaped(e.description());
      return false;
    }
  }

  void read_ledger_in(TableReader& top, LedgerConfig& ledger) {
    if (const toml::node* n = top.typed("ledger", toml::node_type::table)) {
      read_ledger(*n->as_table(), ledger);
    }
  }

  void read_log(const toml::table& t, LogConfig& l) {
    TableReader r(t, "log", diag_);
    if (const auto* v = r.string("access")) {
      const std::string& a = v->get();
      if (a.empty()) {
        diag_.add(v->source(), "log.access must be \"off\", \"stderr\", \"stdout\" or a file path");
      } else {
        l.access = a == "off" || a == "stderr" || a == "stdout" ? a : join_path(base_dir_, a);
      }
    }
    r.finish();
  }

  void read_ledger(const toml::table& t, LedgerConfig& l) {
    TableReader r(t, "ledger", diag_);
    if (const auto* v = r.string("path")) {
      if (v->get().empty()) {
        diag_.add(v->source(), "ledger.path must not be empty (leave it out for no ledger)");
      } else {
        l.path = join_path(base_dir_, v->get());
      }
    }
    r.read_int("flush_interval_ms", 10, 60000, l.flush_interval_ms);
    r.read_int("batch_rows", 1, 100'000, l.batch_rows);
    if (r.read_int("queue_rows", 1, 10'000'000, l.queue_rows) && l.queue_rows < l.batch_rows) {
      diag_.add(t.get("queue_rows")->source(),
                "ledger.queue_rows (" + std::to_string(l.queue_rows) +
                    ") is less than batch_rows (" + std::to_string(l.batch_rows) + ")");
    }
    read_ledger_postgres(r, l);
    r.finish();
  }

  // Like a provider key: the conninfo holds a password, so the file names where it is.
  void read_ledger_postgres(TableReader& r, LedgerConfig& l) {
    if (const auto* v = r.string("node")) {
      if (valid_id(v->get()))
        l.node = v->get();
      else
        diag_.add(v->source(), "ledger.node: " + std::string(kIdRule));
    }
    r.read_int("postgres_flush_interval_ms", 10, 600000, l.postgres_flush_interval_ms);
    r.read_int("postgres_batch_rows", 1, 2000, l.postgres_batch_rows);
    const auto* v = r.string("postgres");
    if (!v) return;
    if (!is_secret_ref(v->get())) {
      diag_.add(v->source(),
                "ledger.postgres must not hold the connection string itself (it may hold a "
                "password); write \"env:NAME\" or \"file:PATH\"");
      return;
    }
    std::string err;
    std::optional<std::string> conninfo = resolve_secret(v->get(), err, base_dir_);
    if (!conninfo) {
      diag_.add(v->source(), "ledger.postgres: " + err);
      return;
    }
    if (l.path.empty())
      diag_.add(v->source(), "ledger.postgres needs ledger.path (rows ship from it)");
    l.postgres_ref = v->get();
    l.postgres_conninfo = std::move(*conninfo);
  }

  void read_server(const toml::table& t, Config& config) {
    Server& s = config.server;
    TableReader r(t, "server", diag_);
    if (const auto* v = r.string("listen")) {
      std::string err;
      if (auto addr = parse_listen_address(v->get(), err)) {
        s.listen_host = addr->host;
        s.listen_port = addr->port;
      } else {
        diag_.add(v->source(), "server.listen: " + err);
      }
    }
    r.read_int("shards", 0, kMaxShards, s.shards);
    r.read_int("max_body_bytes", 1, int64_t{1} << 30, s.max_body_bytes);
    r.read_int("max_upload_bytes", 1, int64_t{1} << 32, s.max_upload_bytes);
    r.read_int("max_head_bytes", 1024, 1 << 20, s.max_head_bytes);
    r.read_int("max_headers", 1, 10000, s.max_headers);
    r.read_int("max_response_bytes", 1, int64_t{1} << 34, s.max_response_bytes);
    r.read_int("max_sse_event_bytes", 4096, int64_t{1} << 30, s.max_sse_event_bytes);
    r.read_int("max_connections", 1, 1'000'000, s.max_connections);
    r.read_int("max_pooled_buffer_bytes", 0, int64_t{1} << 30, s.max_pooled_buffer_bytes);
    admission_.read_trusted_proxies(r, config.admission.trusted_proxies);
    if (const toml::table* tls = r.table("tls")) read_server_tls(*tls, s);
    r.finish();
  }

  void read_server_tls(const toml::table& t, Server& s) {
    ServerTls& tls = s.tls;
    tls.enabled = true;
    TableReader r(t, "server.tls", diag_);
    auto path = [&](std::string_view key, std::string& out, bool required) {
      const auto* v = r.string(key);
      if (v && !v->get().empty()) {
        out = join_path(base_dir_, v->get());
      } else if (v || required) {
        diag_.add(v ? v->source() : t.source(),
                  "server.tls." + std::string(key) + " must name a PEM file");
      }
    };
    path("cert_file", tls.cert_file, true);
    path("key_file", tls.key_file, true);
    path("client_ca_file", tls.client_ca_file, false);
    if (const auto* v = r.string("client_cert")) {
      if (v->get() != "required" && v->get() != "optional") {
        diag_.add(v->source(), "server.tls.client_cert must be \"required\" or \"optional\"");
      } else if (tls.client_ca_file.empty()) {
        diag_.add(v->source(), "server.tls.client_cert needs client_ca_file");
      }
      tls.client_cert_required = v->get() != "optional";
    }
    if (const auto* v = r.string("min_version")) {
      if (v->get() != "1.2" && v->get() != "1.3") {
        diag_.add(v->source(), "server.tls.min_version must be \"1.2\" or \"1.3\"");
      }
      tls.tls13_only = v->get() == "1.3";
    }
    r.read_int("handshake_ms", 1, kMaxTimeoutMs, tls.handshake_ms);
    if (const auto* v = r.string("listen")) {
      std::string err;
      if (auto addr = parse_listen_address(v->get(), err)) {
        tls.own_listener = true;
        tls.listen_host = addr->host;
        tls.listen_port = addr->port;
      } else {
        diag_.add(v->source(), "server.tls.listen: " + err);
      }
    }
    r.finish();
  }

  void read_timeouts(const toml::table& t, Timeouts& to) {
    TableReader r(t, "timeouts", diag_);
    r.read_int("header_read_ms", 1, kMaxTimeoutMs, to.header_read_ms);
    r.read_int("body_read_ms", 1, kMaxTimeoutMs, to.body_read_ms);
    r.read_int("keepalive_idle_ms", 1, kMaxTimeoutMs, to.keepalive_idle_ms);
    r.read_int("upstream_connect_ms", 1, kMaxTimeoutMs, to.upstream_connect_ms);
    r.read_int("upstream_ttfb_ms", 1, kMaxTimeoutMs, to.upstream_ttfb_ms);
    r.read_int("stream_idle_ms", 1, kMaxTimeoutMs, to.stream_idle_ms);
    r.read_int("total_ms", 1, kMaxTimeoutMs, to.total_ms);
    r.read_int("sse_heartbeat_ms", 0, kMaxTimeoutMs, to.sse_heartbeat_ms);
    r.finish();
  }

  void read_metrics(const toml::table& t, Metrics& m) {
    TableReader r(t, "metrics", diag_);
    r.read_bool("enabled", m.enabled);
    if (const auto* v = r.string("path")) {
      if (valid_metrics_path(v->get())) {
        m.path = v->get();
      } else {
        diag_.add(v->source(),
                  "metrics.path must start with '/', be at most 128 characters of letters, "
                  "digits and '/', '-', '_', '.', and not be /healthz, /readyz or under /v1/");
      }
    }
    if (const auto* v = r.string("admin_key")) read_admin_key(*v, m);
    r.finish();
  }

  // Like a provider key, never written in the file; and like a gateway key, strong enough.
  void read_admin_key(const toml::value<std::string>& v, Metrics& m) {
    if (!is_secret_ref(v.get())) {
      diag_.add(v.source(),
                "metrics.admin_key must not hold the key itself; write \"env:NAME\" or "
                "\"file:PATH\"");
      return;
    }
    m.admin_key_ref = v.get();
    std::string err;
    std::optional<std::string> key = resolve_secret(m.admin_key_ref, err, base_dir_);
    if (!key) {
      diag_.add(v.source(), "metrics.admin_key: " + err);
      return;
    }
    std::string weak = key_weakness(*key);
    if (!weak.empty()) {
      diag_.add(v.source(), "metrics.admin_key is too weak: " + weak);
      return;
    }
    m.admin_key_sha256 = sha256(*key);
    OPENSSL_cleanse(key->data(), key->size());
  }

  static bool valid_metrics_path(std::string_view p) {
    if (p.size() < 2 || p.size() > 128 || p[0] != '/') return false;
    if (p == "/healthz" || p == "/readyz" || p.substr(0, 4) == "/v1/" || p == "/v1") return false;
    for (char c : p) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '/' || c == '-' || c == '_' || c == '.';
      if (!ok) return false;
    }
    return true;
  }

  void read_upstream(size_t index, const toml::table& t, Config& config) {
    std::string path = "upstreams[" + std::to_string(index) + "]";
    TableReader r(t, path, diag_);
    Upstream u;
    r.require("name");
    r.require("url");
    if (const auto* v = r.string("name")) {
      u.name = v->get();
      if (!valid_upstream_name(u.name)) {
        diag_.add(v->source(),
                  path + ".name must be 1-64 characters from letters, digits, '-', '_' and '.'");
      } else if (auto it = upstream_lines_.find(u.name); it != upstream_lines_.end()) {
        diag_.add(v->source(), "duplicate upstream name '" + u.name + "' (first defined at line " +
                                   std::to_string(it->second) + ")");
      }
      // Claimed even when invalid, so models naming it don't add a second, misleading error.
      upstream_lines_.emplace(u.name, v->source().begin.line);
    }
    if (const auto* v = r.string("url")) {
      u.url = v->get();
      std::string err;
      if (auto parsed = parse_upstream_url(u.url, err)) {
        u.parsed = std::move(*parsed);
      } else {
        diag_.add(v->source(), path + ".url: " + err);
      }
    }
    if (const auto* v = r.string("format")) {
      if (auto format = providers::parse_format(v->get())) {
        u.format = *format;
      } else {
        diag_.add(v->source(), path + ".format must be \"openai\", \"anthropic\" or \"azure\"");
      }
    }
    read_api_version(r, path, u);
    read_responses_api(r, path, u);
    if (const auto* v = r.string("api_key")) {
      // Never quote the value in a message: when it is not a reference it is probably the key.
      if (!is_secret_ref(v->get())) {
        diag_.add(v->source(), path +
                                   ".api_key must not hold the key itself; write \"env:NAME\" "
                                   "(an environment variable) or \"file:PATH\" (a file holding "
                                   "the key)");
      } else {
        u.api_key_ref = v->get();
        std::string err;
        if (auto secret = resolve_secret(u.api_key_ref, err, base_dir_)) {
          u.api_key = std::move(*secret);
        } else {
          diag_.add(v->source(), path + ".api_key: " + err);
        }
      }
    }
    const auto* ca = r.string("ca_file");
    if (ca) {
      u.ca_file = join_path(base_dir_, ca->get());
      struct stat st {};
      if (u.ca_file.empty() || ::stat(u.ca_file.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
          ::access(u.ca_file.c_str(), R_OK) != 0) {
        diag_.add(ca->source(), path + ".ca_file: cannot read CA file " + u.ca_file);
      }
    }
    const toml::node* verify = r.node("tls_verify");
    r.read_bool("tls_verify", u.tls_verify);
    if (!u.url.empty() && !u.parsed.host.empty() && !u.parsed.tls) {
      if (ca) diag_.add(ca->source(), path + ".ca_file applies only to https upstreams");
      if (verify) diag_.add(verify->source(), path + ".tls_verify applies only to https upstreams");
    }
    r.read_int("max_connections", 1, kMaxUpstreamConnections, u.max_connections);
    r.read_int("queue_depth", 0, 1'000'000, u.queue_depth);
    r.read_int("queue_timeout_ms", 1, kMaxTimeoutMs, u.queue_timeout_ms);
    if (r.read_int("max_idle", 0, 100'000, u.max_idle) && u.max_idle > u.max_connections) {
      diag_.add(t.get("max_idle")->source(), path + ".max_idle (" + std::to_string(u.max_idle) +
                                                 ") exceeds max_connections (" +
                                                 std::to_string(u.max_connections) + ")");
    }
    r.finish();
    config.upstreams.push_back(std::move(u));
    upstream_tables_.push_back(&t);
  }

  // Read after `format`: an Anthropic-format upstream has no Responses API to be native about.
  void read_responses_api(TableReader& r, const std::string& path, Upstream& u) {
    const auto* v = r.string("responses_api");
    if (!v) return;
    if (auto api = providers::parse_responses_api(v->get())) {
      u.responses_api = *api;
    } else {
      diag_.add(v->source(), path + ".responses_api must be \"native\" or \"chat\"");
    }
    if (u.format == ApiFormat::kAnthropic) {
      diag_.add(v->source(), path +
                                 ".responses_api applies only to openai and azure upstreams "
                                 "(an anthropic upstream's /v1/responses is always translated)");
    }
  }

  // Azure refuses requests without an api-version, and it is written into the query string as is.
  void read_api_version(TableReader& r, const std::string& path, Upstream& u) {
    const auto* v = r.string("api_version");
    if (!v) {
      if (providers::needs_api_version(u.format)) {
        diag_.add(r.table().source(), path + " is missing required key 'api_version' (format \"" +
                                          std::string(to_string(u.format)) + "\" needs one)");
      }
      return;
    }
    if (!providers::needs_api_version(u.format)) {
      diag_.add(v->source(), path + ".api_version applies only to azure upstreams");
    } else if (!providers::valid_api_version(v->get())) {
      diag_.add(v->source(), path + ".api_version must be 1-64 letters, digits, '-', '_' or '.'" +
                                 " (e.g. \"2024-10-21\")");
    } else {
      u.api_version = v->get();
    }
  }

  // Claims `name` (a model name or alias) for model `owner`; refuses exact and case-only clashes.
  void claim_model_name(const std::string& name, const toml::node& where, const std::string& what) {
    std::string folded = lowercase(name);
    auto it = model_names_.find(folded);
    if (it == model_names_.end()) {
      model_names_.emplace(std::move(folded), NameClaim{name, where.source().begin.line});
      return;
    }
    const NameClaim& prior = it->second;
    if (prior.name == name) {
      diag_.add(where.source(), "duplicate model name '" + name + "' in " + what +
                                    " (already used at line " + std::to_string(prior.line) + ")");
    } else {
      diag_.add(where.source(),
                "model name '" + name + "' in " + what + " differs from '" + prior.name +
                    "' (line " + std::to_string(prior.line) +
                    ") only in letter case; names match exactly, so this would be ambiguous");
    }
  }

  void read_unsupported_fields(TableReader& r, UnsupportedFields& out) {
    const auto* v = r.string("unsupported_fields");
    if (!v) return;
    if (v->get() == "drop") {
      out = UnsupportedFields::kDrop;
    } else if (v->get() == "refuse") {
      out = UnsupportedFields::kRefuse;
    } else {
      diag_.add(v->source(), r.key_path("unsupported_fields") + " must be \"drop\" or \"refuse\"");
    }
  }

  void read_translation(const toml::table& t, TranslationDefaults& d) {
    TableReader r(t, "translation", diag_);
    r.read_bool("reasoning", d.reasoning);
    read_unsupported_fields(r, d.unsupported_fields);
    r.finish();
  }

  void read_responses_store(const toml::table& t, ResponsesStoreConfig& c) {
    TableReader r(t, "responses_store", diag_);
    r.read_int("ttl_ms", 1000, int64_t(30) * 86'400'000, c.ttl_ms);
    r.read_int("max_bytes", 0, int64_t(1) << 40, c.max_bytes);
    r.read_int("max_entries", 0, 100'000'000, c.max_entries);
    r.read_int("max_entry_bytes", 1024, int64_t(1) << 32, c.max_entry_bytes);
    r.finish();
  }

  void read_model(size_t index, const toml::table& t, Config& config) {
    std::string path = "models[" + std::to_string(index) + "]";
    TableReader r(t, path, diag_);
    Model m;
    m.reasoning = config.translation.reasoning;
    m.unsupported_fields = config.translation.unsupported_fields;
    m.cache_policy = config.cache.policy;
    read_cache_policy(r, "cache", diag_, m.cache_policy);
    r.read_bool("reasoning", m.reasoning);
    read_unsupported_fields(r, m.unsupported_fields);
    r.require("name");
    if (const auto* v = r.string("name")) {
      m.name = v->get();
      if (!valid_model_name(m.name)) {
        diag_.add(v->source(), path + ".name " + std::string(kModelNameRule));
      } else {
        claim_model_name(m.name, *v, path + ".name");
      }
    }
    if (const auto* v = r.string("upstream")) {
      m.upstream = v->get();
      upstream_refs_.push_back({path, v});
    }
    ServedName served{path + ".name", t.get("name")};
    if (const auto* v = r.string("upstream_model")) {
      served = {path + ".upstream_model", v};
      m.upstream_model = v->get();
      if (!valid_model_name(m.upstream_model)) {
        diag_.add(v->source(), path + ".upstream_model " + std::string(kModelNameRule));
      }
    }
    for (auto [i, v] : r.string_array("aliases")) {
      std::string what = path + ".aliases[" + std::to_string(i) + "]";
      const std::string& alias = v->get();
      if (!valid_model_name(alias)) {
        diag_.add(v->source(), what + " " + std::string(kModelNameRule));
        continue;
      }
      claim_model_name(alias, *v, what);
      m.aliases.push_back(alias);
    }
    r.read_int("max_tokens_cap", 0, kMaxTokens, m.max_tokens_cap);
    bool default_set = r.read_int("default_max_tokens", 1, kMaxTokens, m.default_max_tokens);
    if (m.max_tokens_cap > 0 && m.default_max_tokens > m.max_tokens_cap) {
      if (default_set) {
        diag_.add(t.get("default_max_tokens")->source(),
                  path + ".default_max_tokens (" + std::to_string(m.default_max_tokens) +
                      ") exceeds max_tokens_cap (" + std::to_string(m.max_tokens_cap) + ")");
      } else {
        m.default_max_tokens = m.max_tokens_cap;  // the built-in default yields to a lower cap
      }
    }
    read_model_routing(r, path, m);
    r.read_bool("client_provider_key", m.client_provider_key);
    admission_.read_model(r, m);
    r.finish();
    served_names_.push_back(std::move(served));
    config.models.push_back(std::move(m));
  }

  // deployments / strategy / fallbacks / on_timeout; names are checked once all are read.
  void read_model_routing(TableReader& r, const std::string& path, Model& m) {
    ModelRefs refs;
    for (auto [i, v] : r.string_array("deployments")) {
      if (std::find(m.deployments.begin(), m.deployments.end(), v->get()) != m.deployments.end()) {
        diag_.add(v->source(), path + ".deployments lists '" + v->get() + "' twice");
        continue;
      }
      m.deployments.push_back(v->get());
      refs.deployments.push_back(v);
    }
    refs.deployments_key = r.node("deployments");
    const toml::node* upstream = r.node("upstream");
    if (upstream && refs.deployments_key) {
      diag_.add(upstream->source(),
                path + ": write either upstream (one deployment) or " + "deployments, not both");
    } else if (!upstream && !refs.deployments_key) {
      diag_.add(r.table().source(), path + " needs upstream or deployments");
    } else if (refs.deployments_key && m.deployments.empty()) {
      diag_.add(refs.deployments_key->source(), path + ".deployments must name at least one");
    }
    if (const toml::node* um = r.node("upstream_model"); um && refs.deployments_key) {
      diag_.add(um->source(), path + ".upstream_model goes with upstream; a deployment's " +
                                  "model is its [[deployments]] model");
    }
    if (const auto* v = r.string("strategy")) {
      if (v->get() == "weighted") {
        m.strategy = BalanceStrategy::kWeighted;
      } else if (v->get() == "least_outstanding") {
        m.strategy = BalanceStrategy::kLeastOutstanding;
      } else if (v->get() == "latency") {
        m.strategy = BalanceStrategy::kLatency;
      } else {
        diag_.add(v->source(), path +
                                   ".strategy must be \"weighted\", \"least_outstanding\" or "
                                   "\"latency\"");
      }
    }
    for (auto [i, v] : r.string_array("fallbacks")) {
      m.fallbacks.push_back(v->get());
      refs.fallbacks.push_back(v);
    }
    if (const auto* v = r.string("on_timeout")) {
      if (v->get() == "next" || v->get() == "fail") {
        m.on_timeout = v->get() == "fail" ? OnTimeout::kFail : OnTimeout::kNext;
      } else {
        diag_.add(v->source(), path + ".on_timeout must be \"next\" or \"fail\"");
      }
    }
    if (const auto* v = r.string("while_starting")) {
      if (v->get() == "wait" || v->get() == "fallback") {
        m.while_starting = v->get() == "fallback" ? WhileStarting::kFallback : WhileStarting::kWait;
      } else {
        diag_.add(v->source(), path + ".while_starting must be \"wait\" or \"fallback\"");
      }
    }
    model_refs_.push_back(std::move(refs));
  }

  void read_deployment(size_t index, const toml::table& t, Config& config) {
    std::string path = "deployments[" + std::to_string(index) + "]";
    TableReader r(t, path, diag_);
    Deployment d;
    r.require("name");
    const bool managed = t.contains("managed");
    if (!managed) r.require("upstream");
    r.require("model");
    if (const auto* v = r.string("name")) {
      d.name = v->get();
      if (!valid_upstream_name(d.name)) {
        diag_.add(v->source(),
                  path + ".name must be 1-64 characters from letters, digits, '-', '_' and '.'");
      } else if (auto it = deployment_lines_.find(d.name); it != deployment_lines_.end()) {
        diag_.add(v->source(), "duplicate deployment name '" + d.name +
                                   "' (first defined at line " + std::to_string(it->second) + ")");
      }
      deployment_lines_.emplace(d.name, v->source().begin.line);
    }
    if (const auto* v = r.string("upstream")) {
      d.upstream = v->get();
      upstream_refs_.push_back({path, v});
    }
    if (const auto* v = r.string("model")) {
      d.model = v->get();
      if (!valid_model_name(d.model)) {
        diag_.add(v->source(), path + ".model " + std::string(kModelNameRule));
      }
    }
    const TableReader::Strings keys = r.string_array("keys");
    for (auto [i, v] : keys) read_deployment_key(path, i, *v, d);
    if (const toml::node* k = r.node("keys"); k && k->is_array() && k->as_array()->empty()) {
      diag_.add(k->source(), path + ".keys must name at least one key (leave it out for the " +
                                 "upstream's api_key)");
    }
    r.read_int("weight", 1, 1'000'000, d.weight);
    r.read_int("max_concurrent", 0, 10'000'000, d.max_concurrent);
    d.connect_ms = config.timeouts.upstream_connect_ms;
    d.ttfb_ms = config.timeouts.upstream_ttfb_ms;
    if (const toml::table* to = r.table("timeout")) {
      TableReader tr(*to, path + ".timeout", diag_);
      tr.read_int("connect_ms", 1, kMaxTimeoutMs, d.connect_ms);
      tr.read_int("ttfb_ms", 1, kMaxTimeoutMs, d.ttfb_ms);
      tr.finish();
    }
    read_health(r, path, d.health);
    read_breaker(r, path, d.breaker);
    admission_.read_price(r, d.price);
    if (managed) read_managed_deployment(r, path, d, config);
    r.finish();
    deployment_models_.push_back(t.get("model"));
    config.deployments.push_back(std::move(d));
  }

  // managed = { command, env, port, health, start_timeout_ms, idle_stop_ms, max_queued,
  // stop_grace_ms } and format: the deployment's upstream is the server ringgate runs, an implied
  // [[upstreams]] entry named after the deployment (http://127.0.0.1:{port}/v1). The gateway's own
  // health probes stay off: the supervisor watches the start and the process.
  void read_managed_deployment(TableReader& r, const std::string& path, Deployment& d,
                               Config& config) {
    if (const toml::node* u = r.node("upstream")) {
      diag_.add(u->source(), path + ": a managed deployment is its own upstream; drop upstream");
    }
    Upstream u;
    u.name = d.name;
    u.responses_api = providers::ResponsesApi::kChat;  // local servers serve chat completions
    if (const auto* v = r.string("format")) {
      auto format = providers::parse_format(v->get());
      if (format && *format != providers::ApiFormat::kAzureOpenAi) {
        u.format = *format;
      } else {
        diag_.add(v->source(), path + ".format must be \"openai\" or \"anthropic\"");
      }
    }
    const toml::table* t = r.table("managed");
    if (!t) return;
    ManagedServer& m = d.managed;
    m.enabled = true;
    TableReader mr(*t, path + ".managed", diag_);
    mr.require("command");
    mr.require("port");
    for (auto [i, v] : mr.string_array("command")) m.command.push_back(v->get());
    if (const toml::node* c = mr.node("command");
        c && c->is_array() && (m.command.empty() || m.command.front().empty())) {
      diag_.add(c->source(), path + ".managed.command must start with the program to run");
    }
    if (const toml::table* env = mr.table("env")) {
      for (auto&& [k, v] : *env) {
        if (const auto* s = v.as_string()) {
          m.env.emplace_back(std::string(k.str()), s->get());
        } else {
          diag_.add(v.source(),
                    path + ".managed.env." + std::string(k.str()) + " must be a string");
        }
      }
    }
    mr.read_int("port", 1, 65535, m.port);
    read_health_path(mr, "health", path + ".managed.health", m.health);
    mr.read_int("start_timeout_ms", 100, 3'600'000, m.start_timeout_ms);
    mr.read_int("idle_stop_ms", 0, 604'800'000, m.idle_stop_ms);
    mr.read_int("max_queued", 1, 1'000'000, m.max_queued);
    mr.read_int("stop_grace_ms", 0, 600'000, m.stop_grace_ms);
    mr.finish();
    d.health.enabled = false;
    d.upstream = u.name;
    u.url = "http://127.0.0.1:" + std::to_string(m.port) + "/v1";
    std::string err;
    if (auto parsed = parse_upstream_url(u.url, err)) u.parsed = std::move(*parsed);
    if (auto it = upstream_lines_.find(u.name); it != upstream_lines_.end()) {
      diag_.add(t->source(),
                path + ": managed deployment '" + d.name +
                    "' would imply an upstream of that name, already defined at line " +
                    std::to_string(it->second));
      return;
    }
    upstream_lines_.emplace(u.name, t->source().begin.line);
    config.upstreams.push_back(std::move(u));
  }

  // health = false, or a table of the probe's settings (every key optional).
  void read_health(TableReader& r, const std::string& path, HealthProbe& h) {
    const toml::node* n = r.node("health");
    if (!n) return;
    if (n->is_boolean()) {
      h.enabled = n->as_boolean()->get();
      return;
    }
    const toml::table* t = r.table("health");
    if (!t) return;  // the reader said what type it wants
    TableReader hr(*t, path + ".health", diag_);
    hr.read_bool("enabled", h.enabled);
    read_health_path(hr, "path", path + ".health.path", h.path);
    hr.read_int("interval_ms", 100, 3'600'000, h.interval_ms);
    hr.read_int("grace_ms", 0, 3'600'000, h.grace_ms);
    hr.read_int("timeout_ms", 10, kMaxTimeoutMs, h.timeout_ms);
    hr.read_int("max_backoff_ms", 100, 86'400'000, h.max_backoff_ms);
    hr.finish();
  }

  // breaker = { ... }: every key optional, the defaults those of BreakerSettings.
  void read_breaker(TableReader& r, const std::string& path, BreakerSettings& b) {
    const toml::table* t = r.table("breaker");
    if (!t) return;
    TableReader br(*t, path + ".breaker", diag_);
    br.read_int("consecutive_failures", 0, 1'000'000, b.consecutive_failures);
    br.read_int("window_ms", 100, 3'600'000, b.window_ms);
    br.read_int("min_requests", 1, 1'000'000, b.min_requests);
    br.read_int("cooldown_ms", 1, 3'600'000, b.cooldown_ms);
    br.read_int("max_cooldown_ms", 1, 86'400'000, b.max_cooldown_ms);
    if (const toml::node* n = br.node("error_rate")) {
      const auto* f = n->as_floating_point();
      const auto* i = n->as_integer();
      const double v = f ? f->get() : i ? double(i->get()) : -1;
      if (!(v > 0 && v <= 1)) {
        diag_.add(n->source(),
                  br.key_path("error_rate") + " must be a number above 0 and at most 1");
      } else {
        b.error_rate = v;
      }
    }
    if (b.max_cooldown_ms < b.cooldown_ms) {
      diag_.add(t->source(), path + ".breaker.max_cooldown_ms must be at least cooldown_ms");
    }
    br.finish();
  }

  // A health path (a managed server's, a probe's): '/' first, printable, no space.
  void read_health_path(TableReader& r, const char* key, const std::string& what,
                        std::string& out) {
    const auto* v = r.string(key);
    if (!v) return;
    out = v->get();
    if (!valid_health_path(out)) {
      diag_.add(v->source(),
                what + " must start with '/' and hold only printable characters other than space");
    }
  }

  static bool valid_health_path(std::string_view p) {
    if (p.empty() || p.front() != '/' || p.size() > 512) return false;
    for (char c : p) {
      if (c <= ' ' || c == 0x7f) return false;
    }
    return true;
  }

  // Like an upstream's api_key: a reference, resolved now, never quoted in a message.
  void read_deployment_key(const std::string& path, size_t i, const toml::value<std::string>& v,
                           Deployment& d) {
    std::string what = path + ".keys[" + std::to_string(i) + "]";
    if (!is_secret_ref(v.get())) {
      diag_.add(v.source(),
                what + " must not hold the key itself; write \"env:NAME\" or " + "\"file:PATH\"");
      return;
    }
    std::string err;
    std::optional<std::string> secret = resolve_secret(v.get(), err, base_dir_);
    if (!secret) {
      diag_.add(v.source(), what + ": " + err);
      return;
    }
    d.key_refs.push_back(v.get());
    d.keys.push_back(std::move(*secret));
  }

  void check_whole(const toml::table& root, Config& config) {
    for (const auto& [path, node] : upstream_refs_) {
      if (upstream_lines_.count(node->get()) == 0) {
        diag_.add(node->source(), path + ".upstream: no upstream named '" + node->get() + "'");
      }
    }
    if (config.upstreams.empty()) {
      diag_.add(root.source(), "no upstreams configured: add an [[upstreams]] table");
    }
    check_deployments(config);
    check_model_refs(config);
    if (config.passthrough) {
      if (config.upstreams.size() > 1) {
        diag_.add(upstream_tables_.size() > 1 ? upstream_tables_[1]->source() : root.source(),
                  "passthrough sends every request to the first upstream; configure exactly one");
      }
    } else if (config.models.empty()) {
      diag_.add(root.source(),
                "no models configured: add a [[models]] table (or set passthrough = true)");
    }
  }

  // Every deployment and fallback a model names exists; fallbacks form no cycle.
  void check_model_refs(Config& config) {
    for (size_t i = 0; i < config.models.size(); ++i) {
      Model& m = config.models[i];
      const ModelRefs& refs = model_refs_[i];
      for (const auto* v : refs.deployments) {
        if (!config.find_deployment(v->get())) {
          diag_.add(v->source(), "models[" + std::to_string(i) + "].deployments: no deployment " +
                                     "named '" + v->get() + "'");
        }
      }
      if (const Deployment* first =
              m.deployments.empty() ? nullptr : config.find_deployment(m.deployments.front())) {
        m.upstream = first->upstream;
      }
      for (const auto* v : refs.fallbacks) {
        const Model* f = config.find_model(v->get());
        if (!f) {
          diag_.add(v->source(), "models[" + std::to_string(i) + "].fallbacks: no model named '" +
                                     v->get() + "'");
        } else if (f == &m) {
          diag_.add(v->source(),
                    "models[" + std::to_string(i) + "].fallbacks names the model " + "itself");
        }
      }
    }
    check_fallback_cycles(config);
  }

  // A cycle (a -> b -> a) is reported once, at the fallback that closes it.
  void check_fallback_cycles(const Config& config) {
    enum Mark : uint8_t { kNew, kOnPath, kDone };
    std::vector<Mark> mark(config.models.size(), kNew);
    auto index_of = [&](const Model* m) { return size_t(m - config.models.data()); };
    std::function<void(size_t)> visit = [&](size_t i) {
      mark[i] = kOnPath;
      const ModelRefs& refs = model_refs_[i];
      for (const auto* v : refs.fallbacks) {
        const Model* f = config.find_model(v->get());
        if (!f || index_of(f) == i) continue;  // reported above
        size_t j = index_of(f);
        if (mark[j] == kOnPath) {
          diag_.add(v->source(), "models[" + std::to_string(i) + "].fallbacks: '" + v->get() +
                                     "' leads back to " + config.models[i].name +
                                     " (fallbacks must not form a cycle)");
        } else if (mark[j] == kNew) {
          visit(j);
        }
      }
      mark[i] = kDone;
    };
    for (size_t i = 0; i < config.models.size(); ++i) {
      if (mark[i] == kNew) visit(i);
    }
  }

  // Where the model goes in the URL path (Azure), its served name must fit there unescaped.
  void check_deployments(const Config& config) {
    for (size_t i = 0; i < config.models.size(); ++i) {
      const Model& m = config.models[i];
      const Upstream* up = config.find_upstream(m.upstream);
      const ServedName& where = served_names_[i];
      if (!up || !where.node || !providers::model_in_path(up->format)) continue;
      // An unusable name was reported where it was read.
      if (!valid_model_name(m.served_name()) || providers::valid_deployment_name(m.served_name()))
        continue;
      diag_.add(where.node->source(),
                where.key + " '" + m.served_name() + "' names the deployment on azure upstream '" +
                    up->name +
                    "': it must be letters, digits, '-', '_' and '.' (set upstream_model to the "
                    "deployment name)");
    }
    for (size_t i = 0; i < config.deployments.size(); ++i) {
      const Deployment& d = config.deployments[i];
      const Upstream* up = config.find_upstream(d.upstream);
      const toml::node* where = deployment_models_[i];
      if (!up || !where || !providers::model_in_path(up->format) || !valid_model_name(d.model) ||
          providers::valid_deployment_name(d.model))
        continue;
      diag_.add(where->source(), "deployments[" + std::to_string(i) + "].model '" + d.model +
                                     "' names the deployment on azure upstream '" + up->name +
                                     "': it must be letters, digits, '-', '_' and '.'");
    }
  }

  struct ServedName {
    std::string key;  // "models[2].upstream_model"
    const toml::node* node;
  };

  struct NameClaim {
    std::string name;
    uint32_t line;
  };

  // Where a model's deployment and fallback names were written, for the checks at the end.
  struct ModelRefs {
    const toml::node* deployments_key = nullptr;
    std::vector<const toml::value<std::string>*> deployments, fallbacks;
  };

  Diagnostics diag_;
  AdmissionLoader admission_{diag_};
  std::string base_dir_;
  std::map<std::string, uint32_t, std::less<>> upstream_lines_;
  std::vector<const toml::table*> upstream_tables_;
  std::vector<ServedName> served_names_;  // per model read: where its served name was written
  std::map<std::string, NameClaim> model_names_;  // keyed by lower-cased name
  std::vector<std::pair<std::string, const toml::value<std::string>*>> upstream_refs_;
  std::map<std::string, uint32_t, std::less<>> deployment_lines_;
  std::vector<const toml::node*> deployment_models_;  // per deployment: where its model was written
  std::vector<ModelRefs> model_refs_;                 // per model read
};

std::string directory_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::optional<std::string> read_config_text(const std::string& path, ConfigError& err) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err.message = path + ": cannot open config file: " + std::strerror(errno);
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    err.message = path + ": config file is not a regular file";
    return std::nullopt;
  }
  std::string text;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err.message = path + ": cannot read config file: " + std::strerror(errno);
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > kMaxConfigFileBytes) {
      ::close(fd);
      err.message =
          path + ": config file is larger than " + std::to_string(kMaxConfigFileBytes) + " bytes";
      return std::nullopt;
    }
  }
  ::close(fd);
  return text;
}

}  // namespace

std::optional<Config> load_config_string(std::string_view toml, std::string_view source_name,
                                         ConfigError& err) {
  Loader loader{std::string(source_name), std::string()};
  return loader.load(toml, err);
}

std::optional<Config> load_config_file(const std::string& path, ConfigError& err) {
  std::optional<std::string> text = read_config_text(path, err);
  if (!text) return std::nullopt;
  Loader loader{path, directory_of(path)};
  return loader.load(*text, err);
}

std::optional<LedgerConfig> load_ledger_config(const std::string& path, ConfigError& err) {
  std::optional<std::string> text = read_config_text(path, err);
  if (!text) return std::nullopt;
  Loader loader{path, directory_of(path)};
  return loader.load_ledger(*text, err);
}

}  // namespace ringgate::config
