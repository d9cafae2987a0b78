#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ringgate::mock_upstream {

// Deterministic generated content: the same request always yields the same text, arguments and
// vectors, so tests can compare responses across runs and through caches.

// The i-th token of the reply ("lorem", " ipsum", ...).
std::string MockToken(int index);
std::string MockText(int tokens);

// The reasoning a "thinking" answer carries, one token per piece: "Thinking", " at", " high",
// " effort." for effort "high" (Anthropic thinking: "adaptive" or "budget").
std::vector<std::string> MockReasoning(std::string_view effort);

// Rough token count (chars / 4) of every string inside `value`.
int EstimateTokens(simdjson::dom::element value);
int EstimateTokens(simdjson::dom::array values);

// A JSON object of arguments matching a JSON-schema `parameters` object, e.g.
// {"location":"Paris","unit":"celsius"}; {"location":"Paris"} when there is no schema.
std::string ToolArguments(simdjson::dom::element schema, bool has_schema);

// Splits `text` into pieces of about `size` bytes without cutting a UTF-8 sequence.
std::vector<std::string_view> SplitText(std::string_view text, size_t size);

// A process-unique id such as "chatcmpl-mock0000000000000001".
std::string NewId(std::string_view prefix);

// Unit-length vector of `dims` floats derived from a hash of `input`.
std::vector<float> EmbeddingFor(std::string_view input, int dims);

std::string Base64(std::string_view bytes);

}  // namespace ringgate::mock_upstream
