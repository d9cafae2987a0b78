// A key's `models` patterns: globs where `*` matches any run of characters (none included),
// matched case-sensitively against canonical model names, as config::Config::find_model matches.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace ringgate::admission {

bool glob_match(std::string_view pattern, std::string_view name);
// An empty list allows every model.
bool any_pattern_matches(std::span<const std::string> patterns, std::string_view name);

}  // namespace ringgate::admission
