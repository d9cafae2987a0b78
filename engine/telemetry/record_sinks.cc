#include "engine/telemetry/record_sinks.h"

#include <arpa/inet.h>

#include <chrono>
#include <ctime>

#include "engine/telemetry/budget_alert_json.h"
#include "engine/telemetry/ledger_row.h"
#include "protocol/error_body.h"

namespace ringgate::telemetry {

std::string client_address_text(const RequestRecord& r) {
  char buf[INET6_ADDRSTRLEN] = "";
  inet_ntop(r.client_ip_v6 ? AF_INET6 : AF_INET, r.client_ip, buf, sizeof buf);
  return buf;
}

namespace {

int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* source_name(RequestRecord::UsageSource s) {
  switch (s) {
    case RequestRecord::UsageSource::kReported:
      return "reported";
    case RequestRecord::UsageSource::kCounted:
      return "counted";
    case RequestRecord::UsageSource::kNone:
      break;
  }
  return "none";
}

void append_usage(std::string& line, const RequestRecord& r) {
  line += R"(,"usage":")";
  line += source_name(r.usage_source);
  line += R"(","input_tokens":)" + std::to_string(r.input_tokens) + R"(,"output_tokens":)" +
          std::to_string(r.output_tokens) + R"(,"cached_input_tokens":)" +
          std::to_string(r.cached_input_tokens) + R"(,"cache_creation_tokens":)" +
          std::to_string(r.cache_creation_tokens) + R"(,"reasoning_tokens":)" +
          std::to_string(r.reasoning_tokens) + R"(,"cost_micros":)" +
          std::to_string(r.cost_micros) + R"(,"upstream_model":")";
  protocol::append_json_escaped(line, r.upstream_model.view());
  line += R"(","finish_reason":")";
  protocol::append_json_escaped(line, r.finish_reason.view());
  line += '"';
}

}  // namespace

void append_record_line(std::string& line, const RequestRecord& r) {
  line += R"({"request_id":")";
  protocol::append_json_escaped(line, r.request_id.view());
  line += R"(","client_key":")";
  protocol::append_json_escaped(line, r.client_key.view());
  line += R"(","client_address":")" + client_address_text(r) + R"(","model":")";
  protocol::append_json_escaped(line, r.model_requested.view());
  line += R"(","served_model":")";
  protocol::append_json_escaped(line, r.model_served.view());
  line += R"(","upstream":")";
  protocol::append_json_escaped(line, r.upstream.view());
  line += R"(","deployment":")";
  protocol::append_json_escaped(line, r.deployment.view());
  line += R"(","attempts":)" + std::to_string(r.attempts) + R"(,"possibly_billed":)" +
          std::to_string(r.possibly_billed);
  line += R"(,"status":)" + std::to_string(r.status) + R"(,"outcome":")" +
          std::string(ledger_outcome(r.outcome)) + R"(","bytes_in":)" + std::to_string(r.bytes_in) +
          R"(,"bytes_out":)" + std::to_string(r.bytes_out) + R"(,"relayed_bytes":)" +
          std::to_string(r.relayed_bytes) + R"(,"relayed_sends":)" +
          std::to_string(r.relayed_sends) + R"(,"taps":")" +
          (r.taps_incomplete ? "incomplete" : "complete") + R"(","upstream_connect_us":)" +
          std::to_string(r.upstream_connect_us) + R"(,"upstream_ttfb_us":)" +
          std::to_string(r.upstream_ttfb_us) + R"(,"total_us":)" + std::to_string(r.total_us) +
          R"(,"cache":")" + std::string(ledger_cache_result(r.cache)) + R"(","cache_us":)" +
          std::to_string(r.cache_us);
  append_usage(line, r);
  line += "}\n";
}

