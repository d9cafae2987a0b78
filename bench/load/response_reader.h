#pragma once

#include <cstddef>
#include <cstdint>

namespace ringgate::bench {

// Just enough HTTP/1.1 response parsing for a load generator: the status code, the message
// framing (Content-Length, chunked, or until close) and, for server-sent events, where events
// end in the de-chunked body ("\n\n", CRLFs tolerated). Header values other than framing and
// Connection are never looked at, and body bytes are never copied.
class ResponseReader {
 public:
  enum class Status { kNeedMore, kComplete, kError };

  struct Progress {
    size_t consumed = 0;    // bytes of the input that belong to this response
    uint32_t events = 0;    // SSE events completed within those bytes
    size_t body_bytes = 0;  // de-chunked body bytes within those bytes
    Status status = Status::kNeedMore;
  };

  // Prepares for the next response. `head_request` responses have no body whatever they say.
  void reset(bool head_request = false);

  // Feeds bytes following those already consumed. While the head is incomplete nothing is
  // consumed and the caller must present the same bytes again with more appended (the head is
  // the only part that needs buffering). Bytes after a complete response are left unconsumed.
  Progress feed(const char* data, size_t length);

  // The peer closed the connection. Returns true if that completes the response (a body
  // delimited by close); otherwise the response was cut short.
  bool finish_at_eof();

  int status_code() const { return status_code_; }
  bool keep_alive() const { return keep_alive_; }
  bool in_head() const { return state_ == State::kHead; }
  const char* error() const { return error_; }

 private:
  enum class State : uint8_t {
    kHead,
    kLengthBody,
    kUntilClose,
    kChunkSize,
    kChunkExtension,
    kChunkData,
    kChunkDataEnd,
    kTrailer,
    kTrailerLine,
    kDone,
    kError,
  };

  // Returns bytes consumed by the head, 0 if incomplete; sets state_ for the body.
  size_t parse_head(const char* data, size_t length);
  void count_events(const char* data, size_t length, Progress& progress);
  Progress fail(Progress progress, const char* message);

  State state_ = State::kHead;
  bool head_request_ = false;
  bool keep_alive_ = true;
  bool after_newline_ = false;
  int status_code_ = 0;
  size_t head_scanned_ = 0;
  uint64_t remaining_ = 0;
  const char* error_ = nullptr;
};

}  // namespace ringgate::bench
