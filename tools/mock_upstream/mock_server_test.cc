#include "tools/mock_upstream/mock_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "tools/mock_upstream/json_text.h"
#include "tools/mock_upstream/mock_content.h"

namespace ringgate::mock_upstream {
namespace {

using namespace std::chrono_literals;

struct Response {
  int status = 0;
  std::string head;  // lower-cased
  std::string body;  // de-chunked
  bool complete = false;
};

// Minimal blocking HTTP/1.1 client; every read has a deadline so a hung server fails the test.
class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~Client() { Close(); }

  bool connected() const { return connected_; }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  void Send(std::string_view raw) {
    while (!raw.empty()) {
      ssize_t n = send(fd_, raw.data(), raw.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      raw.remove_prefix(static_cast<size_t>(n));
    }
  }

  Response Request(std::string_view method, std::string_view path, std::string_view body,
                   std::string_view headers = "") {
    std::string raw = std::string(method) + " " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n";
    raw += headers;
    raw += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    raw += body;
    Send(raw);
    return Read();
  }

  Response Post(std::string_view path, std::string_view body, std::string_view headers = "") {
    return Request("POST", path, body, headers);
  }

  // Reads the head only; the body stays unread.
  bool ReadHead(Response& response) {
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return false;
    }
    response.head = buffer_.substr(0, end + 2);
    for (char& c : response.head)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    buffer_.erase(0, end + 4);
    response.status = std::stoi(response.head.substr(9, 3));
    return true;
  }

  Response Read() {
    Response response;
    if (!ReadHead(response)) return response;
    if (response.status == 100) return Read();
    size_t length_at = response.head.find("content-length: ");
    if (length_at != std::string::npos) {
      size_t length = std::stoul(response.head.substr(length_at + 16));
      while (buffer_.size() < length) {
        if (!Fill()) return response;
      }
      response.body = buffer_.substr(0, length);
      buffer_.erase(0, length);
      response.complete = true;
      return response;
    }
    for (;;) {  // chunked
      size_t eol;
      while ((eol = buffer_.find("\r\n")) == std::string::npos) {
        if (!Fill()) return response;
      }
      size_t size = std::stoul(buffer_.substr(0, eol), nullptr, 16);
      while (buffer_.size() < eol + 2 + size + 2) {
        if (!Fill()) return response;
      }
      response.body += buffer_.substr(eol + 2, size);
      buffer_.erase(0, eol + 2 + size + 2);
      if (size == 0) {
        response.complete = true;
        return response;
      }
    }
  }

  // True once the server has closed the connection (EOF), within the read deadline.
  bool ServerClosed() {
    while (Fill()) {
    }
    return eof_;
  }

 private:
  bool Fill() {
    char chunk[16384];
    ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n == 0 || (n < 0 && errno == ECONNRESET)) eof_ = true;
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string buffer_;
};

class MockServerTest : public testing::Test {
 protected:
  void Start(MockOptions options = {}) {
    options.threads = 1;
    server_ = std::make_unique<MockServer>(std::move(options));
    auto error = server_->Start();
    ASSERT_FALSE(error.has_value()) << *error;
  }
  uint16_t port() const { return server_->port(); }
  MockStats& stats() { return server_->stats(); }

  // Waits for a condition the server reaches asynchronously.
  static bool WaitFor(const std::function<bool()>& condition) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (condition()) return true;
      std::this_thread::sleep_for(5ms);
    }
    return condition();
  }

  std::unique_ptr<MockServer> server_;
  simdjson::dom::parser parser_;
};

// The JSON payloads of an SSE body, with the event names ("" when absent).
struct SseEvent {
  std::string name;
  std::string data;
};
std::vector<SseEvent> ParseSse(const std::string& body) {
  std::vector<SseEvent> events;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find("\n\n", start);
    if (end == std::string::npos) break;
    SseEvent event;
    std::string_view block(body.data() + start, end - start);
    while (!block.empty()) {
      size_t eol = block.find('\n');
      std::string_view line = block.substr(0, eol);
      if (line.starts_with("event: ")) event.name = std::string(line.substr(7));
      if (line.starts_with("data: ")) event.data = std::string(line.substr(6));
      if (eol == std::string_view::npos) break;
      block.remove_prefix(eol + 1);
    }
    events.push_back(std::move(event));
    start = end + 2;
  }
  return events;
}

constexpr std::string_view kChat =
    R"({"model":"gpt-4o-mini","max_tokens":5,"messages":[{"role":"user","content":"hello"}]})";

TEST_F(MockServerTest, ChatCompletionHasTheRealShapeAndEchoesTheModel) {
  Start();
  Client client(port());
  Response response = client.Post("/v1/chat/completions", kChat);
  ASSERT_EQ(response.status, 200);
  EXPECT_NE(response.head.find("content-type: application/json"), std::string::npos);
  simdjson::dom::element doc;
  ASSERT_EQ(parser_.parse(response.body).get(doc), simdjson::SUCCESS) << response.body;
  EXPECT_EQ(doc["object"].get_string().value(), "chat.completion");
  EXPECT_EQ(doc["model"].get_string().value(), "gpt-4o-mini");
  EXPECT_TRUE(doc["id"].get_string().value().starts_with("chatcmpl-"));
  EXPECT_GT(doc["created"].get_int64().value(), 0);
  EXPECT_EQ(doc["choices"].at(0)["message"]["content"].get_string().value(),
            "lorem ipsum dolor sit amet");
  EXPECT_EQ(doc["choices"].at(0)["finish_reason"].get_string().value(), "length");
  int64_t prompt = doc["usage"]["prompt_tokens"].get_int64().value();
  EXPECT_EQ(doc["usage"]["completion_tokens"].get_int64().value(), 5);
  EXPECT_EQ(doc["usage"]["total_tokens"].get_int64().value(), prompt + 5);
}

