#include "providers/tokenizer/pretokenizer.h"

#include <unicode/uchar.h>

#include <array>
#include <cstdint>
#include <iterator>

namespace ringgate::providers::tokenizer {
namespace {

// Character classes, as bits (tools/tokenizer_unicode_table.js writes the same values). kUp is
// [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] and kLow is
// [\p{Ll}\p{Lm}\p{Lo}\p{M}] (o200k's two word classes; Lm, Lo and marks are in both).
enum : uint8_t {
  kLetter = 1,   // \p{L}
  kNumber = 2,   // \p{N}
  kSpace = 4,    // \s (White_Space)
  kNewline = 8,  // \r or \n
  kUp = 16,
  kLow = 32,
};

// Code points assigned in Unicode 15.1 and 16.0, which ICU 72 (Debian 12) does not know yet but
// tiktoken's regex does; used only where ICU says unassigned, so a newer ICU takes precedence.
struct LateRange {
  UChar32 first, last;
  uint8_t cls;
};
constexpr LateRange kAfterIcu72[] = {
#include "providers/tokenizer/unicode_after_icu72.inc"
};

uint8_t late_class(UChar32 c) {
  size_t lo = 0, hi = std::size(kAfterIcu72);
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (c < kAfterIcu72[mid].first) {
      hi = mid;
    } else if (c > kAfterIcu72[mid].last) {
      lo = mid + 1;
    } else {
      return kAfterIcu72[mid].cls;
    }
  }
  return 0;
}

uint8_t classify(UChar32 c) {
  uint8_t cls = 0;
  switch (u_charType(c)) {
    case U_UNASSIGNED:
      cls = late_class(c);
      break;
    case U_UPPERCASE_LETTER:
    case U_TITLECASE_LETTER:
      cls = kLetter | kUp;
      break;
    case U_LOWERCASE_LETTER:
      cls = kLetter | kLow;
      break;
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
      cls = kLetter | kUp | kLow;
      break;
    case U_NON_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_COMBINING_SPACING_MARK:
      cls = kUp | kLow;
      break;
    case U_DECIMAL_DIGIT_NUMBER:
    case U_LETTER_NUMBER:
    case U_OTHER_NUMBER:
      cls = kNumber;
      break;
    default:
      break;
  }
  if (u_isUWhiteSpace(c)) cls |= kSpace;
  if (c == '\r' || c == '\n') cls |= kNewline;
  return cls;
}

const std::array<uint8_t, 65536> kBmpClass = [] {
  std::array<uint8_t, 65536> t{};
  for (UChar32 c = 0; c < 65536; ++c) t[c] = classify(c);
  return t;
}();

struct Char {
  uint8_t cls;
  uint8_t len;
};

inline bool cont(uint8_t b) { return (b & 0xC0) == 0x80; }

// Decodes the character at i (i < n). Malformed bytes are one class-0 character each.
inline Char char_at(const uint8_t* s, size_t n, size_t i) {
  uint8_t b = s[i];
  if (b < 0x80) return {kBmpClass[b], 1};
  size_t left = n - i;
  if (b >= 0xC2 && b <= 0xDF) {
    if (left >= 2 && cont(s[i + 1])) return {kBmpClass[(b & 0x1F) << 6 | (s[i + 1] & 0x3F)], 2};
  } else if (b >= 0xE0 && b <= 0xEF) {
    if (left >= 3 && cont(s[i + 1]) && cont(s[i + 2])) {
      uint8_t b1 = s[i + 1];
      if ((b == 0xE0 && b1 < 0xA0) || (b == 0xED && b1 > 0x9F)) return {0, 1};
      return {kBmpClass[(b & 0x0F) << 12 | (b1 & 0x3F) << 6 | (s[i + 2] & 0x3F)], 3};
    }
  } else if (b >= 0xF0 && b <= 0xF4) {
    if (left >= 4 && cont(s[i + 1]) && cont(s[i + 2]) && cont(s[i + 3])) {
      uint8_t b1 = s[i + 1];
      if ((b == 0xF0 && b1 < 0x90) || (b == 0xF4 && b1 > 0x8F)) return {0, 1};
      UChar32 c = (b & 0x07) << 18 | (b1 & 0x3F) << 12 | (s[i + 2] & 0x3F) << 6 | (s[i + 3] & 0x3F);
      return {classify(c), 4};
    }
  }
  return {0, 1};
}

// (?i:'s|'t|'re|'ve|'m|'ll|'d) at i: its length, or 0.
inline size_t contraction_len(const uint8_t* s, size_t n, size_t i) {
  if (i + 1 >= n || s[i] != '\'') return 0;
  uint8_t r1 = s[i + 1];
  auto is = [](uint8_t b, char lower) { return b == lower || b == lower - 32; };
  if (is(r1, 's') || is(r1, 't') || is(r1, 'm') || is(r1, 'd')) return 2;
  if (r1 == 0xC5 && i + 2 < n && s[i + 2] == 0xBF) return 3;  // 'ſ (U+017F folds to s)
  if (i + 2 < n) {
    uint8_t r2 = s[i + 2];
    if ((is(r1, 'r') && is(r2, 'e')) || (is(r1, 'v') && is(r2, 'e')) ||
        (is(r1, 'l') && is(r2, 'l'))) {
      return 3;
    }
  }
  return 0;
}

// Runs of a class starting at i; returns the end.
inline size_t run_of(const uint8_t* s, size_t n, size_t i, uint8_t any_of) {
  while (i < n) {
    Char c = char_at(s, n, i);
    if (!(c.cls & any_of)) break;
    i += c.len;
  }
  return i;
}

// [^\s\p{L}\p{N}]+ from i (which is known to be one), then [\r\n]* (or [\r\n/]* for o200k).
inline size_t punct_then_newlines(const uint8_t* s, size_t n, size_t i, bool slash) {
  while (i < n) {
    Char c = char_at(s, n, i);
    if (c.cls & (kSpace | kLetter | kNumber)) break;
    i += c.len;
  }
  while (i < n && (s[i] == '\r' || s[i] == '\n' || (slash && s[i] == '/'))) ++i;
  return i;
}

// \s*[\r\n]+ | \s+(?!\S) | \s+ at i, which is a space character.
inline size_t whitespace_end(const uint8_t* s, size_t n, size_t i) {
  size_t j = i;
  size_t last_start = i;  // start of the run's last character
  size_t after_newline = 0;
  while (j < n) {
    Char c = char_at(s, n, j);
    if (!(c.cls & kSpace)) break;
    last_start = j;
    j += c.len;
    if (c.cls & kNewline) after_newline = j;
  }
  // \s* backs off to the last \r or \n of the run, then [\r\n]+ takes just it.
  if (after_newline) return after_newline;
  // \s+(?!\S): all of it at the end of text, else all but the last character.
  if (j == n || last_start == i) return j;  // a single space before non-space: \s+
  return last_start;
}

inline size_t numbers_end(const uint8_t* s, size_t n, size_t i) {
  for (int k = 0; k < 3 && i < n; ++k) {
    Char c = char_at(s, n, i);
    if (!(c.cls & kNumber)) break;
    i += c.len;
  }
  return i;
}

// o200k's first word alternative without its optional lead character, at p:
// [Up]*[Low]+ then an optional contraction. 0 if it does not match.
inline size_t o200k_word_low(const uint8_t* s, size_t n, size_t p) {
  size_t q = p;
  size_t last_both_end = 0;  // end of the last Up-run character that is also Low
  while (q < n) {
    Char c = char_at(s, n, q);
    if (!(c.cls & kUp)) break;
    q += c.len;
    if (c.cls & kLow) last_both_end = q;
  }
  size_t e;
  if (q < n && (char_at(s, n, q).cls & kLow)) {
    e = run_of(s, n, q, kLow);
  } else if (last_both_end) {
    // [Up]* gives back characters until [Low]+ can take one: the run's last Lm/Lo/M.
    e = last_both_end;
  } else {
    return 0;
  }
  return e + contraction_len(s, n, e);
}

// o200k's second word alternative without its lead character, at p:
// [Up]+[Low]* then an optional contraction. 0 if it does not match.
inline size_t o200k_word_up(const uint8_t* s, size_t n, size_t p) {
  if (p >= n || !(char_at(s, n, p).cls & kUp)) return 0;
  size_t e = run_of(s, n, run_of(s, n, p, kUp), kLow);
  return e + contraction_len(s, n, e);
}

}  // namespace

