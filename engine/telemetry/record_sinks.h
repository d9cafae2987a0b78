// Where an accounted record goes, on the accounting thread: the usage ledger, the token and cost
// metrics, and the JSON log line. None of it runs on a shard.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "engine/telemetry/ledger.h"
#include "engine/telemetry/metrics.h"
#include "engine/telemetry/request_record.h"

namespace ringgate::telemetry {

struct RecordSinkOptions {
  Ledger* ledger = nullptr;            // null: no ledger
  MetricsRegistry* metrics = nullptr;  // null: no token and cost metrics
  std::FILE* log = nullptr;            // one JSON line per request; null: none
};

class RecordSinks {
 public:
  explicit RecordSinks(RecordSinkOptions options) : options_(options) {}

  void on_record(const RequestRecord& r);
  // After each drain: what the ledger has not written yet, for its gauge.
  void after_drain();

 private:
  void count_usage(const RequestRecord& r);
  const MetricsLayout* layout_for(const RequestRecord& r);

  RecordSinkOptions options_;
  const config::Runtime* layout_runtime_ = nullptr;  // the snapshot the metrics layout is from
  std::string line_;
};

// The record as one JSON log line (no key, no secret: ids and names only).
void append_record_line(std::string& line, const RequestRecord& r);
std::string client_address_text(const RequestRecord& r);

}  // namespace ringgate::telemetry