TEST_F(MockServerTest, ChatStreamSendsRoleDeltasFinishUsageAndDone) {
  Start();
  Client client(port());
  Response response = client.Post(
      "/v1/chat/completions",
      R"({"model":"m","stream":true,"stream_options":{"include_usage":true},"max_tokens":3,)"
      R"("messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(response.status, 200);
  ASSERT_TRUE(response.complete);
  EXPECT_NE(response.head.find("content-type: text/event-stream"), std::string::npos);
  EXPECT_NE(response.head.find("transfer-encoding: chunked"), std::string::npos);
  std::vector<SseEvent> events = ParseSse(response.body);
  ASSERT_EQ(events.size(), 1u + 3u + 1u + 1u + 1u);
  EXPECT_EQ(events.back().data, "[DONE]");
  simdjson::dom::element chunk;
  ASSERT_EQ(parser_.parse(events[0].data).get(chunk), simdjson::SUCCESS);
  EXPECT_EQ(chunk["object"].get_string().value(), "chat.completion.chunk");
  EXPECT_EQ(chunk["choices"].at(0)["delta"]["role"].get_string().value(), "assistant");
  std::string text;
  for (size_t i = 1; i <= 3; ++i) {
    ASSERT_EQ(parser_.parse(events[i].data).get(chunk), simdjson::SUCCESS);
    text += chunk["choices"].at(0)["delta"]["content"].get_string().value();
  }
  EXPECT_EQ(text, "lorem ipsum dolor");
  ASSERT_EQ(parser_.parse(events[4].data).get(chunk), simdjson::SUCCESS);
  EXPECT_EQ(chunk["choices"].at(0)["finish_reason"].get_string().value(), "length");
  ASSERT_EQ(parser_.parse(events[5].data).get(chunk), simdjson::SUCCESS);
  EXPECT_EQ(chunk["choices"].get_array().value().size(), 0u);
  EXPECT_EQ(chunk["usage"]["completion_tokens"].get_int64().value(), 3);
  // The server finishes its bookkeeping just after the last byte is sent.
  EXPECT_TRUE(WaitFor([&] { return stats().streams_completed.load() == 1; }));
  EXPECT_EQ(stats().active_streams.load(), 0);
}

TEST_F(MockServerTest, UsageOffOmitsUsage) {
  MockOptions options;
  options.usage = false;
  Start(options);
  Client client(port());
  Response response = client.Post("/v1/chat/completions", kChat);
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.body.find("usage"), std::string::npos);
}

// x-mock-cached-tokens reports cache reads in each API's words, and x-mock-usage-tag keeps the
// usage each answer reported for /mock/usage_log (streamed Anthropic: start and delta merged).
TEST_F(MockServerTest, CachedTokensAndTheUsageLogUnderATag) {
  Start();
  Client client(port());
  Response chat = client.Post("/v1/chat/completions", kChat,
                              "x-mock-cached-tokens: 2\r\nx-mock-usage-tag: t-chat\r\n");
  ASSERT_EQ(chat.status, 200);
  simdjson::dom::element doc;
  ASSERT_EQ(parser_.parse(chat.body).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(doc["usage"]["prompt_tokens_details"]["cached_tokens"].get_int64().value(), 2);
  const int64_t prompt = doc["usage"]["prompt_tokens"].get_int64().value();
  Response messages = client.Post(
      "/v1/messages",
      R"({"model":"claude-x","max_tokens":2,"stream":true,"messages":[{"role":"user","content":"hi"}]})",
      "x-mock-cached-tokens: 3\r\nx-mock-usage-tag: t-msg\r\n");
  ASSERT_TRUE(messages.complete);
  // Untagged, and a stream that reports no usage: neither is logged.
  ASSERT_EQ(client.Post("/v1/chat/completions", kChat).status, 200);
  ASSERT_EQ(client
                .Post("/v1/chat/completions",
                      R"({"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]})",
                      "x-mock-usage-tag: t-none\r\n")
                .status,
            200);
  Response log = client.Request("GET", "/mock/usage_log", "");
  ASSERT_EQ(log.status, 200);
  ASSERT_EQ(parser_.parse(log.body).get(doc), simdjson::SUCCESS) << log.body;
  simdjson::dom::array entries = doc["entries"].get_array().value();
  ASSERT_EQ(entries.size(), 2u) << log.body;
  simdjson::dom::element first = entries.at(0).value();
  EXPECT_EQ(first["tag"].get_string().value(), "t-chat");
  EXPECT_EQ(first["api"].get_string().value(), "openai");
  EXPECT_EQ(first["usage"]["prompt_tokens"].get_int64().value(), prompt);
  EXPECT_EQ(first["usage"]["prompt_tokens_details"]["cached_tokens"].get_int64().value(), 2);
  simdjson::dom::element second = entries.at(1).value();
  EXPECT_EQ(second["tag"].get_string().value(), "t-msg");
  EXPECT_EQ(second["api"].get_string().value(), "anthropic");
  EXPECT_EQ(second["usage"]["cache_read_input_tokens"].get_int64().value(), 3);
  EXPECT_EQ(second["usage"]["output_tokens"].get_int64().value(), 2);
  EXPECT_GT(second["usage"]["input_tokens"].get_int64().value(), 0);
  EXPECT_EQ(doc["dropped"].get_int64().value(), 0);
}

constexpr std::string_view kWeatherTool =
    R"("tools":[{"type":"function","function":{"name":"get_weather","parameters":)"
    R"({"type":"object","properties":{"location":{"type":"string"}}}}}])";

