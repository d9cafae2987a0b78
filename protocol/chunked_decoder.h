#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

namespace ringgate::protocol {

// Streaming decoder for the chunked transfer coding (RFC 9112 section 7.1). It keeps no copy of
// the input: each data piece is a view into the bytes just passed in, so it serves both the
// request parser (which gathers pieces) and the response splicer (which forwards them at once).
// Input may be split at any byte.
class ChunkedDecoder {
 public:
  struct Limits {
    size_t max_body_bytes = std::numeric_limits<size_t>::max();
    size_t max_line_bytes = 4096;      // chunk-size line including extensions
    size_t max_trailer_bytes = 16384;  // whole trailer section
  };
  enum class Result { kNeedMore, kData, kDone, kError };
  enum class Error { kNone, kMalformed, kBodyTooLarge, kTrailerTooLarge };

  explicit ChunkedDecoder(Limits limits) : limits_(limits) {}
  ChunkedDecoder() : ChunkedDecoder(Limits{}) {}

  // Decodes from `in` until one data piece is ready (kData, `piece` views into `in`), the body
  // ends (kDone; bytes after the final CRLF are left unconsumed), `in` runs out (kNeedMore) or the
  // framing is bad (kError). `consumed` is how much of `in` was used in every case.
  Result decode(std::string_view in, size_t& consumed, std::string_view& piece);

  bool done() const { return state_ == State::kDone; }
  Error error() const { return error_; }
  const char* error_message() const { return error_message_; }
  size_t body_bytes() const { return body_bytes_; }
  void set_limits(Limits limits) { limits_ = limits; }
  void reset();

 private:
  enum class State : uint8_t {
    kSizeStart,
    kSize,
    kSizeWhitespace,  // BWS between the size and ';'
    kExtension,
    kSizeLf,
    kData,
    kDataCr,
    kDataLf,
    kTrailerStart,
    kTrailerName,
    kTrailerValue,
    kTrailerLf,
    kFinalLf,
    kDone,
    kError,
  };

  Result fail(Error error, const char* message);

  Limits limits_;
  State state_ = State::kSizeStart;
  Error error_ = Error::kNone;
  const char* error_message_ = "";
  uint64_t chunk_remaining_ = 0;
  size_t line_bytes_ = 0;
  size_t trailer_bytes_ = 0;
  size_t body_bytes_ = 0;
};

}  // namespace ringgate::protocol
