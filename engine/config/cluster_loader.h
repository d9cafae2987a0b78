// Reads [cluster] with positioned diagnostics. Internal to engine/config.
#pragma once

#include "engine/config/cluster_config.h"
#include "engine/config/toml_reader.h"

namespace ringgate::config {

void read_cluster(TableReader& top, Diagnostics& diag, ClusterConfig& out);

}  // namespace ringgate::config
