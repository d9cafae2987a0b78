// Reads [alerts] and the alert_percent lists of budgets, with positioned diagnostics. Internal
// to engine/config: config_loader.cc reads the table, admission_loader.cc each budget's list.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/config/alerts_config.h"
#include "engine/config/toml_reader.h"

namespace ringgate::config {

// A list of percents under `key`: integers 1..1000, ascending, unique, at most 16. An empty
// list is allowed (no alerts). False when absent or refused.
bool read_alert_percents(TableReader& r, std::string_view key, Diagnostics& diag,
                         std::vector<uint16_t>& out);

// [alerts], from the top-level table; secrets resolve against base_dir.
void read_alerts(TableReader& top, Diagnostics& diag, const std::string& base_dir, Alerts& out);

}  // namespace ringgate::config
