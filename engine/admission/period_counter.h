// One budget period's money, lock-free: `committed` (spent + reserved, what admission checks) and
// `spent` (what refusals report), each one atomic word tagged with the period it counts, so the
// UTC day or month rolls over by a CAS that sees an older tag and starts from zero. Shards whose
// clocks disagree by a little agree on the newest period seen.
#pragma once

#include <atomic>
#include <cstdint>

namespace ringgate::admission {

class PeriodCounter {
 public:
  // 16 bits of period (days to 2149, months far beyond) and 48 of microdollars ($281M).
  static constexpr uint64_t kMaxMicros = (uint64_t(1) << 48) - 1;

  // Reserves `amount` if committed + amount <= limit in the newest of `period` and the stored
  // one; `reserved_in` is that period. On refusal, `committed` is what stood in the way.
  bool try_reserve(uint32_t period, uint64_t amount, uint64_t limit, uint32_t& reserved_in,
                   uint64_t& committed);
  // Replaces a reservation by the actual cost. If its period has ended, the cost lands in the
  // current one: the ledger dates a cost by its completion, and a restore must agree.
  void settle(uint32_t reserved_in, uint32_t now_period, uint64_t reserved, uint64_t actual);
  // Drops a reservation that never became a cost.
  void refund(uint32_t reserved_in, uint64_t reserved);

  // Counts `amount` as already spent in `period` (spend from before a restart).
  void restore(uint32_t period, uint64_t amount) {
    add(committed_, period, amount);
    add(spent_, period, amount);
  }

  uint64_t committed(uint32_t period) const { return read(committed_, period); }
  uint64_t spent(uint32_t period) const { return read(spent_, period); }

 private:
  static uint64_t read(const std::atomic<uint64_t>& word, uint32_t period);
  static void add(std::atomic<uint64_t>& word, uint32_t period, uint64_t amount);

  std::atomic<uint64_t> committed_{0}, spent_{0};
  static_assert(std::atomic<uint64_t>::is_always_lock_free);
};

}  // namespace ringgate::admission
