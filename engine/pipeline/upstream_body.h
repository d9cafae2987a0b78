// The upstream end of a BodyRelay: the body of a response whose head is parsed. The session
// implements it over its upstream connection and response parser; tests feed scripted reads.
#pragma once

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
};

class UpstreamBody {
 public:
  // Reads the body's next bytes; the de-framed pieces replace `pieces`, as views valid until
  // the next read.
  virtual io::Task<BodyRead> read(std::vector<std::string_view>& pieces) = 0;
  // The body's last byte has been read.
  virtual bool complete() const = 0;

 protected:
  ~UpstreamBody() = default;
};

}  // namespace ringgate::pipeline
