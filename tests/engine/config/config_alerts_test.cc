// [alerts] and budgets' alert_percent: thresholds, the webhook (a secret), its timeout and
// retries. seed-defect: 000-M1 (alerts per budget period, each period explicit).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>

#include "engine/config/config.h"
#include "engine/config/webhook_url.h"
#include "tests/engine/config/config_test_util.h"

namespace ringgate::config {
namespace {

using testing::load_error;

constexpr std::string_view kAlice =
    "6c63c652df382e1540b7de1bf8359c249a60e9bd22618338032ce7286cd8a06a";

// Routing and one key, so the lines of what follows are counted from line 10.
std::string with_key(std::string_view rest) {
  return "[[upstreams]]\nname = \"mock\"\nurl = \"http://127.0.0.1:9099/v1\"\n[[models]]\n"
         "name = \"m\"\nupstream = \"mock\"\n[[keys]]\nid = \"k\"\nsha256 = \"" +
         std::string(kAlice) + "\"\n" + std::string(rest);
}

// [alerts] first, so its lines are counted from line 1; routing after.
std::string alerts_error(std::string_view alerts) {
  return load_error(std::string(alerts) +
                    "\n[[upstreams]]\nname = \"mock\"\nurl = \"http://127.0.0.1:9099/v1\"\n"
                    "[[models]]\nname = \"m\"\nupstream = \"mock\"\n");
}

Config load_ok(const std::string& toml) {
  ConfigError err;
  auto config = load_config_string(toml, "t.toml", err);
  EXPECT_TRUE(config.has_value()) << err.message << "\nfor:\n" << toml;
  return config ? *config : Config{};
}

std::string error_of(const std::string& toml) {
  ConfigError err;
  EXPECT_FALSE(load_config_string(toml, "t.toml", err).has_value()) << toml;
  return err.message;
}

TEST(ConfigAlerts, DefaultsAreEightyAndHundredPercentWithoutWebhook) {
  Config c = load_ok(with_key(""));
  EXPECT_EQ(c.alerts.budget_percent, (std::vector<uint16_t>{80, 100}));
  EXPECT_FALSE(c.alerts.webhook.enabled());
  EXPECT_EQ(c.alerts.webhook.timeout_ms, 5000u);
  EXPECT_EQ(c.alerts.webhook.retries, 3u);
  EXPECT_FALSE(c.admission.keys[0].budget_alert_percent.has_value());
  EXPECT_NE(describe(c).find("alerts: budget_percent=80,100 webhook=none\n"), std::string::npos);
}

TEST(ConfigAlerts, KeysAreRead) {
  Config c = load_ok(
      with_key("budget = { daily_usd = 10, alert_percent = [25, 50, 150] }\n[alerts]\n"
               "budget_percent = [50, 100]\nwebhook = \"http://127.0.0.1:9/hooks/T1/B2/tok?x=1\"\n"
               "webhook_timeout_ms = 750\nwebhook_retries = 0\n"));
  EXPECT_EQ(c.alerts.budget_percent, (std::vector<uint16_t>{50, 100}));
  EXPECT_EQ(c.admission.keys[0].budget_alert_percent, (std::vector<uint16_t>{25, 50, 150}));
  const WebhookTarget& w = c.alerts.webhook;
  EXPECT_FALSE(w.tls);
  EXPECT_EQ(w.host, "127.0.0.1");
  EXPECT_EQ(w.port, 9);
  EXPECT_EQ(w.target, "/hooks/T1/B2/tok?x=1");
  EXPECT_EQ(w.timeout_ms, 750u);
  EXPECT_EQ(w.retries, 0u);
  // The path holds the token: describe() shows scheme and authority only.
  EXPECT_NE(describe(c).find("webhook=http://127.0.0.1:9 timeout=750ms retries=0\n"),
            std::string::npos)
      << describe(c);
  EXPECT_EQ(describe(c).find("/hooks"), std::string::npos);
}

TEST(ConfigAlerts, AnEmptyListMeansNoAlerts) {
  Config c =
      load_ok(with_key("budget = { total_usd = 1, alert_percent = [] }\n[alerts]\n"
                       "budget_percent = []\n"));
  EXPECT_TRUE(c.alerts.budget_percent.empty());
  ASSERT_TRUE(c.admission.keys[0].budget_alert_percent.has_value());
  EXPECT_TRUE(c.admission.keys[0].budget_alert_percent->empty());
}

TEST(ConfigAlerts, TeamsHaveTheirOwnList) {
  Config c = load_ok(
      with_key("[[teams]]\nname = \"t\"\nbudget = { monthly_usd = 5, alert_percent = [90] }\n"));
  EXPECT_EQ(c.admission.teams[0].budget_alert_percent, (std::vector<uint16_t>{90}));
}

TEST(ConfigAlerts, PercentsAreAscendingUniqueAndInRange) {
  EXPECT_EQ(alerts_error("[alerts]\nbudget_percent = [0]\n"),
            "t.toml:2:19: alerts.budget_percent[0] must be between 1 and 1000 (percent of the "
            "budget), not 0");
  EXPECT_EQ(alerts_error("[alerts]\nbudget_percent = [1001]\n"),
            "t.toml:2:19: alerts.budget_percent[0] must be between 1 and 1000 (percent of the "
            "budget), not 1001");
  EXPECT_EQ(alerts_error("[alerts]\nbudget_percent = [80, 50]\n"),
            "t.toml:2:23: alerts.budget_percent[1] (50) must be more than the one before (80): "
            "write the percents ascending, once each");
  EXPECT_EQ(alerts_error("[alerts]\nbudget_percent = [80, 80]\n"),
            "t.toml:2:23: alerts.budget_percent[1] (80) must be more than the one before (80): "
            "write the percents ascending, once each");
  EXPECT_EQ(alerts_error("[alerts]\nbudget_percent = [\"80\"]\n"),
            "t.toml:2:19: alerts.budget_percent[0] must be an integer, not a string");
  EXPECT_EQ(alerts_error("[alerts]\nbudget_percent = 80\n"),
            "t.toml:2:18: alerts.budget_percent must be an array, not an integer");
  EXPECT_EQ(
      alerts_error("[alerts]\nbudget_percent = [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]\n"),
      "t.toml:2:18: alerts.budget_percent lists 17 percents; at most 16");
  EXPECT_EQ(error_of(with_key("budget = { daily_usd = 1, alert_percent = [50, 40] }\n")),
            "t.toml:10:48: keys[0].budget.alert_percent[1] (40) must be more than the one before "
            "(50): write the percents ascending, once each");
}

TEST(ConfigAlerts, AlertPercentNeedsABudget) {
  EXPECT_EQ(error_of(with_key("budget = { alert_percent = [50] }\n")),
            "t.toml:10:28: keys[0].budget.alert_percent needs a budget to alert on: daily_usd, "
            "monthly_usd or total_usd");
}

TEST(ConfigAlerts, UnknownKeysAndBadValuesAreErrors) {
  EXPECT_EQ(alerts_error("[alerts]\nwebhok = \"http://h/x\"\n"),
            "t.toml:2:1: unknown key 'alerts.webhok' (did you mean 'alerts.webhook'?)");
  EXPECT_EQ(alerts_error("[alerts]\nwebhook_timeout_ms = 50\n"),
            "t.toml:2:22: alerts.webhook_timeout_ms must be between 100 and 60000, not 50");
  EXPECT_EQ(alerts_error("[alerts]\nwebhook_retries = 11\n"),
            "t.toml:2:19: alerts.webhook_retries must be between 0 and 10, not 11");
  EXPECT_EQ(alerts_error("[alerts]\nwebhook = \"ftp://h/x\"\n").substr(0, 27),
            "t.toml:2:11: alerts.webhook");
}

// A webhook's URL often carries its token: an error never repeats it.
TEST(ConfigAlerts, WebhookErrorsNeverQuoteTheUrl) {
  const std::string bad[] = {"http://user:sekrit@h/x", "http://h/x?sekrit#frag",
                             "http://169.254.169.254/sekrit", "sekrit://h"};
  for (const std::string& url : bad) {
    std::string e = alerts_error("[alerts]\nwebhook = \"" + url + "\"\n");
    EXPECT_NE(e, "") << url;
    EXPECT_EQ(e.find("sekrit"), std::string::npos) << e;
  }
}

TEST(ConfigAlerts, WebhookFromTheEnvironment) {
  setenv("RINGGATE_TEST_ALERT_WEBHOOK", "https://hooks.example.com/services/T/B/sekrit/", 1);
  Config c = load_ok(with_key("[alerts]\nwebhook = \"env:RINGGATE_TEST_ALERT_WEBHOOK\"\n"));
  unsetenv("RINGGATE_TEST_ALERT_WEBHOOK");
  const WebhookTarget& w = c.alerts.webhook;
  EXPECT_TRUE(w.tls);
  EXPECT_EQ(w.port, 443);
  EXPECT_EQ(w.authority, "hooks.example.com");
  EXPECT_EQ(w.target, "/services/T/B/sekrit/");  // the trailing slash kept
  EXPECT_EQ(w.ref, "env:RINGGATE_TEST_ALERT_WEBHOOK");
  EXPECT_EQ(describe(c).find("sekrit"), std::string::npos) << describe(c);
  EXPECT_NE(describe(c).find("webhook=https://hooks.example.com (env:RINGGATE_TEST_ALERT_WEBHOOK)"),
            std::string::npos)
      << describe(c);
}

TEST(WebhookUrl, PathDefaultsToSlashAndPortsAreKept) {
  WebhookTarget w;
  std::string err;
  ASSERT_TRUE(parse_webhook_url("http://[::1]:8081", w, err)) << err;
  EXPECT_EQ(w.host, "::1");
  EXPECT_EQ(w.port, 8081);
  EXPECT_EQ(w.authority, "[::1]:8081");
  EXPECT_EQ(w.target, "/");
  EXPECT_EQ(w.safe_name(), "http://[::1]:8081");
  ASSERT_TRUE(parse_webhook_url("https://h.example?token=abc", w, err)) << err;
  EXPECT_EQ(w.target, "/?token=abc");
  EXPECT_FALSE(parse_webhook_url("http://h/a b", w, err));
  EXPECT_FALSE(parse_webhook_url("http://h/?a b", w, err));
}

}  // namespace
}  // namespace ringgate::config
