// The one loop that reads an upstream body and forwards it to the client: each read is sent
// before the next one is issued, so a slow client slows its upstream and nothing buffers
// without bound. The shape decides what goes out per read: the bytes as they are, whole SSE
// events only (so a broken stream can still end with a well-formed error event), a transform's
// output (translation), or nothing until the body is whole (a JSON answer to translate). Taps
// get a copy of each send and never hold it up.
#pragma once

#include <array>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/io/task.h"
#include "engine/pipeline/body_tap.h"
#include "engine/pipeline/body_transform.h"
#include "engine/pipeline/request_context.h"
#include "engine/pipeline/response_writer.h"
#include "engine/pipeline/upstream_body.h"
#include "protocol/sse_boundary.h"

namespace ringgate::pipeline {

// Why a stream ended early when one upstream event passed [server] max_sse_event_bytes; the
// client reads it in the final error event, relayed and translated streams alike.
inline constexpr const char* kSseEventTooLarge =
    "upstream stream event exceeds max_sse_event_bytes";

// What a stream's client gets when its upstream has been silent for [timeouts] sse_heartbeat_ms:
// an SSE comment, which every SSE reader skips (seed-defect: 004-P3).
inline constexpr std::string_view kSseHeartbeat = ": ping\n\n";

struct RelayPlan {
  enum class Shape { kBytes, kWholeEvents, kTransform, kCollect };
  Shape shape = Shape::kBytes;
  size_t max_event_bytes = 1 << 20;    // kWholeEvents
  BodyTransform* transform = nullptr;  // kTransform
  std::string* collect = nullptr;      // kCollect: the whole body, appended here
  // kWholeEvents and kTransform to a client whose body has no Content-Length: after this much
  // upstream silence the client gets kSseHeartbeat, between whole events only. 0: never.
  uint32_t heartbeat_ms = 0;
  // Set: when the client is gone the body is still read to its end for the upstream taps (a
  // single flight's leader filling the cache for its followers) while this returns true.
  std::function<bool()> keep_reading;
};

struct RelayResult {
  enum class End { kComplete, kClientGone, kUpstreamFailed, kEventTooLarge };
  End end = End::kComplete;
  BodyRead failure = BodyRead::kData;  // kUpstreamFailed: what the read said
  // The upstream body arrived whole (also when its client had gone: see keep_reading).
  bool upstream_complete = false;
  bool ok() const { return end == End::kComplete; }
  bool timed_out() const {
    return failure == BodyRead::kIdleTimeout || failure == BodyRead::kTotalTimeout;
  }
};

// What a relayed (untranslated) stream's final error event says about a failure.
const char* stream_error_message(const RelayResult& r);

class BodyRelay {
 public:
  static constexpr size_t kMaxTaps = 4;

  // One per connection, so its buffers keep their capacity between requests.
  BodyRelay(ResponseWriter& out, RequestContext& rq) : out_(out), rq_(rq) {}
  BodyRelay(const BodyRelay&) = delete;

  // For the next run() only. Past kMaxTaps a tap is refused (false). A client tap gets what
  // each send carries to the client; an upstream tap gets the body as the upstream sent it,
  // before any transform (the accounting copy reads the upstream's own usage from it).
  bool add_tap(BodyTap& tap);
  bool add_upstream_tap(BodyTap& tap);
  // Relays the rest of a body whose head is parsed (and, unless collecting, is in the writer):
  // `pieces` holds what the head's read brought. On a broken stream the client's error end is
  // sent (whole events: the writer's error event; a transform: its finish()).
  io::Task<RelayResult> run(UpstreamBody& up, std::vector<std::string_view>& pieces,
                            const RelayPlan& plan);

 private:
  void begin(const RelayPlan& plan);
  // The heartbeat interval this run's reads ask for: 0 unless the client is sent whole events
  // in a body of open length, where a comment between two events changes nothing else.
  uint32_t heartbeat_ms() const;
  io::Task<bool> deliver(std::vector<std::string_view>& pieces, bool last, RelayResult& r);
  io::Task<bool> deliver_events(std::vector<std::string_view>& pieces, bool last, RelayResult& r);
  io::Task<bool> deliver_transformed(std::span<const std::string_view> pieces, bool last,
                                     RelayResult& r);
  io::Task<void> end_broken(const RelayResult& r);
  void tap(std::span<const std::string_view> pieces) { offer(taps_, tap_count_, pieces); }
  void offer(const std::array<BodyTap*, kMaxTaps>& taps, size_t count,
             std::span<const std::string_view> pieces);

  ResponseWriter& out_;
  RequestContext& rq_;
  RelayPlan plan_;
  std::array<BodyTap*, kMaxTaps> taps_{};
  size_t tap_count_ = 0;
  std::array<BodyTap*, kMaxTaps> upstream_taps_{};
  size_t upstream_tap_count_ = 0;
  bool ended_ = false;                  // the body's end (clean or not) has gone out
  protocol::SseBoundaryScanner scan_;   // where the stream's events end
  std::string carry_;                   // the unfinished tail of an event, until its end
  std::vector<std::string_view> tail_;  // the bytes after the last boundary, while sending
  std::string transformed_;             // a transform's output for one read
};

}  // namespace ringgate::pipeline
