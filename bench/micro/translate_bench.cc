// Translation throughput: stream events per second in both directions (the per-chunk cost a
// translated stream adds to every token) and whole-request translation.

#include <benchmark/benchmark.h>

#include <string>
#include <utility>
#include <vector>

#include "providers/anthropic_to_openai_stream.h"
#include "providers/anthropic_to_responses_stream.h"
#include "providers/chat_to_responses_stream.h"
#include "providers/openai_to_anthropic_stream.h"
#include "providers/request_translator.h"
#include "providers/response_translator.h"
#include "providers/responses_request_translator.h"

namespace {

using namespace ringgate::providers;

using Events = std::vector<std::pair<std::string, std::string>>;

// A realistic answer: a short thinking block, ~200 text deltas of a few tokens, one tool call.
Events anthropic_events() {
  Events e;
  e.push_back(
      {"message_start",
       R"({"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL",)"
       R"("type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5",)"
       R"("stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":1025,)"
       R"("cache_creation_input_tokens":0,"cache_read_input_tokens":900,"output_tokens":1}}})"});
  e.push_back(
      {"content_block_start",
       R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}})"});
  for (int i = 0; i < 20; ++i) {
    e.push_back(
        {"content_block_delta",
         R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me consider the \"options\" here"}})"});
  }
  e.push_back({"content_block_stop", R"({"type":"content_block_stop","index":0})"});
  e.push_back(
      {"content_block_start",
       R"({"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}})"});
  for (int i = 0; i < 200; ++i) {
    e.push_back(
        {"content_block_delta",
         R"({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":" the quick brown\n"}})"});
    if (i % 50 == 0) e.push_back({"ping", R"({"type": "ping"})"});
  }
  e.push_back({"content_block_stop", R"({"type":"content_block_stop","index":1})"});
  e.push_back(
      {"content_block_start",
       R"({"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}})"});
  for (int i = 0; i < 10; ++i) {
    e.push_back(
        {"content_block_delta",
         R"({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"location\": \"San"}})"});
  }
  e.push_back({"content_block_stop", R"({"type":"content_block_stop","index":2})"});
  e.push_back(
      {"message_delta",
       R"({"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":412}})"});
  e.push_back({"message_stop", R"({"type":"message_stop"})"});
  return e;
}

Events openai_events() {
  const std::string head =
      R"({"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_fc9f1d7035","choices":[{"index":0,"delta":)";
  Events e;
  e.push_back(
      {"",
       head +
           R"({"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null})"});
  for (int i = 0; i < 20; ++i) {
    e.push_back(
        {"",
         head +
             R"({"reasoning_content":"Let me consider the \"options\" here"},"logprobs":null,"finish_reason":null}],"usage":null})"});
  }
  for (int i = 0; i < 200; ++i) {
    e.push_back(
        {"",
         head +
             R"({"content":" the quick brown\n"},"logprobs":null,"finish_reason":null}],"usage":null})"});
  }
  e.push_back(
      {"",
       head +
           R"({"tool_calls":[{"index":0,"id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","type":"function","function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null}],"usage":null})"});
  for (int i = 0; i < 10; ++i) {
    e.push_back(
        {"",
         head +
             R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"location\": \"San"}}]},"logprobs":null,"finish_reason":null}],"usage":null})"});
  }
  e.push_back({"", head + R"({},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null})"});
  e.push_back(
      {"",
       R"({"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":1025,"completion_tokens":412,"total_tokens":1437,"prompt_tokens_details":{"cached_tokens":900}}})"});
  e.push_back({"", "[DONE]"});
  return e;
}

template <class Stream>
void run_stream(benchmark::State& state, const Events& events) {
  StreamOptions options;
  options.id = "resp_0123456789abcdef";  // used by the Responses translators only
  options.model = "client-model";
  options.include_usage = true;
  options.created = 1;
  std::string out;
  size_t bytes = 0;
  for (auto _ : state) {
    Stream stream(options);
    out.clear();
    for (const auto& [event, data] : events) stream.on_event(event, data, out);
    stream.finish(out);
    bytes += out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(events.size()));
  state.SetBytesProcessed(int64_t(bytes));
  state.counters["events_per_stream"] = double(events.size());
}

void BM_AnthropicToOpenAiStream(benchmark::State& state) {
  static const Events events = anthropic_events();
  run_stream<AnthropicToOpenAiStream>(state, events);
}
BENCHMARK(BM_AnthropicToOpenAiStream);

void BM_OpenAiToAnthropicStream(benchmark::State& state) {
  static const Events events = openai_events();
  run_stream<OpenAiToAnthropicStream>(state, events);
}
BENCHMARK(BM_OpenAiToAnthropicStream);

// The same two answers as Responses API events (a Responses client on an Anthropic-format
// upstream, and on a chat-completions-only server such as vLLM or llama.cpp).
void BM_AnthropicToResponsesStream(benchmark::State& state) {
  static const Events events = anthropic_events();
  run_stream<AnthropicToResponsesStream>(state, events);
}
BENCHMARK(BM_AnthropicToResponsesStream);

void BM_ChatToResponsesStream(benchmark::State& state) {
  static const Events events = openai_events();
  run_stream<ChatToResponsesStream>(state, events);
}
BENCHMARK(BM_ChatToResponsesStream);

