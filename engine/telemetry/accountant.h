// The accounting thread's reading of usage: each request's copy of its upstream body (TapRing
// frames) goes through a UsageExtractor as it arrives, and when the request's record comes the
// record is completed (usage, source, cost) and what the request still owed is charged to those
// numbers. Only the accounting thread uses it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/telemetry/request_record.h"
#include "engine/telemetry/tap_ring.h"
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

  explicit Accountant(size_t shards) : open_(shards) {}

  void on_frame(size_t shard, uint64_t request, TapFrame kind, std::string_view payload);
  // Completes `r` and settles its charge. now_ns: the steady clock the buckets run on.
  SettledAccounts account(size_t shard, RequestRecord& r, uint64_t now_ns, int64_t unix_s);

  uint64_t forgotten_copies() const { return forgotten_; }

 private:
  struct Copy {
    providers::UsageExtractor extractor;
  };
  using Open = std::unordered_map<uint64_t, std::unique_ptr<Copy>>;

  std::unique_ptr<Copy> take_spare();
  void read_usage(Open& open, RequestRecord& r);

  std::vector<Open> open_;                    // per shard, by tap request
  std::vector<std::unique_ptr<Copy>> spare_;  // extractors keep their buffers between requests
  uint64_t forgotten_ = 0;
};

}  // namespace ringgate::telemetry
