#include "protocol/http_request_parser.h"

#include <algorithm>
#include <cstring>

#include "protocol/http_syntax.h"

namespace ringgate::protocol {

namespace {

using http_syntax::is_tchar;

// A chunked body this large in parser-owned storage is not kept for the next request on the
// connection; ordinary bodies keep their capacity so warm connections do not allocate.
constexpr size_t kRetainedBodyCapacity = 256 * 1024;
constexpr size_t kReservedHeaders = 16;  // grows on demand, up to max_headers

inline bool is_target_char(unsigned char c) { return c > 0x20 && c < 0x7f; }

}  // namespace

HttpRequestParser::HttpRequestParser(HttpLimits limits) : limits_(limits) {
  size_t reserve = std::min(limits_.max_headers, kReservedHeaders);
  spans_.reserve(reserve);
  req_.headers.reserve(reserve);
}

void HttpRequestParser::reset() {
  state_ = State::kRequestLine;
  line_start_ = scan_pos_ = head_len_ = consumed_ = chunk_pos_ = 0;
  method_ = target_ = Span{};
  spans_.clear();
  bound_base_ = nullptr;
  chunked_.reset();
  if (decoded_body_.capacity() > kRetainedBodyCapacity) {
    std::string().swap(decoded_body_);
  } else {
    decoded_body_.clear();
  }
  req_.method = req_.target = req_.path = req_.query = req_.body = {};
  req_.version_minor = 1;
  req_.headers.clear();
  req_.content_length.reset();
  req_.chunked = false;
  req_.keep_alive = true;
  req_.expect_continue = false;
  err_ = HttpError{};
}

ParseStatus HttpRequestParser::fail(int status, const char* message) {
  state_ = State::kError;
  err_.status = status;
  err_.message = message;
  return ParseStatus::kError;
}

ParseStatus HttpRequestParser::too_large() {
  // Named after the cap that refused it, so an operator knows which key to raise.
  const bool up = upload();
  fail(413, up ? "request body exceeds max_upload_bytes" : "request body exceeds max_body_bytes");
  err_.upload = up;
  return ParseStatus::kError;
}

ParseStatus HttpRequestParser::parse(std::string_view buf) {
  if (state_ == State::kError) return ParseStatus::kError;
  if (buf.size() < std::max(scan_pos_, chunk_pos_)) {
    return fail(400, "request buffer shrank between calls");
  }
  if (state_ <= State::kHeaders) {
    ParseStatus s = parse_head(buf);
    if (s != ParseStatus::kComplete) return s;
    bind_head(buf);
    if (finish_head() == ParseStatus::kError) return ParseStatus::kError;
  } else {
    bind_head(buf);
  }
  if (state_ == State::kComplete) return ParseStatus::kComplete;
  return parse_body(buf);
}

ParseStatus HttpRequestParser::parse_head(std::string_view buf) {
  const char* base = buf.data();
  const size_t n = buf.size();
  while (true) {
    const void* hit = scan_pos_ < n ? std::memchr(base + scan_pos_, '\n', n - scan_pos_) : nullptr;
    if (hit == nullptr) {
      scan_pos_ = n;
      if (n > limits_.max_head_bytes) return fail(431, "request head too large");
      return ParseStatus::kNeedMore;
    }
    const size_t nl = static_cast<size_t>(static_cast<const char*>(hit) - base);
    if (nl + 1 > limits_.max_head_bytes) return fail(431, "request head too large");
    if (nl == line_start_ || base[nl - 1] != '\r') return fail(400, "bare LF in request head");
    const size_t end = nl - 1;
    std::string_view line = buf.substr(line_start_, end - line_start_);
    if (state_ == State::kRequestLine) {
      // RFC 9112 section 2.2: empty lines before the request line are ignored (some clients
      // send a CRLF after a POST body).
      if (!line.empty()) {
        if (!parse_request_line(buf, line_start_, end)) return ParseStatus::kError;
        state_ = State::kHeaders;
      }
    } else if (line.empty()) {
      head_len_ = nl + 1;
      line_start_ = scan_pos_ = head_len_;
      return ParseStatus::kComplete;
    } else {
      if (spans_.size() >= limits_.max_headers) return fail(431, "too many header fields");
      std::string_view name, value;
      if (const char* why = http_syntax::parse_field_line(line, name, value)) {
        return fail(400, why);
      }
      spans_.push_back(HeaderSpan{
          Span{static_cast<uint32_t>(name.data() - base), static_cast<uint32_t>(name.size())},
          Span{static_cast<uint32_t>(value.data() - base), static_cast<uint32_t>(value.size())}});
    }
    line_start_ = scan_pos_ = nl + 1;
  }
}

bool HttpRequestParser::parse_request_line(std::string_view buf, size_t begin, size_t end) {
  std::string_view line = buf.substr(begin, end - begin);
  const size_t len = line.size();
  size_t i = 0;
  while (i < len && is_tchar(static_cast<unsigned char>(line[i]))) ++i;
  if (i == 0 || i >= len || line[i] != ' ') {
    fail(400, "malformed request method");
    return false;
  }
  method_ = Span{static_cast<uint32_t>(begin), static_cast<uint32_t>(i)};
  const size_t target_begin = ++i;
  while (i < len && is_target_char(static_cast<unsigned char>(line[i]))) ++i;
  if (i == target_begin || i >= len || line[i] != ' ') {
    fail(400, "malformed request target");
    return false;
  }
  target_ =
      Span{static_cast<uint32_t>(begin + target_begin), static_cast<uint32_t>(i - target_begin)};
  std::string_view version = line.substr(i + 1);
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !digit(version[5]) ||
      version[6] != '.' || !digit(version[7])) {
    fail(400, "malformed HTTP version");
    return false;
  }
  if (version[5] != '1') {
    fail(505, "HTTP version not supported");
    return false;
  }
  req_.version_minor = version[7] - '0';
  return true;
}

