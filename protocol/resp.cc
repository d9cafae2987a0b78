#include "protocol/resp.h"

#include <charconv>

namespace ringgate::protocol {

namespace {

void append_length_line(std::string& out, char prefix, int64_t n) {
  out.push_back(prefix);
  out.append(std::to_string(n));
  out.append("\r\n");
}

bool parse_int(std::string_view text, int64_t& value) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return !text.empty() && ec == std::errc() && ptr == end;
}

}  // namespace

void append_resp_command(std::string& out, const std::vector<std::string_view>& args) {
  append_length_line(out, '*', static_cast<int64_t>(args.size()));
  for (std::string_view arg : args) {
    append_length_line(out, '$', static_cast<int64_t>(arg.size()));
    out.append(arg);
    out.append("\r\n");
  }
}

void append_resp_value(std::string& out, const RespValue& value) {
  using Type = RespValue::Type;
  switch (value.type) {
    case Type::kSimple:
    case Type::kError:
      out.push_back(value.type == Type::kSimple ? '+' : '-');
      out.append(value.text);
      out.append("\r\n");
      return;
    case Type::kInteger:
      append_length_line(out, ':', value.integer);
      return;
    case Type::kBulk:
      append_length_line(out, '$', static_cast<int64_t>(value.text.size()));
      out.append(value.text);
      out.append("\r\n");
      return;
    case Type::kNull:
      out.append("$-1\r\n");
      return;
    case Type::kArray:
      append_length_line(out, '*', static_cast<int64_t>(value.elements.size()));
      for (const RespValue& e : value.elements) append_resp_value(out, e);
      return;
  }
}

void RespReader::feed(std::string_view bytes) {
  if (failed_) return;
  if (start_ > 0 && start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  }
  if (buffered() + bytes.size() > limits_.max_buffered_bytes) {
    fail("reply larger than the buffer limit");
    return;
  }
  buffer_.append(bytes);
}

ParseStatus RespReader::next(RespValue& out) {
  if (failed_) return ParseStatus::kError;
  size_t pos = start_;
  RespValue value;
  const ParseStatus status = parse(pos, 0, value);
  if (status != ParseStatus::kComplete) return status;
  start_ = pos;
  if (start_ > (64 << 10) && start_ * 2 > buffer_.size()) {  // keep the buffer from growing
    buffer_.erase(0, start_);
    start_ = 0;
  }
  out = std::move(value);
  return ParseStatus::kComplete;
}

void RespReader::reset() {
  buffer_.clear();
  start_ = 0;
  failed_ = false;
  error_message_ = "";
}

ParseStatus RespReader::fail(const char* message) {
  failed_ = true;
  error_message_ = message;
  return ParseStatus::kError;
}

ParseStatus RespReader::line(size_t& pos, std::string_view& text) {
  const size_t lf = buffer_.find('\n', pos);
  const size_t limit = limits_.max_line_bytes + 2;
  if (lf == std::string::npos) {
    const size_t have = buffer_.size() - pos;  // a final CR may still become the line's end
    const bool too_long = have > limit - 1 || (have == limit - 1 && buffer_.back() != '\r');
    return too_long ? fail("line too long") : ParseStatus::kNeedMore;
  }
  if (lf - pos + 1 > limit) return fail("line too long");
  if (lf == pos || buffer_[lf - 1] != '\r') return fail("line not ended by CRLF");
  text = std::string_view(buffer_).substr(pos, lf - 1 - pos);
  if (text.find('\r') != std::string_view::npos) return fail("bare CR in a line");
  pos = lf + 1;
  return ParseStatus::kComplete;
}

ParseStatus RespReader::parse(size_t& pos, size_t depth, RespValue& out) {
  using Type = RespValue::Type;
  if (pos >= buffer_.size()) return ParseStatus::kNeedMore;
  const char prefix = buffer_[pos++];
  std::string_view text;
  if (ParseStatus s = line(pos, text); s != ParseStatus::kComplete) return s;
  int64_t n = 0;
  switch (prefix) {
    case '+':
    case '-':
      out.type = prefix == '+' ? Type::kSimple : Type::kError;
      out.text.assign(text);
      return ParseStatus::kComplete;
    case ':':
      if (!parse_int(text, n)) return fail("bad integer");
      out.type = Type::kInteger;
      out.integer = n;
      return ParseStatus::kComplete;
    case '$': {
      if (!parse_int(text, n) || n < -1) return fail("bad bulk length");
      if (n == -1) {
        out.type = Type::kNull;
        return ParseStatus::kComplete;
      }
      if (static_cast<uint64_t>(n) > limits_.max_bulk_bytes) return fail("bulk string too large");
      const size_t len = static_cast<size_t>(n);
      if (buffer_.size() - pos < len + 2) return ParseStatus::kNeedMore;
      if (buffer_[pos + len] != '\r' || buffer_[pos + len + 1] != '\n') {
        return fail("bulk string not ended by CRLF");
      }
      out.type = Type::kBulk;
      out.text.assign(buffer_, pos, len);
      pos += len + 2;
      return ParseStatus::kComplete;
    }
    case '*': {
      if (!parse_int(text, n) || n < -1) return fail("bad array length");
      if (n == -1) {
        out.type = Type::kNull;
        return ParseStatus::kComplete;
      }
      if (static_cast<uint64_t>(n) > limits_.max_array_elements) return fail("array too long");
      if (depth + 1 > limits_.max_depth) return fail("arrays nested too deeply");
      out.type = Type::kArray;
      // Grown as elements arrive, not sized from the header: memory follows the bytes received.
      for (int64_t i = 0; i < n; ++i) {
        RespValue& e = out.elements.emplace_back();
        if (ParseStatus s = parse(pos, depth + 1, e); s != ParseStatus::kComplete) return s;
      }
      return ParseStatus::kComplete;
    }
    default:
      return fail("unknown RESP type byte");
  }
}

}  // namespace ringgate::protocol
