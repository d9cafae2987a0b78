// A tap gets a copy of what a BodyRelay sends the client (the accounting copy, the cache fill),
// without ever holding the client up: a tap that cannot take bytes now refuses them, and the
// relay counts the drop in RequestContext::progress.tap_dropped (the request's record then says
// its taps are incomplete) instead of waiting.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "engine/pipeline/request_context.h"

namespace ringgate::pipeline {

class BodyTap {
 public:
  // The body bytes of one send to the client: whole SSE events when the stream goes out in
  // events. The views die when this returns. Must not wait: false means "full, dropped".
  virtual bool offer(std::span<const std::string_view> pieces) = 0;

 protected:
  ~BodyTap() = default;
};

// Counts what went to the client through the relay into the request's progress (and so its
// record): the simplest tap, and the proof that the slot carries every send.
class CountingTap final : public BodyTap {
 public:
  explicit CountingTap(RequestContext& rq) : rq_(rq) {}
  bool offer(std::span<const std::string_view> pieces) override {
    for (std::string_view p : pieces) rq_.progress.relayed_bytes += p.size();
    ++rq_.progress.relayed_sends;
    return true;
  }

 private:
  RequestContext& rq_;
};

}  // namespace ringgate::pipeline
