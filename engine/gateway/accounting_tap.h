// The session's accounting copy: the upstream's body bytes of a request that reports usage go
// into the shard's TapRing, tagged with the request, for the accounting thread to read usage
// from. Never waits: a frame the ring has no room for is refused, and the relay counts it.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "engine/pipeline/body_tap.h"
#include "engine/telemetry/tap_ring.h"
#include "providers/usage/usage_extractor.h"

namespace ringgate::gateway {

class AccountingTap final : public pipeline::BodyTap {
 public:
  explicit AccountingTap(telemetry::TapRing& ring) : ring_(ring) {}

  // Opens request `request`'s copy; false when the ring had no room (then offer() refuses too).
  // `request_body` is what the upstream got, copied for counting when it reports no usage; a
  // body the ring will not take (over its frame limit, or no room) only loses the count.
  bool begin(uint64_t request, providers::UsageShape shape, bool streamed,
             std::string_view request_body) {
    request_ = request;
    const char begin[2] = {char(shape), char(streamed)};
    open_ = ring_.push(request, telemetry::TapFrame::kBegin, std::string_view(begin, 2));
    if (open_ && !request_body.empty()) {
      ring_.push(request, telemetry::TapFrame::kRequest, request_body);
    }
    return open_;
  }
  bool offer(std::span<const std::string_view> pieces) override {
    return open_ && ring_.push(request_, telemetry::TapFrame::kBody, pieces);
  }

 private:
  telemetry::TapRing& ring_;
  uint64_t request_ = 0;
  bool open_ = false;
};

}  // namespace ringgate::gateway
