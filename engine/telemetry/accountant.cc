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

// The price the answer is billed at: the record's (the serving deployment's or fallback's), else
// the requested model's; null when neither names one.
const config::Price* price_of(const RequestRecord& r) {
  if (r.price && r.price->set) return r.price;
  return r.model && r.model->price.set ? &r.model->price : nullptr;
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
    c->shape = providers::UsageShape(payload[0]);
    c->request.clear();
    c->extractor.set_text_limit(counter_.enabled() ? kMaxGeneratedText : 0);
    c->extractor.reset(c->shape, payload[1] != 0);
    return;
  }
  auto it = open.find(request);
  if (it == open.end()) return;  // no begin: the copy was dropped
  if (kind == TapFrame::kRequest) {
    it->second->request.assign(payload.data(), payload.size());
  } else {
    it->second->extractor.feed(payload);
  }
}

void Accountant::read_usage(Open& open, RequestRecord& r) {
  auto it = open.find(r.tap_request);
  if (it == open.end()) return;
  const providers::Usage& u = it->second->extractor.finish();
  if (!u.reported) {
    count_usage(*it->second, r);
  } else {
    r.usage_source = RequestRecord::UsageSource::kReported;
    r.input_tokens = u.input_tokens;
    r.output_tokens = u.output_tokens;
    r.cached_input_tokens = u.cached_input_tokens;
    r.cache_creation_tokens = u.cache_creation_tokens;
    r.reasoning_tokens = u.reasoning_tokens;
    if (const config::Price* p = price_of(r))
      r.cost_micros = providers::cost_micros(u, prices_of(*p));
  }
  r.upstream_model.assign(u.model);
  r.finish_reason.assign(u.finish_reason);
  if (u.truncated) r.taps_incomplete = true;
  if (spare_.size() < kMaxSpare) {
    it->second->request.clear();
    if (it->second->request.capacity() > kMaxGeneratedText) it->second->request.shrink_to_fit();
    spare_.push_back(std::move(it->second));
  }
  open.erase(it);
}

void Accountant::count_usage(const Copy& c, RequestRecord& r) {
  if (c.request.empty() || !counter_.enabled()) return;
  const std::string_view model = r.model_served.view();  // else the body's "model"
  const std::optional<int64_t> input = counter_.count_prompt(c.shape, c.request, model);
  if (!input) return;
  const std::string_view text = c.extractor.generated_text();
  std::optional<int64_t> output =
      counter_.count_text(model.empty() ? r.model_requested.view() : model, text);
  if (!output) return;
  *output += int64_t((c.extractor.generated_bytes() - text.size() + 3) / 4);  // past the cap
  providers::Usage u;
  u.input_tokens = *input;
  u.output_tokens = *output;
  r.usage_source = RequestRecord::UsageSource::kCounted;
  r.input_tokens = u.input_tokens;
  r.output_tokens = u.output_tokens;
  if (const config::Price* p = price_of(r))
    r.cost_micros = providers::cost_micros(u, prices_of(*p));
}

SettledAccounts Accountant::account(size_t shard, RequestRecord& r, uint64_t now_ns,
                                    int64_t unix_s) {
  if (r.tapped) read_usage(open_[shard], r);
  if (!r.charge.active()) return {};
  admission::SettleInput in;  // unknown usage keeps the estimate and the reservation
  if (r.usage_source != RequestRecord::UsageSource::kNone && !r.taps_incomplete) {
    in.input_tokens = r.input_tokens + r.cached_input_tokens + r.cache_creation_tokens;
    in.output_tokens = r.output_tokens;
    if (price_of(r)) in.cost_micros = r.cost_micros;
  }
  in.now_ns = now_ns;
  in.unix_s = unix_s;
  const SettledAccounts settled{r.charge.accounts, r.charge.accounts_count};
  admission::Gatekeeper::correct(r.charge, in);  // clears the charge
  return settled;
}

}  // namespace ringgate::telemetry
