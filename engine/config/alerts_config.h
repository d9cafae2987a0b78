// [alerts]: when a budget's spend crosses a share of it, and where that is told (a warn line on
// stderr and a metric always; a webhook when configured). Plain values, like the rest of Config.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ringgate::config {

// Where budget alerts are POSTed. The URL may carry a secret (a Slack-style token in its path or
// query), so only safe_name() (scheme and authority) is ever logged.
struct WebhookTarget {
  std::string url;             // resolved; "" = no webhook
  std::string ref;             // "env:NAME" / "file:PATH" as written; "" for a literal URL
  bool tls = false;            // https: certificates verified against the system store
  std::string host;            // name or IP literal; IPv6 without brackets
  uint16_t port = 0;           // explicit or the scheme's default
  std::string authority;       // host[:port] for the Host header
  std::string target;          // path and query, as sent in the request line
  uint32_t timeout_ms = 5000;  // one attempt, from connect to the response's status line
  uint32_t retries = 3;        // attempts after the first, with doubling backoff

  bool enabled() const { return !url.empty(); }
  std::string safe_name() const {
    std::string name = tls ? "https://" : "http://";
    return name.append(authority);
  }
};

inline constexpr uint16_t kMaxAlertPercent = 1000;
inline constexpr size_t kMaxAlertThresholds = 16;

struct Alerts {
  // Percent of a budget; ascending, unique, 1..1000. A budget's own alert_percent replaces it.
  std::vector<uint16_t> budget_percent = {80, 100};
  WebhookTarget webhook;
};

}  // namespace ringgate::config
