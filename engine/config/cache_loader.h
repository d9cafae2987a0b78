// Reads [cache] and a [[models]] entry's `cache` policy, with positioned diagnostics. Internal to
// engine/config: config_loader.cc calls these.
#pragma once

#include <string>
#include <string_view>

#include "engine/config/cache_config.h"
#include "engine/config/toml_reader.h"

namespace ringgate::config {

// [cache], from the top-level table (before [[models]]: its policy is their default), with
// [cache.semantic]; secrets resolve against base_dir.
void read_cache(TableReader& top, Diagnostics& diag, const std::string& base_dir, CacheConfig& out);

// `key` = "never" | "temperature_zero" | "always" in the table `r` reads, into out when present.
void read_cache_policy(TableReader& r, std::string_view key, Diagnostics& diag,
                       cache::CachePolicy& out);

}  // namespace ringgate::config
