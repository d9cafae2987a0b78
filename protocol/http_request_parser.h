#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/chunked_decoder.h"
#include "protocol/http_header.h"
#include "protocol/parse_status.h"

namespace ringgate::protocol {

struct HttpLimits {
  size_t max_head_bytes = 16384;
  size_t max_headers = 100;
  size_t max_body_bytes = 4 << 20;
  // The body of a request whose path `is_upload_path` accepts (the caller's notion: files,
  // batches, anything but its JSON API calls) is capped by max_upload_bytes instead. Null: every
  // body is capped by max_body_bytes.
  size_t max_upload_bytes = 32 << 20;
  bool (*is_upload_path)(std::string_view path) = nullptr;
};

struct HttpRequest {
  std::string_view method, target, path, query;  // path = target before '?', query after it
  int version_minor = 1;
  std::vector<HttpHeader> headers;  // capacity kept across reset()
  std::optional<size_t> content_length;
  bool chunked = false;
  bool keep_alive = true;
  bool expect_continue = false;
  // Content-Length: a view into the caller's buffer. Chunked: a view into parser-owned storage.
  std::string_view body;

  // Case-insensitive, first match, "" when absent.
  std::string_view header(std::string_view name) const { return find_header(headers, name); }
};

struct HttpError {
  int status = 400;  // 400, 413, 431, 501 (unsupported transfer coding), 505
  std::string_view message;
  bool upload = false;  // a 413 against max_upload_bytes (else max_body_bytes)
};

// Incremental, zero-copy HTTP/1.1 request parser, one per connection.
//
// The caller keeps every byte of the current request in one buffer and calls parse() with the
// whole buffer each time more arrives. The parser remembers how far it scanned, so each byte is
// examined once, and it records positions rather than pointers until the head is complete, so the
// buffer may move (grow) between calls. Views in request() point into the last buffer passed.
//
// Refuses, rather than repairs, anything that two HTTP implementations could frame differently:
// bare LF or CR, obs-fold, whitespace before a colon, Content-Length together with
// Transfer-Encoding, conflicting Content-Lengths, transfer codings other than chunked.
class HttpRequestParser {
 public:
  explicit HttpRequestParser(HttpLimits limits = {});

  ParseStatus parse(std::string_view buffered);

  bool head_complete() const { return state_ >= State::kBody && head_len_ != 0; }
  const HttpRequest& request() const { return req_; }
  // Bytes of this request (leading empty lines + head + body) once kComplete; any bytes after
  // that are the next pipelined request.
  size_t consumed() const { return consumed_; }
  size_t head_bytes() const { return head_len_; }
  const HttpError& error() const { return err_; }
  const HttpLimits& limits() const { return limits_; }
  void reset();

 private:
  enum class State : uint8_t { kRequestLine, kHeaders, kBody, kChunkedBody, kComplete, kError };
  struct Span {
    uint32_t off = 0, len = 0;
  };
  struct HeaderSpan {
    Span name, value;
  };

  ParseStatus fail(int status, const char* message);
  ParseStatus too_large();
  ParseStatus parse_head(std::string_view buf);
  bool parse_request_line(std::string_view buf, size_t begin, size_t end);
  ParseStatus finish_head();
  ParseStatus parse_body(std::string_view buf);
  void bind_head(std::string_view buf);
  // The cap of this request's body, chosen once its path is known.
  bool upload() const { return limits_.is_upload_path && limits_.is_upload_path(req_.path); }
  size_t body_cap() const { return upload() ? limits_.max_upload_bytes : limits_.max_body_bytes; }

  HttpLimits limits_;
  State state_ = State::kRequestLine;
  size_t line_start_ = 0;  // start of the line being scanned
  size_t scan_pos_ = 0;    // where the search for the next LF resumes
  size_t head_len_ = 0;
  size_t consumed_ = 0;
  size_t chunk_pos_ = 0;  // next undecoded byte of a chunked body
  Span method_, target_;
  std::vector<HeaderSpan> spans_;
  const char* bound_base_ = nullptr;
  ChunkedDecoder chunked_;
  std::string decoded_body_;
  HttpRequest req_;
  HttpError err_;
};

}  // namespace ringgate::protocol