TEST_F(MockServerTest, ChatStreamCallsTheFirstToolWithArgumentsSplitAcrossChunks) {
  Start();
  Client client(port());
  Response response = client.Post(
      "/v1/chat/completions",
      R"({"model":"m","stream":true,"messages":[{"role":"user","content":"weather?"}],)" +
          std::string(kWeatherTool) + "}");
  ASSERT_TRUE(response.complete);
  std::string arguments;
  std::string finish;
  std::string name;
  int argument_chunks = 0;
  for (const SseEvent& event : ParseSse(response.body)) {
    if (event.data == "[DONE]") continue;
    simdjson::dom::element chunk;
    ASSERT_EQ(parser_.parse(event.data).get(chunk), simdjson::SUCCESS);
    simdjson::dom::element choice = chunk["choices"].at(0);
    std::string_view value;
    if (choice["finish_reason"].get(value) == simdjson::SUCCESS) finish = value;
    simdjson::dom::element call;
    if (choice["delta"]["tool_calls"].at(0).get(call) != simdjson::SUCCESS) continue;
    if (call["function"]["name"].get(value) == simdjson::SUCCESS) name = value;
    if (call["function"]["arguments"].get(value) == simdjson::SUCCESS && !value.empty()) {
      arguments += value;
      ++argument_chunks;
    }
  }
  EXPECT_EQ(name, "get_weather");
  EXPECT_EQ(finish, "tool_calls");
  EXPECT_GT(argument_chunks, 1);
  simdjson::dom::element parsed;
  ASSERT_EQ(parser_.parse(arguments).get(parsed), simdjson::SUCCESS) << arguments;
  EXPECT_EQ(parsed["location"].get_string().value(), "Paris");
}

TEST_F(MockServerTest, ChatAnswersAToolResultWithText) {
  Start();
  Client client(port());
  Response response =
      client.Post("/v1/chat/completions",
                  R"({"model":"m","messages":[{"role":"user","content":"weather?"},)"
                  R"({"role":"assistant","content":null,"tool_calls":[{"id":"call_1",)"
                  R"("type":"function","function":{"name":"get_weather","arguments":"{}"}}]},)"
                  R"({"role":"tool","tool_call_id":"call_1","content":"sunny"}],)" +
                      std::string(kWeatherTool) + "}");
  simdjson::dom::element doc;
  ASSERT_EQ(parser_.parse(response.body).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(doc["choices"].at(0)["finish_reason"].get_string().value(), "stop");
  EXPECT_FALSE(doc["choices"].at(0)["message"]["content"].get_string().value().empty());
}

TEST_F(MockServerTest, AnthropicStreamFollowsTheRealEventSequence) {
  Start();
  Client client(port());
  Response response = client.Post(
      "/v1/messages",
      R"({"model":"claude-x","max_tokens":2,"stream":true,"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_TRUE(response.complete);
  std::vector<std::string> names;
  for (const SseEvent& event : ParseSse(response.body)) names.push_back(event.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"message_start", "content_block_start", "ping",
                                      "content_block_delta", "content_block_delta",
                                      "content_block_stop", "message_delta", "message_stop"}));
  simdjson::dom::element delta;
  ASSERT_EQ(parser_.parse(ParseSse(response.body)[6].data).get(delta), simdjson::SUCCESS);
  EXPECT_EQ(delta["delta"]["stop_reason"].get_string().value(), "max_tokens");
  EXPECT_EQ(delta["usage"]["output_tokens"].get_int64().value(), 2);
}

TEST_F(MockServerTest, AnthropicToolUseStreamsPartialJson) {
  Start();
  Client client(port());
  Response response = client.Post(
      "/v1/messages",
      R"({"model":"c","max_tokens":100,"stream":true,"messages":[{"role":"user","content":[{"type":"text","text":"weather"}]}],)"
      R"("tools":[{"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}}}}]})");
  std::string partial;
  std::string stop_reason;
  for (const SseEvent& event : ParseSse(response.body)) {
    simdjson::dom::element data;
    ASSERT_EQ(parser_.parse(event.data).get(data), simdjson::SUCCESS);
    std::string_view value;
    if (data["delta"]["partial_json"].get(value) == simdjson::SUCCESS) partial += value;
    if (data["delta"]["stop_reason"].get(value) == simdjson::SUCCESS) stop_reason = value;
  }
  EXPECT_EQ(stop_reason, "tool_use");
  simdjson::dom::element input;
  ASSERT_EQ(parser_.parse(partial).get(input), simdjson::SUCCESS) << partial;
  EXPECT_EQ(input["city"].get_string().value(), "Paris");
  EXPECT_EQ(input["days"].get_int64().value(), 1);
}

TEST_F(MockServerTest, AnthropicMessageAnswersAToolResultWithText) {
  Start();
  Client client(port());
  Response response = client.Post(
      "/v1/messages",
      R"({"model":"c","max_tokens":100,"messages":[{"role":"user","content":"weather?"},)"
      R"({"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"get_weather","input":{}}]},)"
      R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"sunny"}]}],)"
      R"("tools":[{"name":"get_weather"}]})");
  simdjson::dom::element doc;
  ASSERT_EQ(parser_.parse(response.body).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(doc["type"].get_string().value(), "message");
  EXPECT_EQ(doc["stop_reason"].get_string().value(), "end_turn");
  EXPECT_EQ(doc["content"].at(0)["type"].get_string().value(), "text");
  EXPECT_GT(doc["usage"]["input_tokens"].get_int64().value(), 0);
}

