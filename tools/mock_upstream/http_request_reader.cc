#include "tools/mock_upstream/http_request_reader.h"

#include <algorithm>
#include <charconv>

namespace ringgate::mock_upstream {
namespace {

constexpr size_t kMaxChunkLine = 1024;

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// True when the comma-separated header value lists `token` (case-insensitive).
bool ListsToken(std::string_view value, std::string_view token) {
  std::string lowered = Lower(value);
  std::string_view rest = lowered;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    if (TrimOws(rest.substr(0, comma)) == token) return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

const std::string* HttpRequest::Find(std::string_view name) const {
  for (const HttpHeader& h : headers) {
    if (h.name == name) return &h.value;
  }
  return nullptr;
}

void HttpRequestReader::Reset() {
  state_ = State::kHead;
  pos_ = 0;
  head_scan_ = 0;
  remaining_ = 0;
  request_ = HttpRequest();
  error_status_ = 0;
  error_message_.clear();
}

HttpRequestReader::Status HttpRequestReader::Fail(int status, std::string message) {
  error_status_ = status;
  error_message_ = std::move(message);
  return Status::kError;
}

HttpRequestReader::Status HttpRequestReader::Feed(std::string& in) {
  if (error_status_ != 0) return Status::kError;
  if (state_ == State::kHead) {
    size_t end = in.find("\r\n\r\n", head_scan_);
    if (end == std::string::npos) {
      if (in.size() > kMaxHeadBytes) return Fail(431, "request head too large");
      head_scan_ = in.size() >= 3 ? in.size() - 3 : 0;
      return Status::kIncomplete;
    }
    if (end + 4 > kMaxHeadBytes) return Fail(431, "request head too large");
    if (Status s = ParseHead(std::string_view(in).substr(0, end + 2)); s == Status::kError) {
      return s;
    }
    pos_ = end + 4;
    // Grow the buffer once for the whole body instead of doubling as it arrives.
    if (state_ == State::kBody) in.reserve(pos_ + remaining_);
  }
  if (state_ == State::kBody) {
    uint64_t take = std::min<uint64_t>(remaining_, in.size() - pos_);
    request_.body.append(in, pos_, take);
    pos_ += take;
    remaining_ -= take;
    if (remaining_ == 0) state_ = State::kDone;
  }
  if (state_ != State::kDone && state_ != State::kBody) {
    if (Status s = ParseChunked(in); s == Status::kError) return s;
  }
  if (state_ != State::kDone) return Status::kIncomplete;
  in.erase(0, pos_);
  pos_ = 0;
  return Status::kComplete;
}

HttpRequestReader::Status HttpRequestReader::ParseHead(std::string_view head) {
  size_t line_end = head.find("\r\n");
  std::string_view line = head.substr(0, line_end);
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos || sp1 == 0 ||
      sp2 == sp1 + 1) {
    return Fail(400, "malformed request line");
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!std::all_of(method.begin(), method.end(), IsTokenChar)) return Fail(400, "bad method");
  if (target.find_first_of(" \t\r\n") != std::string_view::npos || target[0] != '/') {
    return Fail(400, "bad request target");
  }
  bool http11;
  if (version == "HTTP/1.1") {
    http11 = true;
  } else if (version == "HTTP/1.0") {
    http11 = false;
  } else {
    return Fail(version.starts_with("HTTP/") ? 505 : 400, "unsupported HTTP version");
  }
  request_.method = std::string(method);
  request_.target = std::string(target);
  request_.path = std::string(target.substr(0, target.find('?')));

  bool has_length = false;
  bool chunked = false;
  uint64_t length = 0;
  std::string connection;  // a copy: the headers vector may reallocate (and move short strings)
  std::string_view rest = head.substr(line_end + 2);
  while (!rest.empty()) {
    size_t eol = rest.find("\r\n");
    std::string_view field = rest.substr(0, eol);
    rest.remove_prefix(eol + 2);
    size_t colon = field.find(':');
    if (colon == std::string_view::npos || colon == 0) return Fail(400, "malformed header");
    std::string_view name = field.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), IsTokenChar)) {
      return Fail(400, "malformed header name");
    }
    std::string_view value = TrimOws(field.substr(colon + 1));
    if (value.find_first_of("\r\n") != std::string_view::npos) {
      return Fail(400, "malformed header value");
    }
    request_.headers.push_back({Lower(name), std::string(value)});
    const std::string& lname = request_.headers.back().name;
    if (lname == "content-length") {
      uint64_t v = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (value.empty() || ec != std::errc() || ptr != value.data() + value.size()) {
        return Fail(400, "invalid Content-Length");
      }
      if (has_length && v != length) return Fail(400, "conflicting Content-Length");
      has_length = true;
      length = v;
    } else if (lname == "transfer-encoding") {
      if (Lower(value) != "chunked" || chunked) {
        return Fail(501, "unsupported Transfer-Encoding");
      }
      chunked = true;
    } else if (lname == "connection") {
      connection = request_.headers.back().value;
    } else if (lname == "expect") {
      if (Lower(value) != "100-continue") return Fail(417, "unsupported Expect");
      request_.expects_continue = true;
    }
  }
  if (has_length && chunked) return Fail(400, "both Content-Length and Transfer-Encoding");
  if (length > kMaxBodyBytes) return Fail(413, "request body too large");
  request_.keep_alive =
      http11 ? !ListsToken(connection, "close") : ListsToken(connection, "keep-alive");
  if (chunked) {
    state_ = State::kChunkSize;
  } else if (length > 0) {
    request_.body.reserve(length);
    remaining_ = length;
    state_ = State::kBody;
  } else {
    state_ = State::kDone;
  }
  return Status::kIncomplete;
}

HttpRequestReader::Status HttpRequestReader::ParseChunked(std::string& in) {
  while (state_ != State::kDone) {
    if (state_ == State::kChunkData) {
      uint64_t take = std::min<uint64_t>(remaining_, in.size() - pos_);
      request_.body.append(in, pos_, take);
      pos_ += take;
      remaining_ -= take;
      if (remaining_ > 0) return Status::kIncomplete;
      state_ = State::kChunkDataEnd;
      continue;
    }
    if (state_ == State::kChunkDataEnd) {
      if (in.size() - pos_ < 2) return Status::kIncomplete;
      if (in.compare(pos_, 2, "\r\n") != 0) return Fail(400, "malformed chunk");
      pos_ += 2;
      state_ = State::kChunkSize;
      continue;
    }
    size_t eol = in.find("\r\n", pos_);
    if (eol == std::string::npos) {
      if (in.size() - pos_ > kMaxChunkLine) return Fail(400, "chunk line too long");
      return Status::kIncomplete;
    }
    if (eol - pos_ > kMaxChunkLine) return Fail(400, "chunk line too long");
    std::string_view line(in.data() + pos_, eol - pos_);
    pos_ = eol + 2;
    if (state_ == State::kTrailers) {
      if (line.empty()) state_ = State::kDone;
      continue;
    }
    std::string_view digits = line.substr(0, line.find(';'));
    digits = TrimOws(digits);
    uint64_t size = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
    if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size()) {
      return Fail(400, "malformed chunk size");
    }
    if (size > kMaxBodyBytes || request_.body.size() + size > kMaxBodyBytes) {
      return Fail(413, "request body too large");
    }
    if (size == 0) {
      state_ = State::kTrailers;
    } else {
      remaining_ = size;
      state_ = State::kChunkData;
    }
  }
  return Status::kIncomplete;
}

}  // namespace ringgate::mock_upstream
