// The upstream end of a BodyRelay: the body of a response whose head is parsed. The session
// implements it over its upstream connection and response parser; tests feed scripted reads.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/io/task.h"

namespace ringgate::pipeline {

// What one read of the body brought.
enum class BodyRead {
  kData,              // pieces hold the next body bytes (maybe none)
  kClientGone,        // the client hung up while we waited: nobody to forward to
  kIdleTimeout,       // the upstream went quiet for longer than the stream idle timeout
  kTotalTimeout,      // the request's total time ran out
  kConnectionFailed,  // the connection broke (reset, TLS error)
  kTooLarge,          // more than max_response_bytes
  kMalformed,         // bad framing, or the connection closed before the body's end
  kHeartbeat,         // nothing came for the heartbeat interval asked for; the body goes on
};

class UpstreamBody {
 public:
  // Reads the body's next bytes; the de-framed pieces replace `pieces`, as views valid until
  // the next read. With `heartbeat_ms` > 0, a read that brings nothing for that long returns
  // kHeartbeat (no pieces) so the caller can keep its client's connection warm, and the next
  // read goes on waiting under the same idle timeout: a heartbeat is client side only and never
  // restarts the upstream's idle timer.
  virtual io::Task<BodyRead> read(std::vector<std::string_view>& pieces, uint32_t heartbeat_ms) = 0;
  // The body's last byte has been read.
  virtual bool complete() const = 0;

 protected:
  ~UpstreamBody() = default;
};

}  // namespace ringgate::pipeline
