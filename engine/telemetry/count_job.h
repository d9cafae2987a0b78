// One prompt to count off the shard: the shard fills it, hands it to the CountWorker and keeps a
// reference; the worker stores the count in `tokens` (release), the shard reads it (acquire)
// whenever it looks. Either side may drop its reference first.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "providers/usage/usage_extractor.h"

namespace ringgate::telemetry {

struct CountJob {
  static constexpr int64_t kPending = -1;
  static constexpr int64_t kFailed = -2;  // not JSON, or no tokenizer for the model

  providers::UsageShape shape = providers::UsageShape::kOpenAiChat;
  std::string body;   // a copy: the session's buffers are reused for its next request
  std::string model;  // for the encoding; "" = the body's "model"
  std::atomic<int64_t> tokens{kPending};

  bool done() const { return tokens.load(std::memory_order_acquire) != kPending; }
  // The count, or -1 while pending or failed.
  int64_t count() const {
    const int64_t n = tokens.load(std::memory_order_acquire);
    return n >= 0 ? n : -1;
  }
};

}  // namespace ringgate::telemetry
