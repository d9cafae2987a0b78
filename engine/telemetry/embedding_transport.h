// The remote embedder's transport: a POST of the embeddings request to the configured URL over
// HttpPoster (plain sockets waited on with poll, so the deadline holds; https verified against the
// system store), with "Authorization: Bearer <key>" when a key is set. Runs on the embedder's
// worker thread, never a shard's. The key is never in an error or a log.
#pragma once

#include <cstddef>
#include <string>

#include "cache/remote_embedder.h"
#include "engine/config/alerts_config.h"

namespace ringgate::telemetry {

// `target` is the full endpoint (scheme, host, port, "/v1/embeddings"). Bodies over
// max_body_bytes are failures.
cache::EmbeddingTransport make_embedding_transport(config::WebhookTarget target,
                                                   std::string api_key,
                                                   size_t max_body_bytes = size_t{4} << 20);

}  // namespace ringgate::telemetry
