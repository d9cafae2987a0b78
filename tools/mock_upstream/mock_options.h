#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ringgate::mock_upstream {

// Process-wide behaviour of the mock; most knobs can also be overridden per request through
// x-mock-* headers (see RequestKnobs).
// Responses are rendered whole before pacing, so their length is bounded.
inline constexpr int kMaxMockTokens = 100000;

struct MockOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  int threads = 2;
  int ttft_ms = 0;
  int tokens_per_sec = 0;
  int interval_ms = -1;  // < 0: pacing comes from tokens_per_sec
  int tokens = 16;
  bool usage = true;
  int fail_status = 0;  // 0: no injected failures
  int fail_every = 1;
  int disconnect_after_events = -1;  // < 0: never
  int error_after_events = -1;       // < 0: never
  int slow_headers_ms = 0;
  // /health answers 503 (and API paths 503, as llama.cpp's server does while it loads a model)
  // until this long after start: a stand-in for a model server that takes time to start.
  int startup_delay_ms = 0;
  int pause_after_events = -1;  // < 0: never; streams wait pause_ms before event N
  int pause_ms = 0;
  bool pause_mid_event = false;    // the pause falls inside event N, after half its bytes
  bool azure_first_chunk = false;  // chat streams open as Azure OpenAI's do ("id": "")
  std::string response_headers;    // extra "name: value\r\n" lines on every API answer
  bool refuse = false;
  bool close_after_response = false;
  std::string tls_cert;
  std::string tls_key;
  bool require_key = false;
  int embedding_dim = 8;
  // Which offered tool a first turn calls ("" or not offered: the first one), and with what
  // arguments (a JSON object; "": made up from the tool's schema).
  std::string tool;
  std::string tool_input;
  std::vector<std::string> models = {"gpt-4o-mini", "gpt-4o", "claude-3-5-sonnet-20241022",
                                     "claude-3-5-haiku-20241022", "text-embedding-3-small"};
};

struct ParsedArgs {
  MockOptions options;
  bool help = false;
};

// Returns the parsed options, or an error message naming the offending flag.
std::optional<std::string> ParseMockArgs(int argc, char** argv, ParsedArgs& out);

std::string MockUsage();

}  // namespace ringgate::mock_upstream