// What an agent such as Claude Code needs: a call of the tool it names, then text once a tool
// result is in the history, even with user text or a system message after it.
TEST_F(MockServerTest, ToolFlagPicksTheToolAndItsInputAndOneResultEndsTheLoop) {
  MockOptions options;
  options.tool = "Read";
  options.tool_input = R"({"file_path":"/tmp/x"})";
  Start(options);
  Client client(port());
  constexpr std::string_view kTools =
      R"("tools":[{"name":"Bash","input_schema":{"type":"object"}},{"name":"Read","input_schema":{"type":"object"}}])";
  Response first = client.Post(
      "/v1/messages",
      R"({"model":"c","max_tokens":100,"messages":[{"role":"user","content":"read it"},)"
      R"({"role":"system","content":"reminder"}],)" +
          std::string(kTools) + "}");
  simdjson::dom::element doc;
  ASSERT_EQ(parser_.parse(first.body).get(doc), simdjson::SUCCESS) << first.body;
  EXPECT_EQ(doc["stop_reason"].get_string().value(), "tool_use");
  EXPECT_EQ(doc["content"].at(0)["name"].get_string().value(), "Read");
  EXPECT_EQ(doc["content"].at(0)["input"]["file_path"].get_string().value(), "/tmp/x");
  Response second = client.Post(
      "/v1/messages",
      R"({"model":"c","max_tokens":100,"messages":[{"role":"user","content":"read it"},)"
      R"({"role":"assistant","content":[{"type":"tool_use","id":"t","name":"Read","input":{}}]},)"
      R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"x"}]},)"
      R"({"role":"assistant","content":"and?"},{"role":"user","content":"go on"}],)" +
          std::string(kTools) + "}");
  ASSERT_EQ(parser_.parse(second.body).get(doc), simdjson::SUCCESS) << second.body;
  EXPECT_EQ(doc["stop_reason"].get_string().value(), "end_turn");

  Response chat = client.Post(
      "/v1/chat/completions",
      R"({"model":"m","messages":[{"role":"user","content":"read it"},{"role":"system","content":"r"}],)"
      R"("tools":[{"type":"function","function":{"name":"Bash"}},{"type":"function","function":{"name":"Read"}}]})");
  ASSERT_EQ(parser_.parse(chat.body).get(doc), simdjson::SUCCESS) << chat.body;
  simdjson::dom::element call = doc["choices"].at(0)["message"]["tool_calls"].at(0);
  EXPECT_EQ(call["function"]["name"].get_string().value(), "Read");
  EXPECT_EQ(call["function"]["arguments"].get_string().value(), options.tool_input);
  Response after = client.Post(
      "/v1/chat/completions",
      R"({"model":"m","messages":[{"role":"user","content":"read it"},)"
      R"({"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function",)"
      R"("function":{"name":"Read","arguments":"{}"}}]},)"
      R"({"role":"tool","tool_call_id":"c","content":"x"},{"role":"user","content":"more"}],)"
      R"("tools":[{"type":"function","function":{"name":"Read"}}]})");
  ASSERT_EQ(parser_.parse(after.body).get(doc), simdjson::SUCCESS) << after.body;
  EXPECT_EQ(doc["choices"].at(0)["finish_reason"].get_string().value(), "stop");
}

constexpr std::string_view kResponsesTools =
    R"("tools":[{"type":"web_search"},{"type":"function","name":"get_weather","parameters":)"
    R"({"type":"object","properties":{"location":{"type":"string"}}}},)"
    R"({"type":"function","name":"shell","parameters":{"type":"object"}}])";

TEST_F(MockServerTest, ResponsesStreamCallsAFunctionToolWithTheRealEventSequence) {
  Start();
  Client client(port());
  Response response = client.Post(
      "/v1/responses",
      R"({"model":"m","stream":true,"input":[{"role":"developer","content":"be brief"},)"
      R"({"type":"message","role":"user","content":[{"type":"input_text","text":"weather?"}]}],)" +
          std::string(kResponsesTools) + "}");
  ASSERT_TRUE(response.complete);
  std::vector<std::string> names;
  std::string arguments;
  std::string done_item;
  std::string completed;
  for (const SseEvent& event : ParseSse(response.body)) {
    names.push_back(event.name);
    simdjson::dom::element json;
    ASSERT_EQ(parser_.parse(event.data).get(json), simdjson::SUCCESS) << event.data;
    EXPECT_EQ(json["type"].get_string().value(), event.name);
    EXPECT_EQ(json["sequence_number"].get_int64().value(), int64_t(names.size() - 1));
    if (event.name == "response.function_call_arguments.delta") {
      arguments += json["delta"].get_string().value();
    }
    if (event.name == "response.output_item.done") done_item = simdjson::minify(json["item"]);
    if (event.name == "response.completed") completed = simdjson::minify(json["response"]);
  }
  ASSERT_GE(names.size(), 6u);
  EXPECT_EQ(names[0], "response.created");
  EXPECT_EQ(names[1], "response.in_progress");
  EXPECT_EQ(names[2], "response.output_item.added");
  EXPECT_EQ(names.back(), "response.completed");
  EXPECT_EQ(names[names.size() - 2], "response.output_item.done");
  EXPECT_EQ(names[names.size() - 3], "response.function_call_arguments.done");
  // One parser per document: parsing again with the same parser invalidates the earlier one.
  simdjson::dom::parser item_parser, arguments_parser;
  simdjson::dom::element item;
  ASSERT_EQ(item_parser.parse(done_item).get(item), simdjson::SUCCESS);
  EXPECT_EQ(item["type"].get_string().value(), "function_call");
  EXPECT_EQ(item["name"].get_string().value(), "get_weather");  // the first function tool
  EXPECT_EQ(item["arguments"].get_string().value(), arguments);
  EXPECT_TRUE(item["call_id"].get_string().value().starts_with("call_"));
  simdjson::dom::element parsed;
  ASSERT_EQ(arguments_parser.parse(arguments).get(parsed), simdjson::SUCCESS) << arguments;
  EXPECT_EQ(parsed["location"].get_string().value(), "Paris");
  simdjson::dom::element final_response;
  ASSERT_EQ(parser_.parse(completed).get(final_response), simdjson::SUCCESS);
  EXPECT_EQ(final_response["status"].get_string().value(), "completed");
  EXPECT_EQ(final_response["output"].at(0)["call_id"].get_string().value(),
            item["call_id"].get_string().value());
  EXPECT_GT(final_response["usage"]["output_tokens"].get_int64().value(), 0);
}

