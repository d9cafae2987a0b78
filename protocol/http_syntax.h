#pragma once

// Byte-level HTTP/1.1 grammar (RFC 9110/9112) shared by the request and response parsers.
// Strictness here is deliberate: anything two parsers could read differently (obs-fold, bare CR,
// whitespace before the colon, odd Content-Length forms) is a request-smuggling vector, so it is
// refused rather than repaired.

#include <cstddef>
#include <string_view>

namespace ringgate::protocol::http_syntax {

// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
//         / DIGIT / ALPHA
bool is_tchar(unsigned char c);

// VCHAR, obs-text, SP and HTAB; everything a field value may hold.
inline bool is_field_value_char(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

std::string_view trim_ows(std::string_view s);

// Parses one field line without its CRLF. Returns nullptr on success, else why it was refused.
const char* parse_field_line(std::string_view line, std::string_view& name,
                             std::string_view& value);

// Content-Length value: 1*DIGIT, or a list of identical values ("5, 5") which RFC 9110 lets a
// recipient accept. Rejects signs, spaces inside numbers, empty values and overflow.
bool parse_content_length(std::string_view value, size_t& out);

}  // namespace ringgate::protocol::http_syntax