void HttpRequestParser::bind_head(std::string_view buf) {
  if (buf.data() == bound_base_) return;
  bound_base_ = buf.data();
  auto view = [buf](Span s) { return buf.substr(s.off, s.len); };
  req_.method = view(method_);
  req_.target = view(target_);
  size_t q = req_.target.find('?');
  req_.path = req_.target.substr(0, q);
  req_.query = q == std::string_view::npos ? std::string_view{} : req_.target.substr(q + 1);
  req_.headers.clear();
  for (const HeaderSpan& s : spans_)
    req_.headers.push_back(HttpHeader{view(s.name), view(s.value)});
  if (state_ == State::kComplete && !req_.chunked && req_.content_length) {
    req_.body = buf.substr(head_len_, *req_.content_length);
  }
}

ParseStatus HttpRequestParser::finish_head() {
  bool has_cl = false, has_te = false, te_chunked = false, te_other = false;
  bool conn_close = false, conn_keep_alive = false, expect_continue = false;
  size_t cl = 0, hosts = 0;
  for (const HttpHeader& h : req_.headers) {
    const std::string_view name = h.name;
    if (ascii_iequals(name, "content-length")) {
      size_t v = 0;
      if (!http_syntax::parse_content_length(h.value, v))
        return fail(400, "invalid Content-Length");
      if (has_cl && v != cl) return fail(400, "conflicting Content-Length headers");
      has_cl = true;
      cl = v;
    } else if (ascii_iequals(name, "transfer-encoding")) {
      has_te = true;
      std::string_view list = h.value;
      while (!list.empty()) {
        size_t comma = list.find(',');
        std::string_view coding = http_syntax::trim_ows(list.substr(0, comma));
        if (!coding.empty()) {
          if (te_chunked) return fail(400, "chunked is not the final transfer coding");
          if (ascii_iequals(coding, "chunked")) {
            te_chunked = true;
          } else {
            te_other = true;
          }
        }
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
    } else if (ascii_iequals(name, "connection")) {
      conn_close |= header_has_token(h.value, "close");
      conn_keep_alive |= header_has_token(h.value, "keep-alive");
    } else if (ascii_iequals(name, "expect")) {
      expect_continue |= ascii_iequals(h.value, "100-continue");
    } else if (ascii_iequals(name, "host")) {
      ++hosts;
    }
  }
  const bool http11 = req_.version_minor >= 1;
  if (has_te) {
    if (has_cl) return fail(400, "both Content-Length and Transfer-Encoding");
    if (!http11) return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
    if (te_other) return fail(501, "unsupported transfer coding");
    if (!te_chunked) return fail(400, "empty Transfer-Encoding");
  }
  if (hosts > 1) return fail(400, "multiple Host headers");
  if (http11 && hosts == 0) return fail(400, "missing Host header");
  req_.keep_alive = http11 ? !conn_close : (conn_keep_alive && !conn_close);
  req_.expect_continue = http11 && expect_continue;
  if (te_chunked) {
    req_.chunked = true;
    chunked_.reset();
    chunked_.set_limits(ChunkedDecoder::Limits{body_cap(), 4096, limits_.max_head_bytes});
    chunk_pos_ = head_len_;
    state_ = State::kChunkedBody;
    return ParseStatus::kNeedMore;
  }
  if (has_cl) {
    req_.content_length = cl;
    // Refuse before reading a byte of it, so an oversized upload costs us nothing.
    if (cl > body_cap()) return too_large();
    if (cl > 0) {
      state_ = State::kBody;
      return ParseStatus::kNeedMore;
    }
  }
  state_ = State::kComplete;
  consumed_ = head_len_;
  return ParseStatus::kComplete;
}

ParseStatus HttpRequestParser::parse_body(std::string_view buf) {
  if (state_ == State::kBody) {
    const size_t cl = *req_.content_length;
    if (buf.size() - head_len_ < cl) return ParseStatus::kNeedMore;
    req_.body = buf.substr(head_len_, cl);
    consumed_ = head_len_ + cl;
    state_ = State::kComplete;
    return ParseStatus::kComplete;
  }
  while (true) {
    size_t used = 0;
    std::string_view piece;
    ChunkedDecoder::Result r = chunked_.decode(buf.substr(chunk_pos_), used, piece);
    chunk_pos_ += used;
    switch (r) {
      case ChunkedDecoder::Result::kData:
        decoded_body_.append(piece);
        break;
      case ChunkedDecoder::Result::kNeedMore:
        return ParseStatus::kNeedMore;
      case ChunkedDecoder::Result::kDone:
        req_.body = decoded_body_;
        consumed_ = chunk_pos_;
        state_ = State::kComplete;
        return ParseStatus::kComplete;
      case ChunkedDecoder::Result::kError:
        switch (chunked_.error()) {
          case ChunkedDecoder::Error::kBodyTooLarge:
            return too_large();
          case ChunkedDecoder::Error::kTrailerTooLarge:
            return fail(431, chunked_.error_message());
          default:
            return fail(400, chunked_.error_message());
        }
    }
  }
}

}  // namespace ringgate::protocol
