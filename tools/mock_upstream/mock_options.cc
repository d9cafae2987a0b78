#include "tools/mock_upstream/mock_options.h"

#include <charconv>
#include <string_view>

namespace ringgate::mock_upstream {
namespace {

bool ParseInt(std::string_view text, int min, int max, int& out) {
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < min || value > max) {
    return false;
  }
  out = value;
  return true;
}

std::vector<std::string> SplitCommaList(std::string_view text) {
  std::vector<std::string> items;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

bool ParseListen(std::string_view text, MockOptions& options) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  int port = 0;
  if (!ParseInt(text.substr(colon + 1), 0, 65535, port)) return false;
  options.host = std::string(text.substr(0, colon));
  options.port = static_cast<uint16_t>(port);
  return true;
}

}  // namespace

std::string MockUsage() {
  return R"(ringgate-mock-upstream: a fake OpenAI + Anthropic server for tests and benchmarks

Usage: ringgate-mock-upstream [flags]

  --listen HOST:PORT             address to listen on (default 127.0.0.1:0; port 0 picks one).
                                 The first stdout line is "listening on HOST:PORT".
  --threads N                    epoll worker threads sharing the port (default 2)
  --startup-delay-ms N           /health (and the API) answer 503 until N ms after start
  --ttft-ms N                    delay before the first stream event / non-stream response head
  --tokens-per-sec N             stream pacing of content events (0 = as fast as possible)
  --interval-ms N                fixed gap between all stream events (overrides --tokens-per-sec)
  --tokens N                     response length in tokens (default 16, at most 100000; capped by
                                 the request's max_tokens)
  --usage on|off                 include usage blocks (default on)
  --fail-status CODE             answer API requests with CODE and an error body in the API's shape
  --fail-every N                 with --fail-status: only every Nth API request fails (default 1)
  --disconnect-after-events N    streams: close the connection after N events, no terminating chunk
  --error-after-events N         streams: send an error event after N events, then end cleanly
  --slow-headers-ms N            send the status line, then wait N ms before the rest of the head
  --pause-after-events N         streams: after N events, go silent for --pause-ms (mid-stream)
  --pause-ms N                   how long that pause lasts (default 0)
  --pause-mid-event              the pause falls inside event N+1, after half of its bytes
  --azure-first-chunk            chat streams open with Azure OpenAI's first chunk: "id": "",
                                 "choices": [] and prompt_filter_results
  --header 'NAME: VALUE'         an extra header on every API answer (repeatable), e.g. rate
                                 limits or retry hints
  --refuse                       close every accepted connection immediately
  --close-after-response         no keep-alive: close after each response
  --tls-cert FILE --tls-key FILE serve HTTPS
  --require-key                  API requests need Authorization or x-api-key (else 401)
  --models a,b,c                 model ids listed by GET /v1/models
  --embedding-dim N              default embedding dimension (default 8)
  --tool NAME                    the tool a first turn calls when the request offers it (default:
                                 the first tool offered)
  --tool-input JSON              that call's arguments, a JSON object (default: values made up
                                 from the tool's schema)
  --help                         this text

Per-request overrides (request headers): x-mock-ttft-ms, x-mock-interval-ms,
x-mock-tokens-per-sec, x-mock-tokens, x-mock-fail-status, x-mock-disconnect-after-events,
x-mock-error-after-events, x-mock-slow-headers-ms, x-mock-cached-tokens (prompt tokens
reported as cache reads), x-mock-pause-after-events, x-mock-pause-ms, x-mock-pause-mid-event
(0 or 1), x-mock-azure-first-chunk (0 or 1). x-mock-header-NAME: VALUE puts "NAME: VALUE" on
the answer (x-mock-header-retry-after-ms: 20, x-mock-header-x-should-retry: false). An answer
that carries a retry-after of its own gets no default one. x-mock-usage-tag: remember the usage
the answer reports under this tag, listed by GET /mock/usage_log (for checking a gateway's
accounting).

Tools: a request that offers tools, whose last turn (system messages aside) is the user's, gets a
tool call while no tool result is in its history, and text once one is (so an agent's loop ends
after one call); on /v1/responses a function tool gets a function_call item until a
function_call_output is in the input. Reasoning: a chat request with
reasoning_effort gets reasoning_content ("Thinking at <effort> effort."), a messages request with
thinking enabled or adaptive gets a thinking block with a signature, before the answer.

Endpoints: POST /v1/chat/completions, /v1/completions, /v1/responses, /v1/embeddings,
/v1/messages, /v1/messages/count_tokens; GET /v1/models[/ID]; GET /health;
GET /mock/stats, GET /mock/last_request, GET /mock/requests (the last 16), GET /mock/usage_log,
POST /mock/reset.
)";
}

