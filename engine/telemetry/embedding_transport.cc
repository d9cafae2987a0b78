#include "engine/telemetry/embedding_transport.h"

#include <memory>

#include "engine/telemetry/http_post.h"

namespace ringgate::telemetry {

cache::EmbeddingTransport make_embedding_transport(config::WebhookTarget target,
                                                   std::string api_key, size_t max_body_bytes) {
  std::string headers = api_key.empty() ? "" : "Authorization: Bearer " + api_key + "\r\n";
  auto poster = std::make_shared<HttpPoster>();  // its TLS context is made once, on the worker
  return [poster, target = std::move(target), headers = std::move(headers), max_body_bytes](
             std::string_view body, int timeout_ms) {
    HttpReply reply = poster->post_for_reply(target, headers, body, timeout_ms, max_body_bytes);
    return cache::EmbeddingHttpReply{reply.status, reply.timed_out, std::move(reply.body)};
  };
}

}  // namespace ringgate::telemetry