// A multi-turn agent request: system prompt, tools, parallel tool calls and their results.
std::string openai_request() {
  std::string messages = R"([{"role":"system","content":"You are a careful assistant. )" +
                         std::string(2000, 'x') + R"("})";
  for (int turn = 0; turn < 8; ++turn) {
    messages += R"(,{"role":"user","content":"What is the weather in Paris and Oslo today?"})";
    messages +=
        R"(,{"role":"assistant","content":null,"tool_calls":[{"id":"call_a)" +
        std::to_string(turn) +
        R"(","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},)"
        R"({"id":"call_b)" +
        std::to_string(turn) +
        R"(","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]})";
    messages += R"(,{"role":"tool","tool_call_id":"call_a)" + std::to_string(turn) +
                R"(","content":"18 C, sunny"})";
    messages += R"(,{"role":"tool","tool_call_id":"call_b)" + std::to_string(turn) +
                R"(","content":"4 C, snow"})";
    messages +=
        R"(,{"role":"assistant","content":"Paris is 18 C and sunny; Oslo is 4 C with snow."})";
  }
  messages += "]";
  return R"({"model":"gpt-4o","messages":)" + messages +
         R"(,"tools":[{"type":"function","function":{"name":"get_weather","description":"Current weather",)"
         R"("parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}],)"
         R"("tool_choice":"auto","max_tokens":1024,"temperature":0.2,"stream":true,)"
         R"("stream_options":{"include_usage":true}})";
}

void BM_OpenAiRequestToAnthropic(benchmark::State& state) {
  const std::string body = openai_request();
  TranslateOptions options;
  for (auto _ : state) {
    auto r = openai_chat_to_anthropic(body, options);
    if (!r.ok) state.SkipWithError(r.error_message.c_str());
    benchmark::DoNotOptimize(r.body.data());
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(body.size()));
}
BENCHMARK(BM_OpenAiRequestToAnthropic);

void BM_AnthropicRequestToOpenAi(benchmark::State& state) {
  const std::string body = openai_chat_to_anthropic(openai_request(), TranslateOptions{}).body;
  TranslateOptions options;
  for (auto _ : state) {
    auto r = anthropic_to_openai_chat(body, options);
    if (!r.ok) state.SkipWithError(r.error_message.c_str());
    benchmark::DoNotOptimize(r.body.data());
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(body.size()));
}
BENCHMARK(BM_AnthropicRequestToOpenAi);

// The same agent conversation as a Codex-style Responses request: instructions, 8 turns of two
// function calls and their outputs, a reasoning item per turn, shell + apply_patch tools.
std::string responses_request() {
  std::string input = R"([{"type":"message","role":"developer","content":"Sandbox: workspace. )" +
                      std::string(2000, 'x') + R"("})";
  for (int turn = 0; turn < 8; ++turn) {
    const std::string t = std::to_string(turn);
    input += R"(,{"type":"message","role":"user","content":[{"type":"input_text",)"
             R"("text":"What is the weather in Paris and Oslo today?"}]})";
    input += R"(,{"type":"reasoning","summary":[{"type":"summary_text","text":"Look both up."}],)"
             R"("encrypted_content":"EqQBCkYIBxgCKkDr1d9eVq2hYk0xw8nSgZ3Lw5m0GxX9K1pQ2v0b7y6c"})";
    input += R"(,{"type":"function_call","call_id":"call_a)" + t +
             R"(","name":"get_weather","arguments":"{\"city\":\"Paris\"}"})";
    input += R"(,{"type":"function_call","call_id":"call_b)" + t +
             R"(","name":"get_weather","arguments":"{\"city\":\"Oslo\"}"})";
    input +=
        R"(,{"type":"function_call_output","call_id":"call_a)" + t + R"(","output":"18 C, sunny"})";
    input +=
        R"(,{"type":"function_call_output","call_id":"call_b)" + t + R"(","output":"4 C, snow"})";
    input += R"(,{"type":"message","role":"assistant","content":[{"type":"output_text",)"
             R"("text":"Paris is 18 C and sunny; Oslo is 4 C with snow."}]})";
  }
  input += "]";
  return R"({"model":"gpt-5-codex","instructions":"You are a careful assistant.","input":)" +
         input +
         R"(,"tools":[{"type":"function","name":"get_weather","description":"Current weather",)"
         R"("parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},)"
         R"({"type":"custom","name":"apply_patch","description":"Edit files",)"
         R"("format":{"type":"grammar","syntax":"lark","definition":"start: hunk+"}}],)"
         R"("tool_choice":"auto","parallel_tool_calls":false,"reasoning":{"effort":"medium"},)"
         R"("store":false,"stream":true,"include":["reasoning.encrypted_content"],)"
         R"("prompt_cache_key":"k","text":{"verbosity":"low"}})";
}

// Requests per second of the Responses translation toward each upstream API.
void run_responses_request(benchmark::State& state,
                           TranslateResult (*translate)(std::string_view,
                                                        const TranslateOptions&)) {
  const std::string body = responses_request();
  TranslateOptions options;
  options.default_max_tokens = 4096;
  options.reasoning_model = true;
  for (auto _ : state) {
    auto r = translate(body, options);
    if (!r.ok) state.SkipWithError(r.error_message.c_str());
    benchmark::DoNotOptimize(r.body.data());
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(body.size()));
}

void BM_ResponsesRequestToAnthropic(benchmark::State& state) {
  run_responses_request(state, responses_to_anthropic);
}
BENCHMARK(BM_ResponsesRequestToAnthropic);

void BM_ResponsesRequestToChat(benchmark::State& state) {
  run_responses_request(state, responses_to_openai_chat);
}
BENCHMARK(BM_ResponsesRequestToChat);

}  // namespace

BENCHMARK_MAIN();
