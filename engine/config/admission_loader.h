// Reads the admission part of a config file (see admission_config.h for the shape) with the same
// positioned diagnostics as the rest of the loader. Internal to engine/config: config_loader.cc
// calls it for the top-level tables, [server] trusted_proxies and each [[models]] entry, then
// check() once everything is read.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/config/byok_seal.h"
#include "engine/config/config.h"
#include "engine/config/toml_reader.h"

namespace ringgate::config {

// Bounds the loader enforces. A limit of 0 is refused (leave the key out for no limit), so a
// written limit always limits. 10^12 per window leaves a bucket room to scale by 10^6 in 64 bits.
inline constexpr int64_t kMaxRatePerWindow = 1'000'000'000'000;
inline constexpr int64_t kMaxConcurrent = 1'000'000;
inline constexpr int64_t kMaxBudgetUsd = 100'000'000;
// 10^4 USD/Mtok (10^10 micros) times 10^8 tokens still fits an int64 before dividing by 10^6.
inline constexpr int64_t kMaxPriceUsdPerMtok = 10'000;

class AdmissionLoader {
 public:
  explicit AdmissionLoader(Diagnostics& diag) : diag_(diag) {}

  // [auth], [byok], [[teams]], [[keys]], [anonymous] and [cors], from the top-level table;
  // secret file paths are relative to base_dir.
  void read_top(TableReader& top, Admission& out, const std::string& base_dir);
  // trusted_proxies, from [server].
  void read_trusted_proxies(TableReader& server, std::vector<Cidr>& out);
  // price and limits, from one [[models]] entry.
  void read_model(TableReader& model, Model& out);
  // price = { input_per_mtok, output_per_mtok, ... } under parent (a model or a deployment).
  void read_price(TableReader& parent, Price& out);
  // What needs the whole file: the auth mode against the keys and [anonymous], team references.
  // Resolves an unset mode to kKeys when keys are configured.
  void check(const toml::table& root, Admission& a);
  // Every provider_keys entry names an upstream for which upstream_exists is true.
  void check_provider_keys(const std::function<bool(std::string_view)>& upstream_exists);

 private:
  void read_auth(const toml::table& t, Admission& a);
  void read_team(size_t index, const toml::table& t, Admission& a);
  void read_key(size_t index, const toml::table& t, Admission& a);
  void read_key_id(TableReader& r, const std::string& path, VirtualKey& k);
  void read_key_hash(TableReader& r, const std::string& path, VirtualKey& k);
  void read_byok(const toml::table& t, Admission& a, const std::string& base_dir);
  void read_provider_keys(TableReader& r, const std::string& path, VirtualKey& k);
  void read_anonymous(const toml::table& t, Anonymous& an);
  void read_cors(const toml::table& t, Cors& cors);
  void read_patterns(TableReader& r, std::vector<std::string>& out);
  void read_limits(TableReader& parent, std::string_view key, RateLimits& out);
  void read_budget(TableReader& parent, Budget& out, AlertPercents& alerts);
  // A USD amount (integer or float) under key, in micros; false when absent or refused.
  bool read_usd(TableReader& r, std::string_view key, int64_t max_usd, bool allow_zero,
                int64_t& out);
  // Records name (a team name or key id) as seen at node; reports a second use.
  bool claim(std::map<std::string, uint32_t, std::less<>>& seen, const std::string& name,
             const toml::node& node, const std::string& what);

  Diagnostics& diag_;
  const toml::value<std::string>* mode_node_ = nullptr;
  const toml::table* anonymous_table_ = nullptr;
  std::map<std::string, uint32_t, std::less<>> team_lines_, key_id_lines_, hash_lines_,
      subject_lines_;
  std::vector<std::pair<std::string, const toml::value<std::string>*>> team_refs_;
  std::optional<MasterKey> master_key_;  // [byok], once read and resolved
  bool byok_table_ = false;
  struct ProviderKeyRef {  // a provider_keys entry, checked against [[upstreams]] at the end
    std::string what, upstream;
    const toml::node* node;
  };
  std::vector<ProviderKeyRef> provider_key_refs_;
};

}  // namespace ringgate::config
