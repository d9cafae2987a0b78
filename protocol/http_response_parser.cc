#include "protocol/http_response_parser.h"

#include <algorithm>
#include <cstring>

#include "protocol/http_syntax.h"

namespace ringgate::protocol {

namespace {
constexpr size_t kReservedHeaders = 16;  // grows on demand
}  // namespace

HttpResponseParser::HttpResponseParser(size_t max_head_bytes) : max_head_bytes_(max_head_bytes) {
  spans_.reserve(kReservedHeaders);
  head_.headers.reserve(kReservedHeaders);
}

void HttpResponseParser::reset() {
  state_ = State::kHead;
  body_kind_ = BodyKind::kNone;
  head_done_ = no_body_ = seen_status_line_ = excess_ = too_large_ = false;
  line_start_ = scan_pos_ = head_len_ = consumed_ = body_remaining_ = body_bytes_ = 0;
  reason_ = Span{};
  spans_.clear();
  chunked_.reset();
  head_.status = 0;
  head_.version_minor = 1;
  head_.reason = {};
  head_.headers.clear();
  head_.content_length.reset();
  head_.chunked = false;
  head_.keep_alive = true;
  error_ = "";
}

ParseStatus HttpResponseParser::fail(const char* message) {
  state_ = State::kError;
  error_ = message;
  return ParseStatus::kError;
}

ParseStatus HttpResponseParser::fail_too_large() {
  too_large_ = true;
  return fail("upstream response body too large");
}

ParseStatus HttpResponseParser::feed(std::string_view data, std::vector<std::string_view>& out) {
  ParseStatus s = feed_message(data, out);
  if (s == ParseStatus::kComplete && consumed_ < data.size()) excess_ = true;
  return s;
}

ParseStatus HttpResponseParser::feed_message(std::string_view data,
                                             std::vector<std::string_view>& out) {
  consumed_ = 0;
  switch (state_) {
    case State::kError:
      return ParseStatus::kError;
    case State::kComplete:
      return ParseStatus::kComplete;
    case State::kBody:
      return feed_body(data, 0, out);
    case State::kHead:
      break;
  }
  if (data.size() < scan_pos_) return fail("response head buffer shrank between calls");
  ParseStatus s = parse_head(data);
  if (s != ParseStatus::kComplete) return s;
  if (finish_head(data) == ParseStatus::kError) return ParseStatus::kError;
  consumed_ = head_len_;
  if (state_ == State::kComplete) return ParseStatus::kComplete;
  return feed_body(data, head_len_, out);
}

ParseStatus HttpResponseParser::parse_head(std::string_view buf) {
  const char* base = buf.data();
  const size_t n = buf.size();
  while (true) {
    const void* hit = scan_pos_ < n ? std::memchr(base + scan_pos_, '\n', n - scan_pos_) : nullptr;
    if (hit == nullptr) {
      scan_pos_ = n;
      if (n > max_head_bytes_) return fail("response head too large");
      return ParseStatus::kNeedMore;
    }
    const size_t nl = static_cast<size_t>(static_cast<const char*>(hit) - base);
    if (nl + 1 > max_head_bytes_) return fail("response head too large");
    if (nl == line_start_ || base[nl - 1] != '\r') return fail("bare LF in response head");
    std::string_view line = buf.substr(line_start_, nl - 1 - line_start_);
    if (!seen_status_line_) {
      if (!parse_status_line(line)) return ParseStatus::kError;
      reason_.off += static_cast<uint32_t>(line_start_);
      seen_status_line_ = true;
    } else if (line.empty()) {
      head_len_ = nl + 1;
      return ParseStatus::kComplete;
    } else {
      std::string_view name, value;
      if (const char* why = http_syntax::parse_field_line(line, name, value)) return fail(why);
      spans_.push_back(HeaderSpan{
          Span{static_cast<uint32_t>(name.data() - base), static_cast<uint32_t>(name.size())},
          Span{static_cast<uint32_t>(value.data() - base), static_cast<uint32_t>(value.size())}});
    }
    line_start_ = scan_pos_ = nl + 1;
  }
}

bool HttpResponseParser::parse_status_line(std::string_view line) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || !digit(line[7]) || line[8] != ' ' ||
      !digit(line[9]) || !digit(line[10]) || !digit(line[11]) ||
      (line.size() > 12 && line[12] != ' ') || line[9] == '0') {
    fail("malformed status line");
    return false;
  }
  for (size_t i = 12; i < line.size(); ++i) {
    if (!http_syntax::is_field_value_char(static_cast<unsigned char>(line[i]))) {
      fail("invalid character in reason phrase");
      return false;
    }
  }
  head_.version_minor = line[7] - '0';
  head_.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  const size_t reason_off = line.size() > 12 ? 13 : 12;
  reason_ =
      Span{static_cast<uint32_t>(reason_off), static_cast<uint32_t>(line.size() - reason_off)};
  return true;
}

