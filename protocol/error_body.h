#pragma once

#include <string>
#include <string_view>

namespace ringgate::protocol {

// Appends `s` as the inside of a JSON string: quotes, backslashes and control characters are
// escaped, and invalid UTF-8 becomes U+FFFD so the result is always valid JSON whatever a client
// put in (say) a model name that an error message echoes.
void append_json_escaped(std::string& out, std::string_view s);

// {"error":{"message":...,"type":...,"param":null,"code":...}}; code is null when empty.
// `param` names the request field at fault, when there is one.
std::string openai_error_body(std::string_view message, std::string_view type,
                              std::string_view code = {}, std::string_view param = {});

// {"type":"error","error":{"type":...,"message":...}}, with "details": `details_json` (a JSON
// object written as is) inside "error" when given.
std::string anthropic_error_body(std::string_view type, std::string_view message,
                                 std::string_view details_json = {});

// Reason phrase for a status code ("Unknown" for codes we never send).
std::string_view status_reason(int status);

}  // namespace ringgate::protocol
