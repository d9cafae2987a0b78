#include "protocol/chunked_decoder.h"

#include <algorithm>

#include "protocol/http_syntax.h"

namespace ringgate::protocol {

namespace {

inline int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void ChunkedDecoder::reset() {
  state_ = State::kSizeStart;
  error_ = Error::kNone;
  error_message_ = "";
  chunk_remaining_ = 0;
  line_bytes_ = 0;
  trailer_bytes_ = 0;
  body_bytes_ = 0;
}

ChunkedDecoder::Result ChunkedDecoder::fail(Error error, const char* message) {
  state_ = State::kError;
  error_ = error;
  error_message_ = message;
  return Result::kError;
}

ChunkedDecoder::Result ChunkedDecoder::decode(std::string_view in, size_t& consumed,
                                              std::string_view& piece) {
  size_t i = 0;
  const size_t n = in.size();
  Result result = Result::kNeedMore;
  while (i < n) {
    if (state_ == State::kData) {
      size_t take = static_cast<size_t>(std::min<uint64_t>(chunk_remaining_, n - i));
      piece = in.substr(i, take);
      i += take;
      chunk_remaining_ -= take;
      if (chunk_remaining_ == 0) state_ = State::kDataCr;
      consumed = i;
      return Result::kData;
    }
    const unsigned char c = static_cast<unsigned char>(in[i]);
    if (state_ <= State::kSizeLf && ++line_bytes_ > limits_.max_line_bytes) {
      consumed = i;
      return fail(Error::kMalformed, "chunk size line too long");
    }
    if (state_ >= State::kTrailerStart && state_ <= State::kFinalLf &&
        ++trailer_bytes_ > limits_.max_trailer_bytes) {
      consumed = i;
      return fail(Error::kTrailerTooLarge, "chunked trailer section too large");
    }
    ++i;
    switch (state_) {
      case State::kSizeStart:
      case State::kSize: {
        int h = hex_value(c);
        if (h >= 0) {
          if (chunk_remaining_ > (std::numeric_limits<uint64_t>::max() >> 4)) {
            consumed = i;
            return fail(Error::kMalformed, "chunk size overflow");
          }
          chunk_remaining_ = (chunk_remaining_ << 4) | static_cast<uint64_t>(h);
          state_ = State::kSize;
        } else if (state_ == State::kSizeStart) {
          consumed = i;
          return fail(Error::kMalformed, "invalid chunk size");
        } else if (c == ';') {
          state_ = State::kExtension;
        } else if (c == ' ' || c == '\t') {
          state_ = State::kSizeWhitespace;
        } else if (c == '\r') {
          state_ = State::kSizeLf;
        } else {
          consumed = i;
          return fail(Error::kMalformed, "invalid chunk size");
        }
        break;
      }
      case State::kSizeWhitespace:
        if (c == ';') {
          state_ = State::kExtension;
        } else if (c == '\r') {
          state_ = State::kSizeLf;
        } else if (c != ' ' && c != '\t') {
          consumed = i;
          return fail(Error::kMalformed, "invalid chunk size");
        }
        break;
      case State::kExtension:
        // Extensions carry nothing we use; only bytes that could end or split the line matter.
        if (c == '\r') {
          state_ = State::kSizeLf;
        } else if (!http_syntax::is_field_value_char(c)) {
          consumed = i;
          return fail(Error::kMalformed, "invalid chunk extension");
        }
        break;
      case State::kSizeLf:
        if (c != '\n') {
          consumed = i;
          return fail(Error::kMalformed, "bare CR in chunk size line");
        }
        line_bytes_ = 0;
        if (chunk_remaining_ > limits_.max_body_bytes - body_bytes_) {
          consumed = i;
          return fail(Error::kBodyTooLarge, "chunked body too large");
        }
        body_bytes_ += static_cast<size_t>(chunk_remaining_);
        state_ = chunk_remaining_ == 0 ? State::kTrailerStart : State::kData;
        break;
      case State::kDataCr:
        if (c != '\r') {
          consumed = i;
          return fail(Error::kMalformed, "missing CRLF after chunk data");
        }
        state_ = State::kDataLf;
        break;
      case State::kDataLf:
        if (c != '\n') {
          consumed = i;
          return fail(Error::kMalformed, "missing CRLF after chunk data");
        }
        state_ = State::kSizeStart;
        break;
      case State::kTrailerStart:
        if (c == '\r') {
          state_ = State::kFinalLf;
        } else if (http_syntax::is_tchar(c)) {
          state_ = State::kTrailerName;
        } else {
          consumed = i;
          return fail(Error::kMalformed, "invalid trailer field");
        }
        break;
      case State::kTrailerName:
        if (c == ':') {
          state_ = State::kTrailerValue;
        } else if (!http_syntax::is_tchar(c)) {
          consumed = i;
          return fail(Error::kMalformed, "invalid trailer field name");
        }
        break;
      case State::kTrailerValue:
        if (c == '\r') {
          state_ = State::kTrailerLf;
        } else if (!http_syntax::is_field_value_char(c)) {
          consumed = i;
          return fail(Error::kMalformed, "invalid trailer field value");
        }
        break;
      case State::kTrailerLf:
        if (c != '\n') {
          consumed = i;
          return fail(Error::kMalformed, "bare CR in trailer");
        }
        state_ = State::kTrailerStart;
        break;
      case State::kFinalLf:
        if (c != '\n') {
          consumed = i;
          return fail(Error::kMalformed, "bare CR after last chunk");
        }
        state_ = State::kDone;
        consumed = i;
        return Result::kDone;
      case State::kDone:
        --i;
        consumed = i;
        return Result::kDone;
      case State::kError:
        --i;
        consumed = i;
        return Result::kError;
      case State::kData:
        break;  // handled above
    }
  }
  consumed = i;
  if (state_ == State::kDone) result = Result::kDone;
  if (state_ == State::kError) result = Result::kError;
  return result;
}

}  // namespace ringgate::protocol