TEST_F(MockServerTest, ResponsesToolFlagPicksTheToolAndAnOutputEndsTheLoop) {
  MockOptions options;
  options.tool = "shell";
  options.tool_input = R"({"command":["echo","hi"]})";
  options.tokens = 4;
  Start(options);
  Client client(port());
  Response first = client.Post(
      "/v1/responses", R"({"model":"m","input":"run it",)" + std::string(kResponsesTools) + "}");
  simdjson::dom::element doc;
  ASSERT_EQ(parser_.parse(first.body).get(doc), simdjson::SUCCESS) << first.body;
  simdjson::dom::element call = doc["output"].at(0);
  EXPECT_EQ(call["type"].get_string().value(), "function_call");
  EXPECT_EQ(call["name"].get_string().value(), "shell");
  EXPECT_EQ(call["arguments"].get_string().value(), options.tool_input);
  Response second = client.Post(
      "/v1/responses",
      R"({"model":"m","previous_response_id":"resp_1","input":[{"type":"function_call_output",)"
      R"("call_id":"call_1","output":"hi"}],)" +
          std::string(kResponsesTools) + "}");
  ASSERT_EQ(parser_.parse(second.body).get(doc), simdjson::SUCCESS) << second.body;
  EXPECT_EQ(doc["previous_response_id"].get_string().value(), "resp_1");
  EXPECT_EQ(doc["output"].at(0)["type"].get_string().value(), "message");
  EXPECT_EQ(doc["output"].at(0)["content"].at(0)["text"].get_string().value(), MockText(4));
  // A full history with the call's output in it is answered with text too.
  Response history = client.Post(
      "/v1/responses",
      R"({"model":"m","input":[{"role":"user","content":"run it"},{"type":"function_call",)"
      R"("call_id":"c","name":"shell","arguments":"{}"},{"type":"function_call_output",)"
      R"("call_id":"c","output":"hi"}],"tool_choice":"auto",)" +
          std::string(kResponsesTools) + "}");
  ASSERT_EQ(parser_.parse(history.body).get(doc), simdjson::SUCCESS) << history.body;
  EXPECT_EQ(doc["output"].at(0)["type"].get_string().value(), "message");
  Response refused = client.Post("/v1/responses", R"({"model":"m","input":"x","tool_choice":)"
                                                  R"("none",)" +
                                                      std::string(kResponsesTools) + "}");
  ASSERT_EQ(parser_.parse(refused.body).get(doc), simdjson::SUCCESS) << refused.body;
  EXPECT_EQ(doc["output"].at(0)["type"].get_string().value(), "message");
}

TEST_F(MockServerTest, ResponsesTextStreamEndsWithTheWholeResponse) {
  MockOptions options;
  options.tokens = 3;
  Start(options);
  Client client(port());
  Response response =
      client.Post("/v1/responses", R"({"model":"m","stream":true,"input":"hello"})");
  std::string deltas;
  std::string final_text;
  for (const SseEvent& event : ParseSse(response.body)) {
    simdjson::dom::element json;
    ASSERT_EQ(parser_.parse(event.data).get(json), simdjson::SUCCESS) << event.data;
    if (event.name == "response.output_text.delta") deltas += json["delta"].get_string().value();
    if (event.name == "response.completed") {
      final_text = json["response"]["output"].at(0)["content"].at(0)["text"].get_string().value();
    }
  }
  EXPECT_EQ(deltas, MockText(3));
  EXPECT_EQ(final_text, deltas);
}

TEST_F(MockServerTest, ReasoningEffortGetsReasoningContentStreamedAndNot) {
  Start();
  Client client(port());
  constexpr std::string_view kBody =
      R"({"model":"m","reasoning_effort":"low","messages":[{"role":"user","content":"hi"}])";
  Response whole = client.Post("/v1/chat/completions", std::string(kBody) + "}");
  simdjson::dom::element doc;
  ASSERT_EQ(parser_.parse(whole.body).get(doc), simdjson::SUCCESS) << whole.body;
  EXPECT_EQ(doc["choices"].at(0)["message"]["reasoning_content"].get_string().value(),
            "Thinking at low effort.");
  EXPECT_EQ(doc["usage"]["completion_tokens_details"]["reasoning_tokens"].get_int64().value(), 4);
  Response streamed = client.Post(
      "/v1/chat/completions",
      std::string(kBody) + R"(,"stream":true,"stream_options":{"include_usage":true}})");
  std::string reasoning, content;
  for (const SseEvent& event : ParseSse(streamed.body)) {
    if (event.data == "[DONE]") continue;
    simdjson::dom::element chunk, choice;
    ASSERT_EQ(parser_.parse(event.data).get(chunk), simdjson::SUCCESS);
    if (chunk["choices"].at(0).get(choice) != simdjson::SUCCESS) continue;
    std::string_view piece;
    if (choice["delta"]["reasoning_content"].get(piece) == simdjson::SUCCESS) {
      EXPECT_TRUE(content.empty()) << "reasoning comes first";
      reasoning += piece;
    }
    if (choice["delta"]["content"].get(piece) == simdjson::SUCCESS) content += piece;
  }
  EXPECT_EQ(reasoning, "Thinking at low effort.");
  EXPECT_FALSE(content.empty());
  // Without reasoning_effort, no reasoning.
  Response plain = client.Post("/v1/chat/completions",
                               R"({"model":"m","messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(plain.body.find("reasoning_content"), std::string::npos);
}

TEST_F(MockServerTest, AnthropicThinkingBlockWithSignatureComesFirst) {
  Start();
  Client client(port());
  constexpr std::string_view kBody =
      R"({"model":"c","max_tokens":100,"thinking":{"type":"adaptive"},"messages":[{"role":"user","content":"hi"}])";
  Response whole = client.Post("/v1/messages", std::string(kBody) + "}");
  simdjson::dom::element doc;
  ASSERT_EQ(parser_.parse(whole.body).get(doc), simdjson::SUCCESS) << whole.body;
  EXPECT_EQ(doc["content"].at(0)["type"].get_string().value(), "thinking");
  EXPECT_EQ(doc["content"].at(0)["thinking"].get_string().value(), "Thinking at adaptive effort.");
  EXPECT_FALSE(doc["content"].at(0)["signature"].get_string().value().empty());
  EXPECT_EQ(doc["content"].at(1)["type"].get_string().value(), "text");
  Response streamed = client.Post("/v1/messages", std::string(kBody) + R"(,"stream":true})");
  std::vector<std::string> kinds;
  for (const SseEvent& event : ParseSse(streamed.body)) {
    simdjson::dom::element data;
    ASSERT_EQ(parser_.parse(event.data).get(data), simdjson::SUCCESS);
    std::string_view type;
    if (data["delta"]["type"].get(type) == simdjson::SUCCESS) {
      int64_t index = data["index"].get_int64().value();
      if (kinds.empty() || kinds.back() != std::string(type) + std::to_string(index)) {
        kinds.push_back(std::string(type) + std::to_string(index));
      }
    }
  }
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"thinking_delta0", "signature_delta0", "text_delta1"}));
}

