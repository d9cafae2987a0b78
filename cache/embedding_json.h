// The JSON of an OpenAI-compatible embeddings call (POST {base}/v1/embeddings): the request the
// remote embedder sends and the parser of the upstream's answer. Pure (no I/O); the parser takes
// untrusted bytes and is fuzzed (fuzz/cache/embedding_json_fuzz.cc).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ringgate::cache {

// {"model":...,"input":...,"encoding_format":"float"}; invalid UTF-8 in input becomes U+FFFD.
std::string embedding_request_body(std::string_view model, std::string_view input);

// The first embedding of a response: data[0].embedding, an array of exactly `dims` finite
// numbers. False (with err naming the reason, never echoing the body) otherwise.
bool parse_embedding_response(std::string_view body, size_t dims, std::vector<float>& out,
                              std::string& err);

}  // namespace ringgate::cache
