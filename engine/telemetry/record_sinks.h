// Where an accounted record goes, on the accounting thread: the usage ledger, the token and cost
// metrics, the JSON log line, and the budget alerts its spend raised (a warn line on stderr, a
// counter, the webhook). None of it runs on a shard.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "engine/telemetry/accountant.h"
#include "engine/telemetry/admin_series.h"
#include "engine/telemetry/budget_alerts.h"
#include "engine/telemetry/ledger.h"
#include "engine/telemetry/metrics.h"
#include "engine/telemetry/request_record.h"
#include "engine/telemetry/webhook_sender.h"

namespace ringgate::telemetry {

struct RecordSinkOptions {
  Ledger* ledger = nullptr;            // null: no ledger
  MetricsRegistry* metrics = nullptr;  // null: no token and cost metrics
  std::FILE* log = nullptr;            // one JSON line per request; null: none
  WebhookSender* webhook = nullptr;    // where budget alerts are POSTed; null: nowhere
  AdminSeries* admin = nullptr;        // what the admin API shows; null: nothing kept
};

class RecordSinks {
 public:
  explicit RecordSinks(RecordSinkOptions options);

  void on_record(const RequestRecord& r);
  // After the record's charge was settled into `settled`.
  void on_spend(const RequestRecord& r, const SettledAccounts& settled, int64_t unix_s);
  // After each drain: what the ledger has not written yet, for its gauge.
  void after_drain();
  // Every pass of the thread, records or not: publishes the admin snapshot when due.
  void tick();

 private:
  void count_usage(const RequestRecord& r);
  const MetricsLayout* layout_for(const RequestRecord& r);
  std::string team_of(const RequestRecord& r);
  void on_alert(const BudgetAlert& a, const config::Config& config);

  RecordSinkOptions options_;
  const config::Runtime* layout_runtime_ = nullptr;  // the snapshot the metrics layout is from
  std::string line_;
  BudgetAlerts alerts_;
};

// The record as one JSON log line (no key, no secret: ids and names only).
void append_record_line(std::string& line, const RequestRecord& r);
std::string client_address_text(const RequestRecord& r);

}  // namespace ringgate::telemetry
