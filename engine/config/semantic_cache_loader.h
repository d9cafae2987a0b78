// Reads [cache.semantic] with positioned diagnostics (file:line:col, every problem at once).
// The [cache] loader calls read_semantic_cache() with its own TableReader, which marks
// "semantic" as a known key; unknown keys inside [cache.semantic] are reported here.
#pragma once

#include <string>

#include "engine/config/semantic_cache_config.h"
#include "engine/config/toml_reader.h"

namespace ringgate::config {

// From the [cache] table's reader; secrets resolve against base_dir. Absent: out is untouched.
void read_semantic_cache(TableReader& cache, Diagnostics& diag, const std::string& base_dir,
                         SemanticCacheConfig& out);

}  // namespace ringgate::config
