// A budget alert as JSON: the warn line on stderr and the webhook's body. Ids and names only,
// never a key; amounts as decimal USD strings, exact to the microdollar.
#pragma once

#include <string>

#include "engine/telemetry/budget_alerts.h"

namespace ringgate::telemetry {

// {"level":"warn","event":"budget_alert","scope":"key","id":"alice","period":"daily",
//  "period_start":"2026-05-01","percent":80,"spent_usd":"8.5","budget_usd":"10"}\n
// (period_start: the UTC day or month; absent for a total budget).
std::string budget_alert_log_line(const BudgetAlert& a);

// The same fields without "level", and a "text" summary (what Slack-style webhooks show).
std::string budget_alert_webhook_body(const BudgetAlert& a);

}  // namespace ringgate::telemetry