std::optional<std::string> ParseMockArgs(int argc, char** argv, ParsedArgs& out) {
  MockOptions& o = out.options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view value;
    bool has_inline_value = false;
    if (size_t eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_inline_value = true;
    }
    auto flag_only = [&](bool& target) -> std::optional<std::string> {
      if (has_inline_value) return "flag " + std::string(arg) + " takes no value";
      target = true;
      return std::nullopt;
    };
    auto need_value = [&]() -> bool {
      if (has_inline_value) return true;
      if (i + 1 >= argc) return false;
      value = argv[++i];
      return true;
    };
    auto int_flag = [&](int& target, int min, int max) -> std::optional<std::string> {
      if (!need_value()) return "flag " + std::string(arg) + " needs a value";
      if (!ParseInt(value, min, max, target)) {
        return "flag " + std::string(arg) + ": expected an integer in [" + std::to_string(min) +
               ", " + std::to_string(max) + "], got '" + std::string(value) + "'";
      }
      return std::nullopt;
    };
    std::optional<std::string> error;
    constexpr int kMaxMs = 3600 * 1000;
    if (arg == "--help" || arg == "-h") {
      out.help = true;
    } else if (arg == "--listen") {
      if (!need_value() || !ParseListen(value, o)) error = "flag --listen: expected HOST:PORT";
    } else if (arg == "--threads") {
      error = int_flag(o.threads, 1, 256);
    } else if (arg == "--startup-delay-ms") {
      error = int_flag(o.startup_delay_ms, 0, kMaxMs);
    } else if (arg == "--ttft-ms") {
      error = int_flag(o.ttft_ms, 0, kMaxMs);
    } else if (arg == "--tokens-per-sec") {
      error = int_flag(o.tokens_per_sec, 0, 1000000);
    } else if (arg == "--interval-ms") {
      error = int_flag(o.interval_ms, 0, kMaxMs);
    } else if (arg == "--tokens") {
      error = int_flag(o.tokens, 0, kMaxMockTokens);
    } else if (arg == "--usage") {
      if (!need_value() || (value != "on" && value != "off")) {
        error = "flag --usage: expected on or off";
      } else {
        o.usage = value == "on";
      }
    } else if (arg == "--fail-status") {
      error = int_flag(o.fail_status, 400, 599);
    } else if (arg == "--fail-every") {
      error = int_flag(o.fail_every, 1, 1000000000);
    } else if (arg == "--disconnect-after-events") {
      error = int_flag(o.disconnect_after_events, 0, 1000000000);
    } else if (arg == "--error-after-events") {
      error = int_flag(o.error_after_events, 0, 1000000000);
    } else if (arg == "--slow-headers-ms") {
      error = int_flag(o.slow_headers_ms, 0, kMaxMs);
    } else if (arg == "--pause-after-events") {
      error = int_flag(o.pause_after_events, 0, 1000000000);
    } else if (arg == "--pause-ms") {
      error = int_flag(o.pause_ms, 0, kMaxMs);
    } else if (arg == "--pause-mid-event") {
      error = flag_only(o.pause_mid_event);
    } else if (arg == "--azure-first-chunk") {
      error = flag_only(o.azure_first_chunk);
    } else if (arg == "--header") {
      if (!need_value() || value.find(':') == std::string_view::npos ||
          value.find_first_of("\r\n") != std::string_view::npos) {
        error = "flag --header: expected 'NAME: VALUE'";
      } else {
        o.response_headers.append(value).append("\r\n");
      }
    } else if (arg == "--refuse") {
      error = flag_only(o.refuse);
    } else if (arg == "--close-after-response") {
      error = flag_only(o.close_after_response);
    } else if (arg == "--require-key") {
      error = flag_only(o.require_key);
    } else if (arg == "--tls-cert") {
      if (!need_value()) error = "flag --tls-cert needs a file";
      o.tls_cert = std::string(value);
    } else if (arg == "--tls-key") {
      if (!need_value()) error = "flag --tls-key needs a file";
      o.tls_key = std::string(value);
    } else if (arg == "--models") {
      if (!need_value()) error = "flag --models needs a comma-separated list";
      o.models = SplitCommaList(value);
    } else if (arg == "--embedding-dim") {
      error = int_flag(o.embedding_dim, 1, 8192);
    } else if (arg == "--tool") {
      if (!need_value() || value.empty()) error = "flag --tool needs a tool name";
      o.tool = std::string(value);
    } else if (arg == "--tool-input") {
      if (!need_value() || value.empty() || value.front() != '{' || value.back() != '}') {
        error = "flag --tool-input needs a JSON object";
      }
      o.tool_input = std::string(value);
    } else {
      error = "unknown flag '" + std::string(arg) + "' (see --help)";
    }
    if (error) return error;
  }
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    return std::string("--tls-cert and --tls-key go together");
  }
  return std::nullopt;
}

}  // namespace ringgate::mock_upstream
