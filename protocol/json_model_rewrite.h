// Rewrites of a request body that do not re-serialise the JSON: the model's name (a deployment's
// upstream_model differs from the name the client used: only the top-level "model" string is
// replaced), and the stream usage option the accounting copy needs.
#pragma once

#include <string>
#include <string_view>

namespace ringgate::protocol {

// Writes `json` with its top-level "model" string value replaced by `model` into `out`.
// Returns false (out untouched) when there is no top-level string "model".
bool rewrite_model(std::string_view json, std::string_view model, std::string& out);

// Writes `json` with the value of its top-level member `key` (any JSON value) replaced by the raw
// JSON `value` into `out`. False (out untouched) when there is no such member.
bool replace_top_level_value(std::string_view json, std::string_view key, std::string_view value,
                             std::string& out);

// Writes `json` with "stream_options":{"include_usage":true} as its first member into `out`, so an
// OpenAI-format upstream reports a stream's usage. The caller checks the body has no
// stream_options of its own (a key must not repeat). False (out untouched) when `json` is not an
// object.
bool add_include_usage(std::string_view json, std::string& out);

}  // namespace ringgate::protocol