size_t cl100k_piece_end(std::string_view text, size_t i) {
  const uint8_t* s = reinterpret_cast<const uint8_t*>(text.data());
  size_t n = text.size();
  if (size_t k = contraction_len(s, n, i)) return i + k;
  Char c = char_at(s, n, i);
  if (c.cls & kLetter) return run_of(s, n, i, kLetter);
  bool can_lead = !(c.cls & (kLetter | kNumber | kNewline));
  if (can_lead && i + c.len < n && (char_at(s, n, i + c.len).cls & kLetter)) {
    return run_of(s, n, i + c.len, kLetter);
  }
  if (c.cls & kNumber) return numbers_end(s, n, i);
  if (!(c.cls & kSpace)) return punct_then_newlines(s, n, i, false);
  if (s[i] == ' ' && i + 1 < n && !(char_at(s, n, i + 1).cls & (kSpace | kLetter | kNumber))) {
    return punct_then_newlines(s, n, i + 1, false);
  }
  return whitespace_end(s, n, i);
}

size_t o200k_piece_end(std::string_view text, size_t i) {
  const uint8_t* s = reinterpret_cast<const uint8_t*>(text.data());
  size_t n = text.size();
  Char c = char_at(s, n, i);
  // ASCII lower-case fast path: [Up]* is empty and [Low]+ is the run.
  if (c.cls == (kLetter | kLow) && c.len == 1) {
    size_t e = run_of(s, n, i, kLow);
    return e + contraction_len(s, n, e);
  }
  bool can_lead = !(c.cls & (kLetter | kNumber | kNewline));
  // The alternatives in pattern order; the optional lead character is tried present first.
  if (can_lead) {
    if (size_t e = o200k_word_low(s, n, i + c.len)) return e;
  }
  if (c.cls & (kUp | kLow)) {
    if (size_t e = o200k_word_low(s, n, i)) return e;
  }
  if (can_lead) {
    if (size_t e = o200k_word_up(s, n, i + c.len)) return e;
  }
  if (c.cls & kUp) {
    if (size_t e = o200k_word_up(s, n, i)) return e;
  }
  if (c.cls & kNumber) return numbers_end(s, n, i);
  if (!(c.cls & kSpace)) return punct_then_newlines(s, n, i, true);
  if (s[i] == ' ' && i + 1 < n && !(char_at(s, n, i + 1).cls & (kSpace | kLetter | kNumber))) {
    return punct_then_newlines(s, n, i + 1, true);
  }
  return whitespace_end(s, n, i);
}

void split_pieces(Encoding e, std::string_view text, std::vector<std::string_view>& out) {
  for (size_t pos = 0; pos < text.size();) {
    size_t end = piece_end(e, text, pos);
    out.push_back(text.substr(pos, end - pos));
    pos = end;
  }
}

}  // namespace ringgate::providers::tokenizer
