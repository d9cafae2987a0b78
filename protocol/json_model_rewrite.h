// Renames the model in a request body (a deployment's upstream_model differs from the name the
// client used) without re-serialising the JSON: only the top-level "model" string is replaced.
#pragma once

#include <string>
#include <string_view>

namespace ringgate::protocol {

// Writes `json` with its top-level "model" string value replaced by `model` into `out`.
// Returns false (out untouched) when there is no top-level string "model".
bool rewrite_model(std::string_view json, std::string_view model, std::string& out);

}  // namespace ringgate::protocol