namespace {

LedgerRow ledger_row(const RequestRecord& r, std::string team) {
  LedgerRow row;
  row.request_id = std::string(r.request_id.view());
  row.unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  row.key_id = std::string(r.client_key.view());
  row.team = std::move(team);
  row.client_address = client_address_text(r);
  row.model_requested = std::string(r.model_requested.view());
  row.model_served =
      std::string(r.upstream_model.size ? r.upstream_model.view() : r.model_served.view());
  row.deployment = std::string(r.deployment.size ? r.deployment.view() : r.upstream.view());
  row.status = r.status;
  row.outcome = std::string(ledger_outcome(r.outcome));
  row.input_tokens = r.input_tokens;
  row.output_tokens = r.output_tokens;
  row.cached_input_tokens = r.cached_input_tokens;
  row.cache_creation_tokens = r.cache_creation_tokens;
  row.reasoning_tokens = r.reasoning_tokens;
  row.usage_source = source_name(r.usage_source);
  row.cost_micros = r.cost_micros;
  row.attempts = r.attempts ? r.attempts : r.upstream.size ? 1 : 0;
  row.admission_us = r.admission_us;
  row.cache_us = r.cache_us;
  row.cache_result = std::string(ledger_cache_result(r.cache));
  row.connect_us = r.upstream_connect_us;
  row.ttfb_us = r.upstream_ttfb_us;
  row.total_us = r.total_us;
  row.taps_complete = !r.taps_incomplete;
  return row;
}

}  // namespace

RecordSinks::RecordSinks(RecordSinkOptions options)
    : options_(options),
      alerts_([this](const BudgetAlert& a, const config::Config& c) { on_alert(a, c); }) {}

void RecordSinks::on_spend(const RequestRecord& r, const SettledAccounts& settled, int64_t unix_s) {
  alerts_.on_spend(r.runtime, std::span(settled.accounts.data(), settled.count), unix_s);
}

// Always written, whatever the log level: an operator must see a budget running out.
void RecordSinks::on_alert(const BudgetAlert& a, const config::Config& config) {
  std::fputs(budget_alert_log_line(a).c_str(), stderr);
  if (options_.metrics) {
    options_.metrics->alerts().on_alert(a.scope == admission::Scope::kTeam ? 1 : 0,
                                        size_t(a.period), a.percent);
  }
  if (options_.webhook && config.alerts.webhook.enabled()) {
    options_.webhook->post(config.alerts.webhook, budget_alert_webhook_body(a));
  }
}

// The layout of the record's snapshot, rebuilt only when a reload changed the snapshot.
const MetricsLayout* RecordSinks::layout_for(const RequestRecord& r) {
  if (!options_.metrics || !r.runtime) return nullptr;
  AccountingMetrics& m = options_.metrics->accounting();
  if (r.runtime.get() != layout_runtime_ || !m.layout()) {
    m.adopt(MetricsLayout::build(r.runtime->config()));
    layout_runtime_ = r.runtime.get();
  }
  return m.layout();
}

std::string RecordSinks::team_of(const RequestRecord& r) {
  const MetricsLayout* layout = layout_for(r);
  if (!layout) return {};
  const size_t i = layout->team_of_key(r.client_key.view());
  return i + 2 < layout->teams().size() ? layout->teams()[i] : std::string();  // not other/none
}

void RecordSinks::count_usage(const RequestRecord& r) {
  const MetricsLayout* layout = layout_for(r);
  if (!layout || r.usage_source == RequestRecord::UsageSource::kNone) return;
  TokenCounts t;
  auto at = [&](TokenKind k) -> uint64_t& { return t.by_kind[size_t(k)]; };
  at(TokenKind::kInput) = uint64_t(r.input_tokens);
  at(TokenKind::kOutput) = uint64_t(r.output_tokens);
  at(TokenKind::kCachedInput) = uint64_t(r.cached_input_tokens);
  at(TokenKind::kCacheCreation) = uint64_t(r.cache_creation_tokens);
  at(TokenKind::kReasoning) = uint64_t(r.reasoning_tokens);
  options_.metrics->accounting().on_usage(layout->model_index(r.model, r.model_requested.size > 0),
                                          layout->team_of_key(r.client_key.view()), t,
                                          uint64_t(r.cost_micros));
}

void RecordSinks::on_record(const RequestRecord& r) {
  count_usage(r);
  std::string team = options_.ledger || options_.admin ? team_of(r) : std::string();
  if (options_.admin) options_.admin->on_record(r, team, unix_ms_now());
  if (options_.ledger) options_.ledger->append(ledger_row(r, std::move(team)));
  if (options_.log) {
    line_.clear();
    append_record_line(line_, r);
    std::fwrite(line_.data(), 1, line_.size(), options_.log);
  }
}

void RecordSinks::after_drain() {
  if (options_.log) std::fflush(options_.log);
  if (options_.ledger && options_.metrics) {
    options_.metrics->set_ledger_lag(options_.ledger->stats().lag);
  }
}

void RecordSinks::tick() {
  if (options_.admin) options_.admin->maybe_publish(unix_ms_now());
}

}  // namespace ringgate::telemetry