ParseStatus HttpResponseParser::finish_head(std::string_view buf) {
  auto view = [buf](Span s) { return buf.substr(s.off, s.len); };
  head_.reason = view(reason_);
  head_.headers.clear();
  for (const HeaderSpan& s : spans_)
    head_.headers.push_back(HttpHeader{view(s.name), view(s.value)});
  head_done_ = true;

  bool has_cl = false, has_te = false;
  bool conn_close = false, conn_keep_alive = false;
  size_t cl = 0;
  for (const HttpHeader& h : head_.headers) {
    if (ascii_iequals(h.name, "content-length")) {
      size_t v = 0;
      if (!http_syntax::parse_content_length(h.value, v)) return fail("invalid Content-Length");
      if (has_cl && v != cl) return fail("conflicting Content-Length headers");
      has_cl = true;
      cl = v;
    } else if (ascii_iequals(h.name, "transfer-encoding")) {
      // Only a single "chunked" is framing we can pass on exactly; a coding list (gzip, chunked)
      // would reach the client still encoded under our own framing, so it is refused too.
      if (has_te || !ascii_iequals(http_syntax::trim_ows(h.value), "chunked"))
        return fail("unsupported Transfer-Encoding in upstream response");
      has_te = true;
    } else if (ascii_iequals(h.name, "connection")) {
      conn_close |= header_has_token(h.value, "close");
      conn_keep_alive |= header_has_token(h.value, "keep-alive");
    }
  }
  const bool http11 = head_.version_minor >= 1;
  head_.keep_alive = http11 ? !conn_close : (conn_keep_alive && !conn_close);
  // Both framings at once is how responses are smuggled: one hop reads one, the next the other.
  if (has_te && has_cl)
    return fail("upstream response has both Transfer-Encoding and Content-Length");
  if (has_cl) head_.content_length = cl;

  const int status = head_.status;
  if (no_body_ || status < 200 || status == 204 || status == 304) {
    body_kind_ = BodyKind::kNone;
  } else if (has_te) {
    body_kind_ = BodyKind::kChunked;
    head_.chunked = true;
    ChunkedDecoder::Limits limits;
    limits.max_body_bytes = max_body_bytes_;
    limits.max_trailer_bytes = max_head_bytes_;
    chunked_.set_limits(limits);
  } else if (has_cl) {
    if (cl > max_body_bytes_) return fail_too_large();
    body_kind_ = cl > 0 ? BodyKind::kLength : BodyKind::kNone;
    body_remaining_ = cl;
  } else {
    body_kind_ = BodyKind::kUntilClose;
    head_.keep_alive = false;
  }
  state_ = body_kind_ == BodyKind::kNone ? State::kComplete : State::kBody;
  return state_ == State::kComplete ? ParseStatus::kComplete : ParseStatus::kNeedMore;
}

// Never hands out a byte past the cap, so what was forwarded before the error is the same however
// the bytes arrived.
bool HttpResponseParser::emit(std::string_view piece, std::vector<std::string_view>& out) {
  const size_t room = max_body_bytes_ - body_bytes_;
  if (piece.size() > room) {
    if (room > 0) out.push_back(piece.substr(0, room));
    body_bytes_ += room;
    fail_too_large();
    return false;
  }
  out.push_back(piece);
  body_bytes_ += piece.size();
  return true;
}

ParseStatus HttpResponseParser::feed_body(std::string_view data, size_t from,
                                          std::vector<std::string_view>& out) {
  const size_t n = data.size();
  switch (body_kind_) {
    case BodyKind::kLength: {
      const size_t take = std::min(body_remaining_, n - from);
      if (take > 0 && !emit(data.substr(from, take), out)) return ParseStatus::kError;
      body_remaining_ -= take;
      consumed_ = from + take;
      if (body_remaining_ == 0) {
        state_ = State::kComplete;
        return ParseStatus::kComplete;
      }
      return ParseStatus::kNeedMore;
    }
    case BodyKind::kUntilClose:
      if (n > from && !emit(data.substr(from), out)) return ParseStatus::kError;
      consumed_ = n;
      return ParseStatus::kNeedMore;
    case BodyKind::kChunked: {
      size_t pos = from;
      while (true) {
        size_t used = 0;
        std::string_view piece;
        ChunkedDecoder::Result r = chunked_.decode(data.substr(pos), used, piece);
        pos += used;
        consumed_ = pos;
        switch (r) {
          case ChunkedDecoder::Result::kData:
            if (!emit(piece, out)) return ParseStatus::kError;
            break;
          case ChunkedDecoder::Result::kNeedMore:
            return ParseStatus::kNeedMore;
          case ChunkedDecoder::Result::kDone:
            state_ = State::kComplete;
            return ParseStatus::kComplete;
          case ChunkedDecoder::Result::kError:
            if (chunked_.error() == ChunkedDecoder::Error::kBodyTooLarge) return fail_too_large();
            return fail(chunked_.error_message());
        }
      }
    }
    case BodyKind::kNone:
      break;
  }
  state_ = State::kComplete;
  return ParseStatus::kComplete;
}

ParseStatus HttpResponseParser::finish_eof() {
  switch (state_) {
    case State::kComplete:
      return ParseStatus::kComplete;
    case State::kError:
      return ParseStatus::kError;
    case State::kBody:
      if (body_kind_ == BodyKind::kUntilClose) {
        state_ = State::kComplete;
        return ParseStatus::kComplete;
      }
      return fail("upstream closed before the response body ended");
    case State::kHead:
      break;
  }
  return fail("upstream closed before the response head ended");
}

}  // namespace ringgate::protocol
