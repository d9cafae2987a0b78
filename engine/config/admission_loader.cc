// [auth], [[teams]], [[keys]], [anonymous], [cors], [server] trusted_proxies, and the price and
// limits of [[models]]: TOML -> Admission, every problem positioned.
#include "engine/config/admission_loader.h"

#include <openssl/crypto.h>

#include "engine/config/alerts_loader.h"
#include "engine/config/cidr.h"
#include "engine/config/cors_origin.h"
#include "engine/config/key_material.h"
#include "engine/config/microdollars.h"
#include "engine/config/name_rules.h"
#include "engine/config/secret.h"

namespace ringgate::config {
namespace {

constexpr std::string_view kNoAuthMessage =
    "no client authentication configured: add [[keys]] entries (`ringgate keygen` prints one), "
    "or write [auth] mode = \"none\" to serve every client that reaches the listener without a "
    "key";

std::string line_of(uint32_t line) { return "line " + std::to_string(line); }

}  // namespace

void AdmissionLoader::read_top(TableReader& top, Admission& out, const std::string& base_dir) {
  if (const toml::table* t = top.table("auth")) read_auth(*t, out);
  if (const toml::table* t = top.table("byok")) read_byok(*t, out, base_dir);  // before [[keys]]
  for (auto [index, t] : top.array_of_tables("teams")) read_team(index, *t, out);
  for (auto [index, t] : top.array_of_tables("keys")) read_key(index, *t, out);
  if (const toml::table* t = top.table("anonymous")) read_anonymous(*t, out.anonymous);
  if (const toml::table* t = top.table("cors")) read_cors(*t, out.cors);
}

void AdmissionLoader::read_auth(const toml::table& t, Admission& a) {
  TableReader r(t, "auth", diag_);
  if (const auto* v = r.string("mode")) {
    mode_node_ = v;
    if (v->get() == "keys") {
      a.mode = AuthMode::kKeys;
    } else if (v->get() == "none") {
      a.mode = AuthMode::kNone;
    } else {
      diag_.add(v->source(), "auth.mode must be \"keys\" or \"none\"");
    }
  }
  r.finish();
}

bool AdmissionLoader::claim(std::map<std::string, uint32_t, std::less<>>& seen,
                            const std::string& name, const toml::node& node,
                            const std::string& what) {
  auto [it, fresh] = seen.emplace(name, node.source().begin.line);
  if (!fresh) diag_.add(node.source(), what + " (first at " + line_of(it->second) + ")");
  return fresh;
}

void AdmissionLoader::read_team(size_t index, const toml::table& t, Admission& a) {
  std::string path = "teams[" + std::to_string(index) + "]";
  TableReader r(t, path, diag_);
  Team team;
  r.require("name");
  if (const auto* v = r.string("name")) {
    team.name = v->get();
    if (!valid_id(team.name)) {
      diag_.add(v->source(), path + ".name " + std::string(kIdRule));
    } else {
      claim(team_lines_, team.name, *v, "duplicate team name '" + team.name + "'");
    }
  }
  read_limits(r, "limits", team.limits);
  read_budget(r, team.budget, team.budget_alert_percent);
  r.finish();
  a.teams.push_back(std::move(team));
}

void AdmissionLoader::read_key(size_t index, const toml::table& t, Admission& a) {
  std::string path = "keys[" + std::to_string(index) + "]";
  TableReader r(t, path, diag_);
  VirtualKey k;
  read_key_id(r, path, k);
  if (const auto* v = r.string("tls_subject")) {
    k.tls_subject = v->get();
    if (k.tls_subject.empty() || k.tls_subject.size() > 1024) {
      diag_.add(v->source(), path +
                                 ".tls_subject must be a certificate subject such as "
                                 "\"CN=svc-a,O=Example\" (1 to 1024 characters)");
    } else {
      claim(subject_lines_, k.tls_subject, *v,
            path + ".tls_subject names a subject another key already has");
    }
  }
  // A key known only by its client certificate needs no hash.
  if (k.tls_subject.empty() || r.table().get("sha256")) {
    read_key_hash(r, path, k);
  } else {
    k.has_sha256 = false;
  }
  if (const auto* v = r.string("team")) {
    k.team = v->get();
    team_refs_.push_back({path, v});
  }
  read_patterns(r, k.models);
  read_limits(r, "limits", k.limits);
  read_budget(r, k.budget, k.budget_alert_percent);
  r.read_bool("allow_modelless_paths", k.allow_modelless_paths);
  read_provider_keys(r, path, k);
  r.finish();
  a.keys.push_back(std::move(k));
}

// The master key is a reference like any secret; its value and what it decodes to never show.
void AdmissionLoader::read_byok(const toml::table& t, Admission& a, const std::string& base_dir) {
  TableReader r(t, "byok", diag_);
  byok_table_ = true;
  r.require("master_key");
  if (const auto* v = r.string("master_key")) {
    std::string err;
    std::optional<std::string> text =
        is_secret_ref(v->get()) ? resolve_secret(v->get(), err, base_dir) : std::nullopt;
    if (!is_secret_ref(v->get())) {
      diag_.add(v->source(),
                "byok.master_key must not hold the key itself; write \"env:NAME\" or "
                "\"file:PATH\"");
    } else if (!text) {
      diag_.add(v->source(), "byok.master_key: " + err);
    } else if (!(master_key_ = parse_master_key(*text))) {
      diag_.add(v->source(),
                "byok.master_key must be 32 bytes written as 64 hex digits or base64 "
                "(`openssl rand -hex 32` prints one)");
    } else {
      a.byok_master_ref = v->get();
    }
    if (text) OPENSSL_cleanse(text->data(), text->size());
  }
  r.finish();
}

// provider_keys = { UPSTREAM = "rgk1:..." }: each opened now, under the key's id, so a wrong
// master key or a moved blob stops the load. Messages name the key id and field, never a value.
void AdmissionLoader::read_provider_keys(TableReader& r, const std::string& path, VirtualKey& k) {
  const toml::table* t = r.table("provider_keys");
  if (t == nullptr) return;
  const std::string field = r.key_path("provider_keys");
  for (auto&& [name, node] : *t) {
    const std::string what = field + "." + std::string(name.str()) + " (key id '" + k.id + "')";
    const auto* v = node.as_string();
    provider_key_refs_.push_back({what, std::string(name.str()), &node});
    if (v == nullptr) {
      diag_.add(node.source(), what + " must be a sealed key string, \"rgk1:...\"");
      continue;
    }
    if (!byok_table_ || !master_key_) {
      if (!byok_table_) {
        diag_.add(node.source(), what + " needs [byok] master_key = \"env:NAME\" to open it");
      }
      continue;
    }
    std::string why;
    std::optional<std::string> secret = unseal_provider_key(*master_key_, k.id, v->get(), why);
    if (!secret) {
      diag_.add(node.source(), what + " " + why);
      continue;
    }
    k.provider_keys.push_back({std::string(name.str()), std::move(*secret)});
  }
}

void AdmissionLoader::check_provider_keys(
    const std::function<bool(std::string_view)>& upstream_exists) {
  for (const ProviderKeyRef& ref : provider_key_refs_) {
    if (!upstream_exists(ref.upstream)) {
      diag_.add(ref.node->source(),
                ref.what + ": no [[upstreams]] entry named '" + ref.upstream + "'");
    }
  }
}

void AdmissionLoader::read_key_id(TableReader& r, const std::string& path, VirtualKey& k) {
  r.require("id");
  const auto* v = r.string("id");
  if (v == nullptr) return;
  k.id = v->get();
  if (!valid_id(k.id)) {
    diag_.add(v->source(), path + ".id " + std::string(kIdRule));
  } else {
    claim(key_id_lines_, k.id, *v, "duplicate key id '" + k.id + "'");
  }
}

// Never quotes the value: someone may have pasted the key itself where its hash goes.
void AdmissionLoader::read_key_hash(TableReader& r, const std::string& path, VirtualKey& k) {
  r.require("sha256");
  const auto* v = r.string("sha256");
  if (v == nullptr) return;
  std::optional<KeyHash> hash = parse_sha256_hex(v->get());
  if (!hash) {
    diag_.add(v->source(), path +
                               ".sha256 must be 64 hex digits: the SHA-256 of the key, as "
                               "`ringgate keygen` prints it (never the key itself)");
    return;
  }
  k.sha256 = *hash;
  claim(hash_lines_, to_hex(*hash), *v, path + ".sha256 is the hash of a key already listed");
}

void AdmissionLoader::read_patterns(TableReader& r, std::vector<std::string>& out) {
  for (auto [i, v] : r.string_array("models")) {
    if (!valid_model_name(v->get())) {
      diag_.add(v->source(), r.key_path("models") + "[" + std::to_string(i) + "] " +
                                 std::string(kModelNameRule));
      continue;
    }
    out.push_back(v->get());
  }
}

void AdmissionLoader::read_anonymous(const toml::table& t, Anonymous& an) {
  TableReader r(t, "anonymous", diag_);
  anonymous_table_ = &t;
  an.enabled = true;
  read_patterns(r, an.models);
  read_limits(r, "limits_per_address", an.limits_per_address);
  r.finish();
}

void AdmissionLoader::read_cors(const toml::table& t, Cors& cors) {
  TableReader r(t, "cors", diag_);
  std::map<std::string, uint32_t, std::less<>> seen;
  auto origins = r.string_array("allowed_origins");
  for (auto [i, v] : origins) {
    std::string what = "cors.allowed_origins[" + std::to_string(i) + "]";
    if (std::string why = cors_origin_problem(v->get()); !why.empty()) {
      diag_.add(v->source(), what + " " + why);
    } else if (v->get() == "*" && origins.size() > 1) {
      diag_.add(v->source(), what + " \"*\" allows every origin: list no other origin with it");
    } else if (claim(seen, v->get(), *v, "duplicate origin '" + v->get() + "' in " + what)) {
      cors.allowed_origins.push_back(v->get());
    }
  }
  r.finish();
}

void AdmissionLoader::read_trusted_proxies(TableReader& server, std::vector<Cidr>& out) {
  for (auto [i, v] : server.string_array("trusted_proxies")) {
    std::string why;
    if (std::optional<Cidr> c = parse_cidr(v->get(), why)) {
      out.push_back(*c);
    } else {
      diag_.add(v->source(), "server.trusted_proxies[" + std::to_string(i) + "] " + why);
    }
  }
}

void AdmissionLoader::read_model(TableReader& model, Model& out) {
  read_price(model, out.price);
  read_limits(model, "limits", out.limits);
}

void AdmissionLoader::read_limits(TableReader& parent, std::string_view key, RateLimits& out) {
  const toml::table* t = parent.table(key);
  if (t == nullptr) return;
  TableReader r(*t, parent.key_path(key), diag_);
  const std::pair<const char*, uint64_t*> windows[] = {{"rpm", &out.rpm}, {"rph", &out.rph},
                                                       {"rpd", &out.rpd}, {"tpm", &out.tpm},
                                                       {"tph", &out.tph}, {"tpd", &out.tpd}};
  for (auto [name, field] : windows) r.read_int(name, 1, kMaxRatePerWindow, *field);
  r.read_int("concurrent", 1, kMaxConcurrent, out.concurrent);
  r.finish();
}

void AdmissionLoader::read_budget(TableReader& parent, Budget& out, AlertPercents& alerts) {
  const toml::table* t = parent.table("budget");
  if (t == nullptr) return;
  TableReader r(*t, parent.key_path("budget"), diag_);
  read_usd(r, "daily_usd", kMaxBudgetUsd, false, out.daily_micros);
  read_usd(r, "monthly_usd", kMaxBudgetUsd, false, out.monthly_micros);
  read_usd(r, "total_usd", kMaxBudgetUsd, false, out.total_micros);
  std::vector<uint16_t> percents;
  if (read_alert_percents(r, "alert_percent", diag_, percents)) {
    alerts = std::move(percents);
    if (!out.any()) {
      diag_.add(r.node("alert_percent")->source(),
                r.key_path("alert_percent") +
                    " needs a budget to alert on: daily_usd, monthly_usd or total_usd");
    }
  }
  r.finish();
}

// Input and output prices are required: a price that leaves one out would bill it at 0. Cached
// input defaults to the input price (never below what a provider charges); so do cache writes,
// which is what OpenAI bills them at but below Anthropic's surcharge, so Anthropic models set it.
void AdmissionLoader::read_price(TableReader& parent, Price& out) {
  const toml::table* t = parent.table("price");
  if (t == nullptr) return;
  TableReader r(*t, parent.key_path("price"), diag_);
  r.require("input_per_mtok");
  r.require("output_per_mtok");
  read_usd(r, "input_per_mtok", kMaxPriceUsdPerMtok, true, out.input_per_mtok_micros);
  read_usd(r, "output_per_mtok", kMaxPriceUsdPerMtok, true, out.output_per_mtok_micros);
  out.cached_input_per_mtok_micros = out.input_per_mtok_micros;
  out.cache_write_per_mtok_micros = out.input_per_mtok_micros;
  read_usd(r, "cached_input_per_mtok", kMaxPriceUsdPerMtok, true, out.cached_input_per_mtok_micros);
  read_usd(r, "cache_write_per_mtok", kMaxPriceUsdPerMtok, true, out.cache_write_per_mtok_micros);
  r.finish();
  out.set = true;
}

bool AdmissionLoader::read_usd(TableReader& r, std::string_view key, int64_t max_usd,
                               bool allow_zero, int64_t& out) {
  const toml::node* n = r.node(key);
  if (n == nullptr) return false;
  std::string why;
  std::optional<int64_t> micros;
  if (const auto* i = n->as_integer()) {
    micros = usd_to_micros(i->get(), max_usd, why);
  } else if (const auto* f = n->as_floating_point()) {
    micros = usd_to_micros(f->get(), max_usd, why);
  } else {
    why = "must be a number of USD, not " + std::string(type_name(n->type()));
  }
  if (micros && *micros == 0 && !allow_zero) {
    why = "must be more than 0 (leave it out for no such budget)";
    micros.reset();
  }
  if (!micros) {
    diag_.add(n->source(), r.key_path(key) + " " + why);
    return false;
  }
  out = *micros;
  return true;
}

void AdmissionLoader::check(const toml::table& root, Admission& a) {
  for (const auto& [path, node] : team_refs_) {
    if (team_lines_.count(node->get()) == 0) {
      diag_.add(node->source(), path + ".team: no team named '" + node->get() + "'");
    }
  }
  bool keys = !a.keys.empty();
  if (a.mode == AuthMode::kUnset && keys) a.mode = AuthMode::kKeys;
  if (a.mode == AuthMode::kUnset) {
    diag_.add(root.source(), std::string(kNoAuthMessage));
  } else if (a.mode == AuthMode::kNone && keys) {
    diag_.add(mode_node_->source(),
              "auth.mode = \"none\" serves every client without a key, yet [[keys]] are "
              "configured: remove the keys, or write mode = \"keys\"");
  } else if (a.mode == AuthMode::kKeys && !keys && !a.anonymous.enabled) {
    diag_.add(mode_node_->source(),
              "auth.mode = \"keys\" with no [[keys]] and no [anonymous] tier refuses every "
              "request: add a [[keys]] entry (`ringgate keygen` prints one)");
  }
  if (a.anonymous.enabled && a.mode == AuthMode::kNone) {
    diag_.add(anonymous_table_->source(),
              "[anonymous] is the tier for callers without a key, which applies only with "
              "auth.mode = \"keys\"; with mode = \"none\" every caller is served anyway");
  }
}

}  // namespace ringgate::config
