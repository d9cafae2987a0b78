// The budget alert webhook's URL: http or https, a host, an optional port, path and query. The
// scheme, host and port go through the upstream URL rules (no userinfo, no metadata addresses);
// the path and query are kept as written, since a webhook's token often lives there.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/config/alerts_config.h"

namespace ringgate::config {

// Fills tls, host, port, authority and target of `out`. Error messages never repeat the URL.
bool parse_webhook_url(std::string_view url, WebhookTarget& out, std::string& err);

}  // namespace ringgate::config
