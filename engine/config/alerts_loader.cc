#include "engine/config/alerts_loader.h"

#include "engine/config/secret.h"
#include "engine/config/webhook_url.h"

namespace ringgate::config {
namespace {

// One element of a percent list; 0 when refused (reported).
uint16_t percent_at(const toml::node& e, const std::string& what, uint16_t previous,
                    Diagnostics& diag) {
  const auto* i = e.as_integer();
  if (i == nullptr) {
    diag.add(e.source(), what + " must be an integer, not " + std::string(type_name(e.type())));
    return 0;
  }
  const int64_t v = i->get();
  if (v < 1 || v > kMaxAlertPercent) {
    diag.add(e.source(), what + " must be between 1 and " + std::to_string(kMaxAlertPercent) +
                             " (percent of the budget), not " + std::to_string(v));
    return 0;
  }
  if (v <= previous) {
    diag.add(e.source(), what + " (" + std::to_string(v) + ") must be more than the one before (" +
                             std::to_string(previous) +
                             "): write the percents ascending, once each");
    return 0;
  }
  return uint16_t(v);
}

void read_webhook(TableReader& r, Diagnostics& diag, const std::string& base_dir,
                  WebhookTarget& out) {
  const auto* v = r.string("webhook");
  if (v == nullptr) return;
  std::string url = v->get(), err;
  if (is_secret_ref(url)) {
    out.ref = url;
    std::optional<std::string> resolved = resolve_secret(out.ref, err, base_dir);
    if (!resolved) {
      diag.add(v->source(), "alerts.webhook: " + err);
      return;
    }
    url = std::move(*resolved);
  }
  if (!parse_webhook_url(url, out, err)) {
    diag.add(v->source(), "alerts.webhook: " + err);
    return;
  }
  out.url = std::move(url);
}

}  // namespace

bool read_alert_percents(TableReader& r, std::string_view key, Diagnostics& diag,
                         std::vector<uint16_t>& out) {
  const toml::node* n = r.typed(key, toml::node_type::array);
  if (n == nullptr) return false;
  const toml::array& arr = *n->as_array();
  const std::string path = r.key_path(key);
  if (arr.size() > kMaxAlertThresholds) {
    diag.add(n->source(), path + " lists " + std::to_string(arr.size()) + " percents; at most " +
                              std::to_string(kMaxAlertThresholds));
    return false;
  }
  std::vector<uint16_t> percents;
  bool ok = true;
  for (size_t i = 0; i < arr.size(); ++i) {
    const uint16_t p = percent_at(*arr.get(i), path + "[" + std::to_string(i) + "]",
                                  percents.empty() ? 0 : percents.back(), diag);
    if (p == 0) ok = false;
    if (p != 0) percents.push_back(p);
  }
  if (ok) out = std::move(percents);
  return ok;
}

void read_alerts(TableReader& top, Diagnostics& diag, const std::string& base_dir, Alerts& out) {
  const toml::table* t = top.table("alerts");
  if (t == nullptr) return;
  TableReader r(*t, "alerts", diag);
  read_alert_percents(r, "budget_percent", diag, out.budget_percent);
  read_webhook(r, diag, base_dir, out.webhook);
  r.read_int("webhook_timeout_ms", 100, 60'000, out.webhook.timeout_ms);
  r.read_int("webhook_retries", 0, 10, out.webhook.retries);
  r.finish();
}

}  // namespace ringgate::config
