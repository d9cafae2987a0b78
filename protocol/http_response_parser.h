#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "protocol/chunked_decoder.h"
#include "protocol/http_header.h"
#include "protocol/parse_status.h"

namespace ringgate::protocol {

struct HttpResponseHead {
  int status = 0;
  int version_minor = 1;
  std::string_view reason;
  std::vector<HttpHeader> headers;
  std::optional<size_t> content_length;
  bool chunked = false;
  bool keep_alive = true;

  std::string_view header(std::string_view name) const { return find_header(headers, name); }
  bool is_event_stream() const { return protocol::is_event_stream(header("content-type")); }
};

// Upstream response parser that streams the body: de-framed body bytes are handed out as views
// into the bytes just fed, so the splicer forwards them without buffering the stream.
//
// Head phase: pass ALL bytes received so far on every call (like HttpRequestParser); nothing is
// consumed until the head is complete, and head() views point into that buffer, so the caller
// keeps it alive while it uses head(). Body phase: pass only new bytes.
class HttpResponseParser {
 public:
  explicit HttpResponseParser(size_t max_head_bytes = 65536);

  // The response has no body whatever its headers say (answer to HEAD, or the caller knows).
  // 1xx, 204 and 304 are recognised without this. An interim 1xx completes at its head: the
  // caller resets and keeps parsing the bytes after consumed() for the final response.
  void set_no_body() { no_body_ = true; }
  // Cap on de-framed body bytes; exceeding it is an error. Unlimited by default.
  void set_max_body_bytes(size_t max) { max_body_bytes_ = max; }

  // Appends body pieces (views into `data`, chunk framing removed) to `body_out`. Returns
  // kComplete when the message ended; bytes after it are not part of it (see consumed()).
  ParseStatus feed(std::string_view data, std::vector<std::string_view>& body_out);
  // Bytes of `data` used by the last feed(), head bytes included on the call that completed it.
  size_t consumed() const { return consumed_; }

  bool head_complete() const { return head_done_; }
  const HttpResponseHead& head() const { return head_; }
  size_t head_bytes() const { return head_len_; }
  bool complete() const { return state_ == State::kComplete; }
  // True when the body runs until the upstream closes the connection.
  bool close_delimited() const { return body_kind_ == BodyKind::kUntilClose; }
  // Bytes arrived beyond the end of the message (a second response, a body after 204).
  bool saw_excess() const { return excess_; }
  // The connection may carry another request: the message ended exactly where the bytes did,
  // and the upstream neither closes it nor delimits the body by closing.
  bool connection_reusable() const {
    return complete() && !excess_ && head_.keep_alive && !close_delimited();
  }
  size_t body_bytes() const { return body_bytes_; }

  // The upstream closed the connection: completes a close-delimited body, else the message was
  // truncated (kError) unless it had already completed.
  ParseStatus finish_eof();
  const char* error() const { return error_; }
  // The error was the max_body_bytes cap (seed-defect 000-X3), not bad framing or a cut.
  bool body_too_large() const { return too_large_; }
  void reset();

 private:
  enum class State : uint8_t { kHead, kBody, kComplete, kError };
  enum class BodyKind : uint8_t { kNone, kLength, kChunked, kUntilClose };
  struct Span {
    uint32_t off = 0, len = 0;
  };
  struct HeaderSpan {
    Span name, value;
  };

  ParseStatus fail(const char* message);
  ParseStatus fail_too_large();
  ParseStatus feed_message(std::string_view data, std::vector<std::string_view>& out);
  ParseStatus parse_head(std::string_view buf);
  bool parse_status_line(std::string_view line);
  ParseStatus finish_head(std::string_view buf);
  ParseStatus feed_body(std::string_view data, size_t from, std::vector<std::string_view>& out);
  bool emit(std::string_view piece, std::vector<std::string_view>& out);

  size_t max_head_bytes_;
  size_t max_body_bytes_ = std::numeric_limits<size_t>::max();
  State state_ = State::kHead;
  BodyKind body_kind_ = BodyKind::kNone;
  bool head_done_ = false;
  bool no_body_ = false;
  bool seen_status_line_ = false;
  bool excess_ = false;
  bool too_large_ = false;
  size_t line_start_ = 0;
  size_t scan_pos_ = 0;
  size_t head_len_ = 0;
  size_t consumed_ = 0;
  size_t body_remaining_ = 0;
  size_t body_bytes_ = 0;
  Span reason_;
  std::vector<HeaderSpan> spans_;
  ChunkedDecoder chunked_;
  HttpResponseHead head_;
  const char* error_ = "";
};

}  // namespace ringgate::protocol
