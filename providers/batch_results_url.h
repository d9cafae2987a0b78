#pragma once

#include <string>
#include <string_view>

namespace ringgate::providers {

// Anthropic names a message batch's results by the upstream's absolute URL ("results_url":
// "https://api.anthropic.com/v1/messages/batches/ID/results"). The SDKs fetch it as given, so
// relayed unchanged it would take the client past the gateway, with its gateway key, to the
// provider. Rewrites every results_url string value that is an absolute http(s) URL to its path
// and query ("/v1/messages/batches/ID/results"), which the SDKs resolve against their base URL:
// the gateway. Keys are matched as JSON keys (a results_url inside another string is text), escapes
// are kept as they are. Returns false when nothing was rewritten (`out` is then untouched).
bool relative_results_urls(std::string_view json, std::string& out);

// The endpoints (after /v1) whose JSON answers carry results_url: a batch and the batch list.
// Not /results itself, which is JSONL of message results.
bool carries_results_url(std::string_view endpoint);

}  // namespace ringgate::providers
