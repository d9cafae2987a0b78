// The admin key check shared by the scrape endpoint and the admin API: a bearer token whose
// SHA-256 matches the configured [metrics] admin_key.
#pragma once

#include "engine/config/key_material.h"
#include "protocol/http_request_parser.h"

namespace ringgate::pipeline {

// Compares digests, so neither the time nor an early exit tells how much of the key matched,
// nor its length.
bool presents_admin_key(const protocol::HttpRequest& req, const config::KeyHash& want);

}  // namespace ringgate::pipeline
