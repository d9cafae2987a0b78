#include "bench/load/response_reader.h"

#include <cstring>
#include <string_view>

namespace ringgate::bench {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != b[i]) return false;
  }
  return true;
}

bool icontains(std::string_view haystack, std::string_view lower_needle) {
  if (haystack.size() < lower_needle.size()) return false;
  for (size_t i = 0; i + lower_needle.size() <= haystack.size(); ++i) {
    if (iequals(haystack.substr(i, lower_needle.size()), lower_needle)) return true;
  }
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void ResponseReader::reset(bool head_request) {
  state_ = State::kHead;
  head_request_ = head_request;
  keep_alive_ = true;
  after_newline_ = false;
  status_code_ = 0;
  head_scanned_ = 0;
  remaining_ = 0;
  error_ = nullptr;
}

ResponseReader::Progress ResponseReader::fail(Progress progress, const char* message) {
  state_ = State::kError;
  error_ = message;
  progress.status = Status::kError;
  return progress;
}

size_t ResponseReader::parse_head(const char* data, size_t length) {
  const std::string_view input(data, length);
  // Resume the search a few bytes back so a terminator split across feeds is still found.
  const size_t from = head_scanned_ > 3 ? head_scanned_ - 3 : 0;
  const size_t end = input.find("\r\n\r\n", from);
  if (end == std::string_view::npos) {
    head_scanned_ = length;
    return 0;
  }
  const size_t head_length = end + 4;
  head_scanned_ = 0;

  std::string_view head = input.substr(0, end);
  const size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  head = line_end == std::string_view::npos ? std::string_view{} : head.substr(line_end + 2);

  // "HTTP/1.x SSS reason"
  if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.") || status_line[8] != ' ') {
    error_ = "malformed status line";
    return 0;
  }
  const bool http10 = status_line[7] == '0';
  int code = 0;
  for (int i = 9; i < 12; ++i) {
    const char c = status_line[i];
    if (c < '0' || c > '9') {
      error_ = "malformed status code";
      return 0;
    }
    code = code * 10 + (c - '0');
  }
  status_code_ = code;
  keep_alive_ = !http10;

  bool chunked = false;
  bool have_length = false;
  uint64_t content_length = 0;
  while (!head.empty()) {
    const size_t next = head.find("\r\n");
    std::string_view line = head.substr(0, next);
    head = next == std::string_view::npos ? std::string_view{} : head.substr(next + 2);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "content-length")) {
      if (value.empty()) {
        error_ = "empty Content-Length";
        return 0;
      }
      content_length = 0;
      for (char c : value) {
        if (c < '0' || c > '9' || content_length > (UINT64_MAX - 9) / 10) {
          error_ = "bad Content-Length";
          return 0;
        }
        content_length = content_length * 10 + static_cast<uint64_t>(c - '0');
      }
      have_length = true;
    } else if (iequals(name, "transfer-encoding")) {
      chunked = icontains(value, "chunked");
    } else if (iequals(name, "connection")) {
      if (icontains(value, "close")) keep_alive_ = false;
      if (icontains(value, "keep-alive")) keep_alive_ = true;
    }
  }

  if (code >= 100 && code < 200) {
    state_ = State::kHead;  // interim response: the real one follows
  } else if (head_request_ || code == 204 || code == 304) {
    state_ = State::kDone;
  } else if (chunked) {
    state_ = State::kChunkSize;
    remaining_ = 0;
  } else if (have_length) {
    remaining_ = content_length;
    state_ = content_length == 0 ? State::kDone : State::kLengthBody;
  } else {
    state_ = State::kUntilClose;
    keep_alive_ = false;
  }
  return head_length;
}

void ResponseReader::count_events(const char* data, size_t length, Progress& progress) {
  progress.body_bytes += length;
  const char* p = data;
  const char* const end = data + length;
  while (p < end) {
    if (after_newline_) {
      while (p < end && *p == '\r') ++p;
      if (p == end) break;
      if (*p == '\n') ++progress.events;
      after_newline_ = false;
      ++p;
      continue;
    }
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
    if (nl == nullptr) break;
    after_newline_ = true;
    p = static_cast<const char*>(nl) + 1;
  }
}

ResponseReader::Progress ResponseReader::feed(const char* data, size_t length) {
  Progress progress;
  size_t pos = 0;
  while (pos < length || state_ == State::kDone) {
    switch (state_) {
      case State::kHead: {
        const size_t used = parse_head(data + pos, length - pos);
        if (error_ != nullptr) return fail(progress, error_);
        if (used == 0) {
          // Incomplete head: nothing of it is consumed; earlier interim heads are.
          progress.consumed = pos;
          return progress;
        }
        pos += used;
        break;
      }
      case State::kLengthBody: {
        const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, length - pos));
        count_events(data + pos, take, progress);
        pos += take;
        remaining_ -= take;
        if (remaining_ == 0) state_ = State::kDone;
        break;
      }
      case State::kUntilClose:
        count_events(data + pos, length - pos, progress);
        pos = length;
        break;
      case State::kChunkSize: {
        const char c = data[pos++];
        const int digit = hex_value(c);
        if (digit >= 0) {
          if (remaining_ > (UINT64_MAX >> 4)) return fail(progress, "chunk size overflow");
          remaining_ = remaining_ * 16 + static_cast<uint64_t>(digit);
        } else if (c == ';' || c == ' ' || c == '\t' || c == '\r') {
          state_ = State::kChunkExtension;
        } else if (c == '\n') {
          state_ = remaining_ == 0 ? State::kTrailer : State::kChunkData;
        } else {
          return fail(progress, "bad chunk size");
        }
        break;
      }
      case State::kChunkExtension: {
        const void* nl = std::memchr(data + pos, '\n', length - pos);
        if (nl == nullptr) {
          pos = length;
        } else {
          pos = static_cast<size_t>(static_cast<const char*>(nl) - data) + 1;
          state_ = remaining_ == 0 ? State::kTrailer : State::kChunkData;
        }
        break;
      }
      case State::kChunkData: {
        const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, length - pos));
        count_events(data + pos, take, progress);
        pos += take;
        remaining_ -= take;
        if (remaining_ == 0) state_ = State::kChunkDataEnd;
        break;
      }
      case State::kChunkDataEnd: {
        const char c = data[pos++];
        if (c == '\n') {
          state_ = State::kChunkSize;
        } else if (c != '\r') {
          return fail(progress, "missing CRLF after chunk data");
        }
        break;
      }
      case State::kTrailer: {
        const char c = data[pos++];
        if (c == '\n') {
          state_ = State::kDone;
        } else if (c != '\r') {
          state_ = State::kTrailerLine;
        }
        break;
      }
      case State::kTrailerLine: {
        const void* nl = std::memchr(data + pos, '\n', length - pos);
        if (nl == nullptr) {
          pos = length;
        } else {
          pos = static_cast<size_t>(static_cast<const char*>(nl) - data) + 1;
          state_ = State::kTrailer;
        }
        break;
      }
      case State::kDone:
        progress.consumed = pos;
        progress.status = Status::kComplete;
        return progress;
      case State::kError:
        return fail(progress, error_ != nullptr ? error_ : "reader in error state");
    }
  }
  progress.consumed = pos;
  return progress;
}

bool ResponseReader::finish_at_eof() {
  if (state_ == State::kUntilClose) {
    state_ = State::kDone;
    return true;
  }
  return state_ == State::kDone;
}

}  // namespace ringgate::bench
