// The accounting thread's reading of usage: each request's copy of its upstream body (TapRing
// frames) goes through a UsageExtractor as it arrives, and when the request's record comes the
// record is completed (usage, source, cost) and what the request still owed is charged to those
// numbers. Only the accounting thread uses it.
//
// When the upstream reported no usage, the usage is counted (source kCounted) with the
// tokenizers: the prompt from the copy of the request body the upstream got (TapFrame::kRequest),
// the output from the generated text the extractor collected (at most kMaxGeneratedText bytes are
// tokenized; the rest adds its bytes / 4). No request copy (over the frame limit, ring full) or no
// tokenizer for the model: the usage stays unknown (kNone), never a guess.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/telemetry/request_record.h"
#include "engine/telemetry/tap_ring.h"
#include "providers/tokenizer/tokenizer_set.h"
#include "providers/usage/usage_counter.h"
#include "providers/usage/usage_extractor.h"

namespace ringgate::telemetry {

// The budgets a record's charge was settled into (key, team), for the alerts that read them.
struct SettledAccounts {
  std::array<admission::BudgetAccount*, admission::PendingCharge::kMaxAccounts> accounts{};
  uint8_t count = 0;
};

class Accountant {
 public:
  // At most this many copies open per shard: a copy whose record was lost (the record ring was
  // full) is forgotten, oldest first, past it.
  static constexpr size_t kMaxOpenCopies = 65536;

  static constexpr size_t kMaxGeneratedText = size_t{1} << 20;

  // tokenizers: null or empty turns counting off (usage the upstream does not report stays kNone).
  explicit Accountant(size_t shards,
                      std::shared_ptr<const providers::tokenizer::TokenizerSet> tokenizers = {})
      : open_(shards), counter_(std::move(tokenizers)) {}

  void on_frame(size_t shard, uint64_t request, TapFrame kind, std::string_view payload);
  // Completes `r` and settles its charge. now_ns: the steady clock the buckets run on.
  SettledAccounts account(size_t shard, RequestRecord& r, uint64_t now_ns, int64_t unix_s);

  uint64_t forgotten_copies() const { return forgotten_; }

 private:
  struct Copy {
    providers::UsageExtractor extractor;
    providers::UsageShape shape = providers::UsageShape::kOpenAiChat;
    std::string request;  // the upstream request body, when it was copied
  };
  using Open = std::unordered_map<uint64_t, std::unique_ptr<Copy>>;

  std::unique_ptr<Copy> take_spare();
  void read_usage(Open& open, RequestRecord& r);
  void count_usage(const Copy& c, RequestRecord& r);

  std::vector<Open> open_;                    // per shard, by tap request
  std::vector<std::unique_ptr<Copy>> spare_;  // extractors keep their buffers between requests
  providers::UsageCounter counter_;
  uint64_t forgotten_ = 0;
};

}  // namespace ringgate::telemetry
