#include "providers/streamed_string_field.h"

namespace ringgate::providers {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

}  // namespace

void StreamedStringField::feed(std::string_view fragment, std::string& decoded) {
  size_t i = 0;
  while (i < fragment.size() && state_ != State::kFailed) {
    if (state_ == State::kValue) {
      // The common case: a run of plain text, copied at once.
      size_t end = i;
      while (end < fragment.size() && fragment[end] != '"' && fragment[end] != '\\' &&
             static_cast<unsigned char>(fragment[end]) >= 0x20) {
        ++end;
      }
      decoded.append(fragment.data() + i, end - i);
      i = end;
      if (i == fragment.size()) break;
    }
    step(fragment[i++], decoded);
  }
}

void StreamedStringField::step(char c, std::string& decoded) {
  switch (state_) {
    case State::kValueStart:
      on_value_start(c);
      return;
    case State::kValue:  // only '"', '\\' or a control character reach here
      if (c == '"') {
        value_done_ = true;
        state_ = State::kAfterValue;
      } else {
        // A raw control character is not JSON.
        state_ = c == '\\' ? State::kEscape : State::kFailed;
      }
      return;
    case State::kEscape:
    case State::kLowSurrogateBackslash:
    case State::kLowSurrogateU:
      on_escape(c, decoded);
      return;
    case State::kUnicode:
      on_hex(c, decoded);
      return;
    case State::kSkipString:
      if (c == '"' && !string_escape_) state_ = State::kAfterValue;
      string_escape_ = !string_escape_ && c == '\\';
      return;
    case State::kSkipNested:
      skip_nested(c);
      return;
    default:
      step_between_values(c);
  }
}

void StreamedStringField::step_between_values(char c) {
  switch (state_) {
    case State::kStart:
      state_ = c == '{' ? State::kBeforeKey : is_space(c) ? state_ : State::kFailed;
      return;
    case State::kBeforeKey:
      if (c == '"') {
        state_ = State::kKey;
        current_key_.clear();
      } else if (c == '}') {
        state_ = State::kEnd;
      } else if (!is_space(c) && c != ',') {
        state_ = State::kFailed;
      }
      return;
    case State::kKey:
      if (c == '"') {
        state_ = State::kColon;
      } else if (c == '\\') {
        // An escaped member name may spell the key another way ("inp\u0075t"): let the caller's
        // parser decide which member it is.
        state_ = State::kFailed;
      } else if (current_key_.size() <= key_.size()) {
        current_key_ += c;  // a longer name never matches
      }
      return;
    case State::kColon:
      state_ = c == ':' ? State::kValueStart : is_space(c) ? state_ : State::kFailed;
      return;
    case State::kSkipScalar:
    case State::kAfterValue:
      if (c == ',') {
        state_ = State::kBeforeKey;
      } else if (c == '}') {
        state_ = State::kEnd;
      } else if (state_ == State::kAfterValue && !is_space(c)) {
        state_ = State::kFailed;
      }
      return;
    case State::kEnd:
      if (!is_space(c)) state_ = State::kFailed;
      return;
    default:
      return;  // kFailed stays
  }
}

void StreamedStringField::on_value_start(char c) {
  if (is_space(c)) return;
  if (current_key_ == key_ && !value_done_) {
    // Our member: a string, or the arguments are not what a custom tool call sends.
    state_ = c == '"' ? State::kValue : State::kFailed;
    return;
  }
  string_escape_ = false;
  if (c == '"') {
    state_ = State::kSkipString;
  } else if (c == '{' || c == '[') {
    state_ = State::kSkipNested;
    depth_ = 1;
    in_string_ = false;
  } else {
    state_ = State::kSkipScalar;
  }
}

void StreamedStringField::skip_nested(char c) {
  if (in_string_) {
    if (c == '"' && !string_escape_) in_string_ = false;
    string_escape_ = !string_escape_ && c == '\\';
    return;
  }
  if (c == '"') {
    in_string_ = true;
    string_escape_ = false;
  } else if (c == '{' || c == '[') {
    ++depth_;
  } else if ((c == '}' || c == ']') && --depth_ == 0) {
    state_ = State::kAfterValue;
  }
}

void StreamedStringField::on_escape(char c, std::string& decoded) {
  if (state_ == State::kLowSurrogateBackslash) {
    state_ = c == '\\' ? State::kLowSurrogateU : State::kFailed;
    return;
  }
  if (state_ == State::kLowSurrogateU) {
    state_ = c == 'u' ? State::kUnicode : State::kFailed;
    hex_digits_ = 0;
    code_ = 0;
    return;
  }
  state_ = State::kValue;
  switch (c) {
    case '"':
      decoded += '"';
      break;
    case '\\':
      decoded += '\\';
      break;
    case '/':
      decoded += '/';
      break;
    case 'b':
      decoded += '\b';
      break;
    case 'f':
      decoded += '\f';
      break;
    case 'n':
      decoded += '\n';
      break;
    case 'r':
      decoded += '\r';
      break;
    case 't':
      decoded += '\t';
      break;
    case 'u':
      state_ = State::kUnicode;
      hex_digits_ = 0;
      code_ = 0;
      break;
    default:
      state_ = State::kFailed;
  }
}

void StreamedStringField::on_hex(char c, std::string& decoded) {
  const int v = hex_value(c);
  if (v < 0) {
    state_ = State::kFailed;
    return;
  }
  code_ = code_ << 4 | uint32_t(v);
  if (++hex_digits_ < 4) return;
  const bool high = code_ >= 0xD800 && code_ <= 0xDBFF;
  const bool low = code_ >= 0xDC00 && code_ <= 0xDFFF;
  if (high_surrogate_ != 0) {
    // The second half of a pair; anything else leaves the first one unpaired, which is invalid.
    if (!low) {
      state_ = State::kFailed;
      return;
    }
    append_utf8(0x10000 + ((high_surrogate_ - 0xD800) << 10) + (code_ - 0xDC00), decoded);
    high_surrogate_ = 0;
    state_ = State::kValue;
  } else if (high) {
    high_surrogate_ = code_;
    state_ = State::kLowSurrogateBackslash;
  } else if (low) {
    state_ = State::kFailed;
  } else {
    append_utf8(code_, decoded);
    state_ = State::kValue;
  }
}

}  // namespace ringgate::providers