TEST_F(MockServerTest, RecentRequestsAreListedOldestFirst) {
  Start();
  Client client(port());
  client.Post("/v1/chat/completions?x=1", R"({"model":"a","messages":[]})");
  client.Post("/v1/messages", R"({"model":"b","max_tokens":1,"messages":[]})");
  Response list = client.Request("GET", "/mock/requests", "", "");
  simdjson::dom::element doc;
  ASSERT_EQ(parser_.parse(list.body).get(doc), simdjson::SUCCESS) << list.body;
  simdjson::dom::array requests = doc["requests"].get_array().value();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests.at(0)["path"].get_string().value(), "/v1/chat/completions?x=1");
  EXPECT_EQ(requests.at(1)["body"].get_string().value(),
            R"({"model":"b","max_tokens":1,"messages":[]})");
}

// The histories the real APIs refuse get their 400, in their words.
TEST_F(MockServerTest, HistoriesTheRealApisRefuseAre400) {
  Start();
  Client client(port());
  const std::string use =
      R"({"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]})";
  struct {
    std::string path, messages, says;
  } cases[] = {
      {"/v1/messages",
       R"([{"role":"user","content":[{"type":"tool_result","tool_use_id":"t0","content":"x"}]}])",
       "unexpected `tool_use_id` found in `tool_result` blocks: t0"},
      {"/v1/messages", R"([{"role":"user","content":"q"},)" + use + "]",
       "`tool_use` ids were found without `tool_result` blocks immediately after: t1"},
      {"/v1/messages",
       R"([{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"tool_use","id":"a.b","name":"f","input":{}}]}])",
       "messages.1.content.0.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'"},
      {"/v1/messages",
       R"([{"role":"user","content":"q"},)" + use +
           R"(,{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1"},{"type":"tool_result","tool_use_id":"t1"}]}])",
       "Found multiple `tool_result` blocks with id: t1"},
      {"/v1/chat/completions", R"([{"role":"tool","tool_call_id":"c","content":"x"}])",
       "messages with role 'tool' must be a response to a preceeding message with 'tool_calls'"},
      {"/v1/chat/completions",
       R"([{"role":"user","content":"q"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"user","content":"q"}])",
       "The following tool_call_ids did not have response messages: c1"},
      {"/v1/chat/completions",
       R"([{"role":"assistant","tool_calls":[{"id":")" + std::string(41, 'x') +
           R"(","type":"function","function":{"name":"f","arguments":"{}"}}]}])",
       "Expected a string with maximum length 40, but got a string with length 41 instead."},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path + " " + c.messages);
    Response response =
        client.Post(c.path, R"({"model":"m","max_tokens":5,"messages":)" + c.messages + "}");
    EXPECT_EQ(response.status, 400);
    EXPECT_NE(response.body.find(c.says), std::string::npos) << response.body;
  }
  // A thread that continues names a history the server holds: not checked against the turn's own.
  Response cont = client.Post(
      "/v1/messages",
      R"({"model":"m","max_tokens":5,"thread":{"type":"continue","previous_message_id":"msg_1"},)"
      R"("messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t0","content":"x"}]}]})");
  EXPECT_EQ(cont.status, 200) << cont.body;
}

