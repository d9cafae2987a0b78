#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ringgate::mock_upstream {

struct HttpHeader {
  std::string name;  // lower-cased
  std::string value;
};

struct HttpRequest {
  std::string method;
  std::string target;
  std::string path;  // target without the query string
  bool keep_alive = true;
  bool expects_continue = false;
  std::vector<HttpHeader> headers;
  std::string body;

  // Returns the first header with that (lower-case) name, or nullptr.
  const std::string* Find(std::string_view name) const;
};

// Incremental HTTP/1.1 request reader for the mock: Content-Length and chunked bodies, no
// pipelining guarantees beyond leaving unconsumed bytes in the caller's buffer.
class HttpRequestReader {
 public:
  enum class Status { kIncomplete, kComplete, kError };

  static constexpr size_t kMaxHeadBytes = 64 * 1024;
  static constexpr size_t kMaxBodyBytes = 64 * 1024 * 1024;

  // Parses what `in` holds; on kComplete the request's bytes are erased from the front of `in`.
  Status Feed(std::string& in);

  // Valid after kComplete; Reset() before reading the next request.
  HttpRequest& request() { return request_; }
  void Reset();

  bool head_complete() const { return state_ != State::kHead; }
  int error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }

 private:
  enum class State { kHead, kBody, kChunkSize, kChunkData, kChunkDataEnd, kTrailers, kDone };

  Status Fail(int status, std::string message);
  Status ParseHead(std::string_view head);
  Status ParseChunked(std::string& in);

  State state_ = State::kHead;
  size_t pos_ = 0;  // bytes of `in` already consumed by the current request
  size_t head_scan_ = 0;
  uint64_t remaining_ = 0;  // body bytes left (Content-Length or current chunk)
  HttpRequest request_;
  int error_status_ = 0;
  std::string error_message_;
};

}  // namespace ringgate::mock_upstream
