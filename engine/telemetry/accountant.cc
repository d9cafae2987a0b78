#include "engine/telemetry/accountant.h"

#include <algorithm>

#include "engine/admission/gatekeeper.h"
#include "providers/usage/cost.h"

namespace ringgate::telemetry {

namespace {

constexpr size_t kMaxSpare = 64;

providers::TokenPrices prices_of(const config::Price& p) {
  return {p.input_per_mtok_micros, p.output_per_mtok_micros, p.cached_input_per_mtok_micros,
          p.cache_write_per_mtok_micros};
}

}  // namespace

std::unique_ptr<Accountant::Copy> Accountant::take_spare() {
  if (spare_.empty()) return std::make_unique<Copy>();
  std::unique_ptr<Copy> c = std::move(spare_.back());
  spare_.pop_back();
  return c;
}

void Accountant::on_frame(size_t shard, uint64_t request, TapFrame kind, std::string_view payload) {
  Open& open = open_[shard];
  if (kind == TapFrame::kBegin) {
    if (payload.size() < 2) return;
    if (open.size() >= kMaxOpenCopies) {
      // Tags grow: the smallest is the oldest copy, the likeliest to have lost its record.
      auto oldest = std::min_element(
          open.begin(), open.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      open.erase(oldest);
      ++forgotten_;
    }
    std::unique_ptr<Copy>& c = open[request];
    if (!c) c = take_spare();
    c->extractor.reset(providers::UsageShape(payload[0]), payload[1] != 0);
    return;
  }
  auto it = open.find(request);
  if (it != open.end()) it->second->extractor.feed(payload);  // no begin: the copy was dropped
}

void Accountant::read_usage(Open& open, RequestRecord& r) {
  auto it = open.find(r.tap_request);
  if (it == open.end()) return;
  const providers::Usage& u = it->second->extractor.finish();
  if (u.reported) {
    r.usage_source = RequestRecord::UsageSource::kReported;
    r.input_tokens = u.input_tokens;
    r.output_tokens = u.output_tokens;
    r.cached_input_tokens = u.cached_input_tokens;
    r.cache_creation_tokens = u.cache_creation_tokens;
    r.reasoning_tokens = u.reasoning_tokens;
    if (r.model && r.model->price.set) {
      r.cost_micros = providers::cost_micros(u, prices_of(r.model->price));
    }
  }
  r.upstream_model.assign(u.model);
  r.finish_reason.assign(u.finish_reason);
  if (u.truncated) r.taps_incomplete = true;
  if (spare_.size() < kMaxSpare) spare_.push_back(std::move(it->second));
  open.erase(it);
}

SettledAccounts Accountant::account(size_t shard, RequestRecord& r, uint64_t now_ns,
                                    int64_t unix_s) {
  if (r.tapped) read_usage(open_[shard], r);
  if (!r.charge.active()) return {};
  admission::SettleInput in;  // unknown usage keeps the estimate and the reservation
  if (r.usage_source != RequestRecord::UsageSource::kNone && !r.taps_incomplete) {
    in.input_tokens = r.input_tokens + r.cached_input_tokens + r.cache_creation_tokens;
    in.output_tokens = r.output_tokens;
    if (r.model && r.model->price.set) in.cost_micros = r.cost_micros;
  }
  in.now_ns = now_ns;
  in.unix_s = unix_s;
  const SettledAccounts settled{r.charge.accounts, r.charge.accounts_count};
  admission::Gatekeeper::correct(r.charge, in);  // clears the charge
  return settled;
}

}  // namespace ringgate::telemetry
