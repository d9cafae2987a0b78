// Which usage shape an upstream endpoint answers in, so the accounting copy of its body can be
// read: the path after /v1 that the upstream gets. Endpoints that report no usage (models,
// count_tokens, files) have none and are not copied.
#pragma once

#include <optional>
#include <string_view>

#include "providers/usage/usage_extractor.h"

namespace ringgate::providers {

inline std::optional<UsageShape> usage_shape_for(std::string_view upstream_endpoint) {
  if (upstream_endpoint == "/chat/completions") return UsageShape::kOpenAiChat;
  if (upstream_endpoint == "/completions") return UsageShape::kOpenAiCompletions;
  if (upstream_endpoint == "/embeddings") return UsageShape::kOpenAiEmbeddings;
  if (upstream_endpoint == "/responses") return UsageShape::kOpenAiResponses;
  if (upstream_endpoint == "/messages") return UsageShape::kAnthropicMessages;
  return std::nullopt;
}

}  // namespace ringgate::providers
