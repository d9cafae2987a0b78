#include "engine/telemetry/budget_alert_json.h"

#include <ctime>

#include "engine/config/microdollars.h"
#include "protocol/error_body.h"

namespace ringgate::telemetry {
namespace {

std::string utc_date(int64_t unix_s) {
  const time_t t = time_t(unix_s);
  tm parts{};
  gmtime_r(&t, &parts);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &parts);
  return buf;
}

void append_fields(std::string& out, const BudgetAlert& a) {
  out += R"("event":"budget_alert","scope":")";
  out += admission::scope_name(a.scope);
  out += R"(","id":")";
  protocol::append_json_escaped(out, a.id);
  out += R"(","period":")";
  out += admission::budget_period_name(a.period);
  out += '"';
  if (a.period != admission::BudgetPeriod::kTotal) {
    out += R"(,"period_start":")" + utc_date(a.period_start_s) + '"';
  }
  out += R"(,"percent":)" + std::to_string(a.percent) + R"(,"spent_usd":")" +
         config::format_usd(a.spent_micros) + R"(","budget_usd":")" +
         config::format_usd(a.budget_micros) + '"';
}

}  // namespace

std::string budget_alert_log_line(const BudgetAlert& a) {
  std::string out = R"({"level":"warn",)";
  append_fields(out, a);
  return out + "}\n";
}

std::string budget_alert_webhook_body(const BudgetAlert& a) {
  std::string out = "{";
  append_fields(out, a);
  std::string text = "ringgate: " + std::string(admission::scope_name(a.scope)) + " " +
                     std::string(a.id) + " reached " + std::to_string(a.percent) + "% of its " +
                     std::string(admission::budget_period_name(a.period)) + " budget (" +
                     config::format_usd(a.spent_micros) + " of " +
                     config::format_usd(a.budget_micros) + " USD)";
  out += R"(,"text":")";
  protocol::append_json_escaped(out, text);
  return out + "\"}";
}

}  // namespace ringgate::telemetry