TEST_F(MockServerTest, FilesBatchesAndLegacyCompletionsAnswerInTheirShapes) {
  Start();
  Client client(port());
  const std::string multipart =
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
      "Content-Type: text/plain\r\n\r\nhello file\r\n--XyZ--\r\n";
  Response up = client.Post("/v1/files", multipart,
                            "anthropic-version: 2023-06-01\r\n"
                            "Content-Type: multipart/form-data; boundary=XyZ\r\n");
  ASSERT_EQ(up.status, 200) << up.body;
  simdjson::dom::element doc;
  ASSERT_EQ(parser_.parse(up.body).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(doc["type"].get_string().value(), "file");
  EXPECT_EQ(doc["filename"].get_string().value(), "a.txt");
  EXPECT_EQ(doc["size_bytes"].get_int64().value(), 10);
  EXPECT_EQ(doc["id"].get_string().value(), "file_" + Sha256Hex("hello file").substr(0, 24));
  Response openai =
      client.Post("/v1/files", multipart, "Content-Type: multipart/form-data; boundary=XyZ\r\n");
  ASSERT_EQ(parser_.parse(openai.body).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(doc["object"].get_string().value(), "file");
  EXPECT_EQ(doc["bytes"].get_int64().value(), 10);
  EXPECT_EQ(client.Post("/v1/files", "{}", "Content-Type: application/json\r\n").status, 400);
  EXPECT_EQ(client.Request("DELETE", "/v1/files/file_1", "").status, 200);

  Response batch = client.Post(
      "/v1/messages/batches",
      R"({"requests":[{"custom_id":"a","params":{"model":"m","max_tokens":5,"messages":[]}}]})");
  ASSERT_EQ(parser_.parse(batch.body).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(doc["type"].get_string().value(), "message_batch");
  EXPECT_EQ(doc["processing_status"].get_string().value(), "in_progress");
  Response got = client.Request("GET", "/v1/messages/batches/msgbatch_1", "");
  ASSERT_EQ(parser_.parse(got.body).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(doc["results_url"].get_string().value(),
            "http://t/v1/messages/batches/msgbatch_1/results");
  Response results = client.Request("GET", "/v1/messages/batches/msgbatch_1/results", "");
  EXPECT_NE(results.body.find("\"custom_id\""), std::string::npos);
  EXPECT_EQ(client.Post("/v1/messages/batches/msgbatch_1/cancel", "").status, 200);

  Response complete = client.Post(
      "/v1/complete",
      R"({"model":"claude-2.1","prompt":"\n\nHuman: hi\n\nAssistant:","max_tokens_to_sample":3})");
  ASSERT_EQ(parser_.parse(complete.body).get(doc), simdjson::SUCCESS) << complete.body;
  EXPECT_EQ(doc["type"].get_string().value(), "completion");
  EXPECT_EQ(doc["stop_reason"].get_string().value(), "max_tokens");
  EXPECT_EQ(client.Post("/v1/complete", R"({"model":"m"})").status, 400);
}

TEST_F(MockServerTest, EmbeddingsAreDeterministicUnitVectors) {
  Start();
  Client client(port());
  auto vectors = [&](std::string_view body) {
    std::vector<std::vector<double>> out;
    Response response = client.Post("/v1/embeddings", body);
    simdjson::dom::element doc;
    EXPECT_EQ(parser_.parse(response.body).get(doc), simdjson::SUCCESS) << response.body;
    simdjson::dom::array items;
    EXPECT_EQ(doc["data"].get(items), simdjson::SUCCESS);
    for (simdjson::dom::element item : items) {
      simdjson::dom::array values;
      EXPECT_EQ(item["embedding"].get(values), simdjson::SUCCESS);
      std::vector<double> vector;
      for (simdjson::dom::element x : values) vector.push_back(x.get_double().value());
      out.push_back(std::move(vector));
    }
    return out;
  };
  auto first = vectors(R"({"model":"e","input":["alpha","beta"]})");
  auto again = vectors(R"({"model":"e","input":"alpha"})");
  ASSERT_EQ(first.size(), 2u);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(first[0], again[0]);
  EXPECT_NE(first[0], first[1]);
  EXPECT_EQ(first[0].size(), 8u);
  double norm = 0;
  for (double x : first[0]) norm += x * x;
  EXPECT_NEAR(norm, 1.0, 1e-5);
  EXPECT_EQ(vectors(R"({"model":"e","input":"alpha","dimensions":32})")[0].size(), 32u);
}

TEST_F(MockServerTest, ModelsListsTheConfiguredIds) {
  MockOptions options;
  options.models = {"a", "b"};
  Start(options);
  Client client(port());
  Response response = client.Request("GET", "/v1/models", "");
  simdjson::dom::element doc;
  ASSERT_EQ(parser_.parse(response.body).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(doc["object"].get_string().value(), "list");
  ASSERT_EQ(doc["data"].get_array().value().size(), 2u);
  EXPECT_EQ(doc["data"].at(1)["id"].get_string().value(), "b");
}

TEST_F(MockServerTest, RequireKeyRefusesAnonymousAndStatsKeepOnlyTheKeyDigest) {
  MockOptions options;
  options.require_key = true;
  Start(options);
  Client client(port());
  const std::string body =
      R"({"model":"c","max_tokens":1,"messages":[{"role":"user","content":"hi"}]})";
  Response refused = client.Post("/v1/messages", body);
  EXPECT_EQ(refused.status, 401);
  simdjson::dom::element error;
  ASSERT_EQ(parser_.parse(refused.body).get(error), simdjson::SUCCESS);
  EXPECT_EQ(error["error"]["type"].get_string().value(), "authentication_error");

  const std::string key = "sk-ant-mock-secret-value";
  Response accepted = client.Post("/v1/messages", body, "x-api-key: " + key + "\r\n");
  EXPECT_EQ(accepted.status, 200);
  Response stats_response = client.Request("GET", "/mock/stats", "");
  Response last = client.Request("GET", "/mock/last_request", "");
  for (const Response* r : {&stats_response, &last}) {
    EXPECT_EQ(r->body.find(key), std::string::npos) << r->body;
  }
  simdjson::dom::element stats_doc;
  ASSERT_EQ(parser_.parse(stats_response.body).get(stats_doc), simdjson::SUCCESS);
  EXPECT_EQ(stats_doc["last_authorization"].get_string().value(), Sha256Hex(key));
  EXPECT_EQ(stats_doc["last_body_sha256"].get_string().value(), Sha256Hex(body));
  EXPECT_TRUE(stats_doc["last_request_headers"]["x-api-key"].get_bool().value());
  simdjson::dom::element last_doc;
  ASSERT_EQ(parser_.parse(last.body).get(last_doc), simdjson::SUCCESS);
  EXPECT_EQ(last_doc["body"].get_string().value(), body);
  EXPECT_EQ(last_doc["path"].get_string().value(), "/v1/messages");
  EXPECT_TRUE(last_doc["headers"]["x-api-key"]["present"].get_bool().value());
}

TEST_F(MockServerTest, FailEveryInjectsErrorsInTheApiShape) {
  MockOptions options;
  options.fail_status = 503;
  options.fail_every = 2;
  Start(options);
  Client client(port());
  std::vector<int> statuses;
  for (int i = 0; i < 4; ++i) statuses.push_back(client.Post("/v1/chat/completions", kChat).status);
  EXPECT_EQ(statuses, (std::vector<int>{200, 503, 200, 503}));
  Response overridden =
      client.Post("/v1/messages", R"({"model":"c","messages":[]})", "x-mock-fail-status: 429\r\n");
  EXPECT_EQ(overridden.status, 429);
  EXPECT_NE(overridden.head.find("retry-after: "), std::string::npos);
  simdjson::dom::element doc;
  ASSERT_EQ(parser_.parse(overridden.body).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(doc["error"]["type"].get_string().value(), "rate_limit_error");
  EXPECT_EQ(stats().failures_injected.load(), 3u);
}

TEST_F(MockServerTest, AnswersCarryTheHeadersATestAsksFor) {
  MockOptions options;
  options.response_headers = "x-ratelimit-remaining-requests: 9\r\n";
  Start(options);
  Client client(port());
  Response ok =
      client.Post("/v1/chat/completions", kChat, "x-mock-header-x-should-retry: false\r\n");
  EXPECT_EQ(ok.status, 200);
  EXPECT_NE(ok.head.find("x-should-retry: false\r\n"), std::string::npos) << ok.head;
  EXPECT_NE(ok.head.find("x-ratelimit-remaining-requests: 9\r\n"), std::string::npos);
  // An answer's own retry-after replaces the default one of a 429.
  Response limited = client.Post("/v1/messages", R"({"model":"c","messages":[]})",
                                 "x-mock-fail-status: 429\r\nx-mock-header-retry-after: 30\r\n");
  EXPECT_EQ(limited.status, 429);
  EXPECT_NE(limited.head.find("retry-after: 30\r\n"), std::string::npos) << limited.head;
  EXPECT_EQ(limited.head.find("retry-after: 1\r\n"), std::string::npos) << limited.head;
}

TEST_F(MockServerTest, AStreamPausesInsideAnEventAndAzuresFirstChunkHasNoId) {
  Start();
  Client client(port());
  const auto t0 = std::chrono::steady_clock::now();
  Response response = client.Post(
      "/v1/chat/completions", R"({"model":"m","stream":true,"max_tokens":3,"messages":[]})",
      "x-mock-pause-after-events: 2\r\nx-mock-pause-ms: 150\r\nx-mock-pause-mid-event: 1\r\n"
      "x-mock-azure-first-chunk: 1\r\n");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 150ms);
  ASSERT_TRUE(response.complete);
  std::vector<SseEvent> events = ParseSse(response.body);
  ASSERT_GE(events.size(), 3u);
  simdjson::dom::element first;
  ASSERT_EQ(parser_.parse(events[0].data).get(first), simdjson::SUCCESS) << events[0].data;
  EXPECT_EQ(first["id"].get_string().value(), "");
  EXPECT_EQ(first["choices"].get_array().value().size(), 0u);
  EXPECT_EQ(first["prompt_filter_results"].get_array().value().size(), 1u);
  simdjson::dom::element split;  // the event the pause fell inside arrived whole in the end
  ASSERT_EQ(parser_.parse(events[2].data).get(split), simdjson::SUCCESS) << events[2].data;
}

TEST_F(MockServerTest, DisconnectAfterEventsCutsTheStreamWithoutTerminator) {
  Start();
  Client client(port());
  Response response =
      client.Post("/v1/chat/completions", R"({"model":"m","stream":true,"messages":[]})",
                  "x-mock-disconnect-after-events: 2\r\n");
  EXPECT_EQ(response.status, 200);
  EXPECT_FALSE(response.complete);
  EXPECT_EQ(ParseSse(response.body).size(), 2u);
  EXPECT_TRUE(client.ServerClosed());
  EXPECT_EQ(stats().disconnects_injected.load(), 1u);
  EXPECT_TRUE(WaitFor([&] { return stats().active_streams.load() == 0; }));
}

TEST_F(MockServerTest, CountsAClientThatLeavesMidStream) {
  Start();
  Client client(port());
  const std::string body = R"({"model":"m","stream":true,"messages":[]})";
  client.Send(
      "POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nx-mock-interval-ms: 50\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  Response head;
  ASSERT_TRUE(client.ReadHead(head));
  ASSERT_EQ(head.status, 200);
  EXPECT_TRUE(WaitFor([&] { return stats().active_streams.load() == 1; }));
  client.Close();
  EXPECT_TRUE(WaitFor([&] { return stats().client_disconnects_midstream.load() == 1; }));
  EXPECT_TRUE(WaitFor([&] { return stats().active_streams.load() == 0; }));
  EXPECT_EQ(stats().streams_completed.load(), 0u);
}

TEST_F(MockServerTest, KeepsConnectionsAliveUnlessToldOtherwise) {
  Start();
  Client client(port());
  EXPECT_EQ(client.Post("/v1/chat/completions", kChat).status, 200);
  EXPECT_EQ(client.Post("/v1/chat/completions", kChat).status, 200);
  EXPECT_EQ(stats().connections_accepted.load(), 1u);
  Response closing = client.Post("/v1/chat/completions", kChat, "Connection: close\r\n");
  EXPECT_NE(closing.head.find("connection: close"), std::string::npos);
  EXPECT_TRUE(client.ServerClosed());
}

TEST_F(MockServerTest, BadInputGetsA400AndNeverTakesTheServerDown) {
  Start();
  {
    Client client(port());
    client.Send("GARBAGE\r\n\r\n");
    Response response = client.Read();
    EXPECT_EQ(response.status, 400);
    EXPECT_NE(response.body.find("\"error\""), std::string::npos);
    EXPECT_TRUE(client.ServerClosed());
  }
  Client client(port());
  for (std::string_view body :
       {"{not json", "[1,2]", "", R"({"model":"m"})", R"({"messages":[]})"}) {
    Response response = client.Post("/v1/chat/completions", body);
    EXPECT_EQ(response.status, 400) << body;
    simdjson::dom::element doc;
    ASSERT_EQ(parser_.parse(response.body).get(doc), simdjson::SUCCESS);
    EXPECT_FALSE(doc["error"]["message"].get_string().value().empty());
  }
  EXPECT_EQ(client.Post("/v1/chat/completions", kChat, "x-mock-tokens: lots\r\n").status, 400);
  EXPECT_EQ(client.Post("/v1/unknown", "{}").status, 404);
  EXPECT_EQ(client.Request("GET", "/v1/chat/completions", "").status, 405);
  EXPECT_EQ(client.Post("/v1/chat/completions", kChat).status, 200);
}

TEST_F(MockServerTest, AcceptsChunkedRequestBodies) {
  Start();
  Client client(port());
  std::string body(kChat);
  client.Send(
      "POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
  for (size_t i = 0; i < body.size(); i += 10) {
    std::string piece = body.substr(i, 10);
    char size[16];
    std::snprintf(size, sizeof(size), "%zx\r\n", piece.size());
    client.Send(std::string(size) + piece + "\r\n");
  }
  client.Send("0\r\n\r\n");
  Response response = client.Read();
  EXPECT_EQ(response.status, 200);
  EXPECT_NE(response.body.find("\"model\":\"gpt-4o-mini\""), std::string::npos);
}

TEST_F(MockServerTest, RefuseClosesEveryConnection) {
  MockOptions options;
  options.refuse = true;
  Start(options);
  Client client(port());
  ASSERT_TRUE(client.connected());
  client.Send("GET /health HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(client.ServerClosed());
  EXPECT_EQ(stats().connections_accepted.load(), 1u);
}

}  // namespace
}  // namespace ringgate::mock_upstream
