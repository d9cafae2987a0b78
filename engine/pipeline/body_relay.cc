#include "engine/pipeline/body_relay.h"

namespace ringgate::pipeline {

namespace {
// Past this, an oversized event's carry is freed at the next stream instead of kept.
constexpr size_t kCarryKeep = 65536;
}  // namespace

const char* stream_error_message(const RelayResult& r) {
  if (r.end == RelayResult::End::kEventTooLarge) return kSseEventTooLarge;
  switch (r.failure) {
    case BodyRead::kIdleTimeout:
      return "upstream stream went idle for too long";
    case BodyRead::kTotalTimeout:
      return "upstream stream exceeded the total time limit";
    case BodyRead::kConnectionFailed:
      return "upstream connection failed mid-stream";
    case BodyRead::kTooLarge:
      return "upstream response exceeds the size limit";
    default:
      return "upstream response ended early or was malformed";
  }
}

bool BodyRelay::add_tap(BodyTap& tap) {
  if (tap_count_ == kMaxTaps) return false;
  taps_[tap_count_++] = &tap;
  return true;
}

bool BodyRelay::add_upstream_tap(BodyTap& tap) {
  if (upstream_tap_count_ == kMaxTaps) return false;
  upstream_taps_[upstream_tap_count_++] = &tap;
  return true;
}

void BodyRelay::begin(const RelayPlan& plan) {
  plan_ = plan;
  ended_ = false;
  scan_.reset(plan.max_event_bytes);
  carry_.clear();
  // One stream's oversized event must not stay allocated for the connection's life.
  if (carry_.capacity() > kCarryKeep) std::string().swap(carry_);
}

uint32_t BodyRelay::heartbeat_ms() const {
  const bool events =
      plan_.shape == RelayPlan::Shape::kWholeEvents || plan_.shape == RelayPlan::Shape::kTransform;
  const BodyFraming f = out_.framing();
  return events && (f == BodyFraming::kChunked || f == BodyFraming::kUntilClose)
             ? plan_.heartbeat_ms
             : 0;
}

io::Task<RelayResult> BodyRelay::run(UpstreamBody& up, std::vector<std::string_view>& pieces,
                                     const RelayPlan& plan) {
  begin(plan);
  RelayResult r;
  bool last = up.complete();
  bool sent = co_await deliver(pieces, last, r);
  // The client's framing is known: its head was built before the relay started.
  const uint32_t beat = heartbeat_ms();
  while (r.ok() && !last) {
    if (!sent && !(plan_.keep_reading && plan_.keep_reading())) break;
    const BodyRead got = co_await up.read(pieces, sent ? beat : 0);
    if (got == BodyRead::kHeartbeat) {
      // Every send so far ended on an event boundary (whole events, or a transform's whole
      // frames; an unfinished upstream event waits in carry_), so the comment stands alone.
      const std::string_view ping = kSseHeartbeat;
      sent = co_await out_.send(std::span(&ping, 1), false);
      ++rq_.progress.heartbeats;
      continue;
    }
    if (got == BodyRead::kClientGone) {
      r.end = RelayResult::End::kClientGone;
      break;
    }
    if (got != BodyRead::kData) {
      r.end = RelayResult::End::kUpstreamFailed;
      r.failure = got;
      break;
    }
    last = up.complete();
    if (sent) {
      sent = co_await deliver(pieces, last, r);
    } else {
      offer(upstream_taps_, upstream_tap_count_, pieces);  // nobody to send to: taps only
    }
  }
  r.upstream_complete = last && (r.ok() || r.end == RelayResult::End::kClientGone || !sent);
  if (!sent) {
    r.end = RelayResult::End::kClientGone;
  } else if (!r.ok() && r.end != RelayResult::End::kClientGone) {
    co_await end_broken(r);
  }
  tap_count_ = upstream_tap_count_ = 0;
  co_return r;
}

io::Task<bool> BodyRelay::deliver(std::vector<std::string_view>& pieces, bool last,
                                  RelayResult& r) {
  offer(upstream_taps_, upstream_tap_count_, pieces);
  switch (plan_.shape) {
    case RelayPlan::Shape::kBytes:
      tap(pieces);
      co_return co_await out_.send(pieces, last);
    case RelayPlan::Shape::kWholeEvents:
      co_return co_await deliver_events(pieces, last, r);
    case RelayPlan::Shape::kTransform:
      co_return co_await deliver_transformed(pieces, last, r);
    case RelayPlan::Shape::kCollect:
      tap(pieces);
      for (std::string_view p : pieces) plan_.collect->append(p);
      co_return true;
  }
  co_return true;
}

void BodyRelay::offer(const std::array<BodyTap*, kMaxTaps>& taps, size_t count,
                      std::span<const std::string_view> pieces) {
  size_t bytes = 0;
  for (std::string_view p : pieces) bytes += p.size();
  if (bytes == 0) return;
  for (size_t i = 0; i < count; ++i) {
    if (!taps[i]->offer(pieces)) ++rq_.progress.tap_dropped;  // never wait for a tap
  }
}

io::Task<bool> BodyRelay::deliver_transformed(std::span<const std::string_view> pieces, bool last,
                                              RelayResult& r) {
  transformed_.clear();
  bool broke = false;
  for (std::string_view p : pieces) broke |= !plan_.transform->feed(p, transformed_);
  if (broke) r.end = RelayResult::End::kEventTooLarge;  // the rest stays unread
  // The end goes in the same send as the last events: one final chunk.
  if (last || broke) {
    plan_.transform->finish(transformed_);
    ended_ = true;
  }
  const std::string_view piece = transformed_;
  tap(std::span(&piece, 1));
  co_return co_await out_.send(std::span(&piece, 1), last || broke);
}

io::Task<void> BodyRelay::end_broken(const RelayResult& r) {
  if (ended_) co_return;
  ended_ = true;
  if (plan_.shape == RelayPlan::Shape::kTransform) {
    // fail() on an unfinished stream emits the client's error event and a clean end.
    transformed_.clear();
    plan_.transform->fail(transformed_, stream_error_message(r));
    const std::string_view piece = transformed_;
    co_await out_.send(std::span(&piece, 1), true);
  } else if (plan_.shape == RelayPlan::Shape::kWholeEvents) {
    // Whole events only went out, so this error event is well formed; then a clean end.
    co_await out_.end_stream_with_error(
        {502, stream_error_message(r), protocol::ErrorCode::kUpstreamStreamError});
  }
  // Bytes as they came: nothing well formed can be added; the session closes the connection.
}

}  // namespace ringgate::pipeline
