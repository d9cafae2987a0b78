#include "tools/mock_upstream/resource_api.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "tools/mock_upstream/json_text.h"
#include "tools/mock_upstream/mock_content.h"

namespace ringgate::mock_upstream {
namespace {

using simdjson::SUCCESS;
using simdjson::dom::array;
using simdjson::dom::element;

constexpr std::string_view kCreatedAt = "2025-01-01T00:00:00Z";
constexpr std::string_view kExpiresAt = "2025-01-02T00:00:00Z";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  return out;
}

// The value of `name=` in a header's parameters, unquoted ("" when absent).
std::string Param(std::string_view header, std::string_view name) {
  const std::string lower = Lower(header);
  const std::string key = std::string(name) + "=";
  size_t at = 0;
  while ((at = lower.find(key, at)) != std::string::npos) {
    if (at == 0 || lower[at - 1] == ';' || lower[at - 1] == ' ') break;
    ++at;
  }
  if (at == std::string::npos) return {};
  std::string_view v = header.substr(at + key.size());
  if (!v.empty() && v.front() == '"') {
    v.remove_prefix(1);
    return std::string(v.substr(0, v.find('"')));
  }
  return std::string(v.substr(0, v.find_first_of("; ")));
}

struct Part {
  std::string name, filename, content_type;
  std::string_view body;
};

// multipart/form-data (RFC 7578), as SDKs send it; nullopt when the body does not parse.
std::optional<std::vector<Part>> ParseMultipart(std::string_view content_type,
                                                std::string_view body) {
  const std::string boundary = Param(content_type, "boundary");
  if (boundary.empty()) return std::nullopt;
  const std::string delimiter = "--" + boundary;
  size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos) return std::nullopt;
  std::vector<Part> parts;
  for (;;) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") return parts;
    if (body.substr(pos, 2) != "\r\n") return std::nullopt;
    pos += 2;
    const size_t head_end = body.find("\r\n\r\n", pos);
    if (head_end == std::string_view::npos) return std::nullopt;
    Part part;
    std::string_view head = body.substr(pos, head_end - pos);
    while (!head.empty()) {
      const size_t eol = head.find("\r\n");
      const std::string_view line = head.substr(0, eol);
      head = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 2);
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      const std::string name = Lower(line.substr(0, colon));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (name == "content-disposition") {
        part.name = Param(value, "name");
        part.filename = Param(value, "filename");
      } else if (name == "content-type") {
        part.content_type = std::string(value);
      }
    }
    const size_t body_start = head_end + 4;
    const size_t next = body.find("\r\n" + delimiter, body_start);
    if (next == std::string_view::npos) return std::nullopt;
    part.body = body.substr(body_start, next - body_start);
    parts.push_back(std::move(part));
    pos = next + 2;
  }
}

bool AnthropicShape(const HttpRequest& request) {
  return request.Find("anthropic-version") != nullptr;
}

std::string Headers(bool anthropic) {
  return std::string(anthropic ? "request-id: " : "x-request-id: ") + NewId("req_") + "\r\n";
}

std::string FileJson(bool anthropic, std::string_view id, std::string_view filename,
                     std::string_view mime_type, size_t size, std::string_view purpose) {
  std::string json = "{\"id\":" + JsonString(id);
  if (anthropic) {
    json += ",\"type\":\"file\",\"filename\":" + JsonString(filename) +
            ",\"mime_type\":" + JsonString(mime_type) + ",\"size_bytes\":" + std::to_string(size) +
            ",\"created_at\":" + JsonString(kCreatedAt) + ",\"downloadable\":false}";
  } else {
    json += ",\"object\":\"file\",\"bytes\":" + std::to_string(size) +
            ",\"created_at\":1735689600,\"filename\":" + JsonString(filename) +
            ",\"purpose\":" + JsonString(purpose) +
            ",\"status\":\"processed\",\"expires_at\":null,\"status_details\":null}";
  }
  return json;
}

std::string ListJson(bool anthropic, std::string_view item, std::string_view id) {
  if (!anthropic)
    return "{\"object\":\"list\",\"data\":[" + std::string(item) + "],\"has_more\":false}";
  return "{\"data\":[" + std::string(item) + "],\"has_more\":false,\"first_id\":" + JsonString(id) +
         ",\"last_id\":" + JsonString(id) + "}";
}

// The upload's id names its content: "file_" (Anthropic) or "file-" (OpenAI) and the first 24
// hex digits of its SHA-256, so a test can check the bytes arrived as they were sent.
std::optional<ResponsePlan> PlanFiles(const HttpRequest& request, ResponseBuilder& builder,
                                      std::string_view rest) {
  const bool anthropic = AnthropicShape(request);
  const ApiShape shape = anthropic ? ApiShape::kAnthropic : ApiShape::kOpenAI;
  const std::string_view method = request.method;
  if (rest.empty()) {
    if (method == "GET") {
      const std::string id = anthropic ? "file_mock" : "file-mock";
      return builder.Body(
          200, "application/json",
          ListJson(anthropic, FileJson(anthropic, id, "mock.txt", "text/plain", 0, "assistants"),
                   id),
          Headers(anthropic), true);
    }
    if (method != "POST")
      return builder.Error(shape, 405, "use GET or POST", "allow: GET, POST\r\n");
    const std::string* ct = request.Find("content-type");
    if (ct == nullptr || Lower(*ct).rfind("multipart/form-data", 0) != 0) {
      return builder.Error(shape, 400, "Content-Type must be multipart/form-data", "");
    }
    auto parts = ParseMultipart(*ct, request.body);
    if (!parts) return builder.Error(shape, 400, "malformed multipart/form-data body", "");
    const Part* file = nullptr;
    std::string purpose;
    for (const Part& p : *parts) {
      if (p.name == "file") file = &p;
      if (p.name == "purpose") purpose = std::string(p.body);
    }
    if (file == nullptr) return builder.Error(shape, 400, "file: Field required", "");
    const std::string id =
        std::string(anthropic ? "file_" : "file-") + Sha256Hex(file->body).substr(0, 24);
    const std::string mime =
        file->content_type.empty() ? "application/octet-stream" : file->content_type;
    return builder.Body(200, "application/json",
                        FileJson(anthropic, id, file->filename, mime, file->body.size(), purpose),
                        Headers(anthropic), true);
  }
  std::string_view id = rest.substr(1);
  const bool content = id.size() > 8 && id.substr(id.size() - 8) == "/content";
  if (content) id.remove_suffix(8);
  if (id.empty() || id.find('/') != std::string_view::npos) {
    return builder.Error(shape, 404, "Not Found", "");
  }
  if (content) {
    if (method != "GET") return builder.Error(shape, 405, "use GET", "allow: GET\r\n");
    return builder.Body(200, "application/octet-stream", "mock file content\n", Headers(anthropic),
                        true);
  }
  if (method == "GET") {
    return builder.Body(200, "application/json",
                        FileJson(anthropic, id, "mock.txt", "text/plain", 18, "assistants"),
                        Headers(anthropic), true);
  }
  if (method == "DELETE") {
    std::string json =
        "{\"id\":" + JsonString(id) +
        (anthropic ? ",\"type\":\"file_deleted\"}" : ",\"object\":\"file\",\"deleted\":true}");
    return builder.Body(200, "application/json", json, Headers(anthropic), true);
  }
  return builder.Error(shape, 405, "use GET or DELETE", "allow: GET, DELETE\r\n");
}

std::string BatchJson(const HttpRequest& request, std::string_view id, std::string_view status,
                      int processing, int succeeded) {
  const bool ended = status == "ended";
  std::string json =
      "{\"id\":" + JsonString(id) +
      ",\"type\":\"message_batch\",\"processing_status\":" + JsonString(status) +
      ",\"request_counts\":{\"processing\":" + std::to_string(processing) +
      ",\"succeeded\":" + std::to_string(succeeded) +
      ",\"errored\":0,\"canceled\":0,\"expired\":0},\"ended_at\":" +
      (ended ? JsonString(kExpiresAt) : "null") + ",\"created_at\":" + JsonString(kCreatedAt) +
      ",\"expires_at\":" + JsonString(kExpiresAt) +
      ",\"archived_at\":null,\"cancel_initiated_at\":" +
      (status == "canceling" ? JsonString(kCreatedAt) : "null") + ",\"results_url\":";
  if (ended) {
    // Absolute, as Anthropic's is: the host the request was sent to.
    const std::string* host = request.Find("host");
    json += JsonString("http://" + (host ? *host : std::string("127.0.0.1")) +
                       "/v1/messages/batches/" + std::string(id) + "/results");
  } else {
    json += "null";
  }
  return json + "}";
}

std::optional<ResponsePlan> PlanBatches(const HttpRequest& request, ResponseBuilder& builder,
                                        simdjson::dom::parser& parser, std::string_view rest) {
  constexpr ApiShape kShape = ApiShape::kAnthropic;
  const std::string_view method = request.method;
  const std::string headers = Headers(true);
  if (rest.empty()) {
    if (method == "GET") {
      const std::string id = "msgbatch_mock";
      return builder.Body(200, "application/json",
                          ListJson(true, BatchJson(request, id, "ended", 0, 1), id), headers, true);
    }
    if (method != "POST")
      return builder.Error(kShape, 405, "use GET or POST", "allow: GET, POST\r\n");
    element body;
    array requests;
    if (parser.parse(request.body).get(body) != SUCCESS || !body.is_object()) {
      return builder.Error(kShape, 400, "request body is not a valid JSON object", "");
    }
    if (body["requests"].get(requests) != SUCCESS || requests.size() == 0) {
      return builder.Error(kShape, 400, "requests: Field required", "");
    }
    size_t i = 0;
    for (element r : requests) {
      std::string_view custom_id;
      element params;
      if (r["custom_id"].get(custom_id) != SUCCESS || r["params"].get(params) != SUCCESS ||
          !params.is_object()) {
        return builder.Error(
            kShape, 400, "requests." + std::to_string(i) + ": custom_id and params are required",
            "");
      }
      ++i;
    }
    const std::string id = "msgbatch_" + Sha256Hex(request.body).substr(0, 24);
    return builder.Body(200, "application/json",
                        BatchJson(request, id, "in_progress", int(requests.size()), 0), headers,
                        true);
  }
  std::string_view id = rest.substr(1);
  std::string_view action;
  if (const size_t slash = id.find('/'); slash != std::string_view::npos) {
    action = id.substr(slash + 1);
    id = id.substr(0, slash);
  }
  if (id.empty()) return builder.Error(kShape, 404, "Not Found", "");
  if (action.empty()) {
    if (method == "GET") {
      return builder.Body(200, "application/json", BatchJson(request, id, "ended", 0, 1), headers,
                          true);
    }
    if (method == "DELETE") {
      return builder.Body(200, "application/json",
                          "{\"id\":" + JsonString(id) + ",\"type\":\"message_batch_deleted\"}",
                          headers, true);
    }
    return builder.Error(kShape, 405, "use GET or DELETE", "allow: GET, DELETE\r\n");
  }
  if (action == "cancel") {
    if (method != "POST") return builder.Error(kShape, 405, "use POST", "allow: POST\r\n");
    return builder.Body(200, "application/json", BatchJson(request, id, "canceling", 1, 0), headers,
                        true);
  }
  if (action == "results") {
    if (method != "GET") return builder.Error(kShape, 405, "use GET", "allow: GET\r\n");
    std::string line =
        "{\"custom_id\":\"mock-request-1\",\"result\":{\"type\":\"succeeded\",\"message\":{"
        "\"id\":\"msg_mockbatch\",\"type\":\"message\",\"role\":\"assistant\",\"model\":"
        "\"claude-3-5-haiku-20241022\",\"content\":[{\"type\":\"text\",\"text\":" +
        JsonString(MockText(4)) +
        "}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":4,"
        "\"output_tokens\":4}}}}\n";
    return builder.Body(200, "application/x-jsonl", line, headers, true);
  }
  return builder.Error(kShape, 404, "Not Found", "");
}

// Anthropic's legacy Text Completions: {model, prompt, max_tokens_to_sample, stream}.
ResponsePlan PlanComplete(const HttpRequest& request, const RequestKnobs& knobs,
                          ResponseBuilder& builder, simdjson::dom::parser& parser) {
  constexpr ApiShape kShape = ApiShape::kAnthropic;
  if (request.method != "POST") return builder.Error(kShape, 405, "use POST", "allow: POST\r\n");
  element body;
  if (parser.parse(request.body).get(body) != SUCCESS || !body.is_object()) {
    return builder.Error(kShape, 400, "request body is not a valid JSON object", "");
  }
  std::string_view model, prompt;
  int64_t max_tokens = 0;
  if (body["model"].get(model) != SUCCESS)
    return builder.Error(kShape, 400, "model: Field required", "");
  if (body["prompt"].get(prompt) != SUCCESS) {
    return builder.Error(kShape, 400, "prompt: Field required", "");
  }
  if (body["max_tokens_to_sample"].get(max_tokens) != SUCCESS || max_tokens < 1) {
    return builder.Error(kShape, 400, "max_tokens_to_sample: Field required", "");
  }
  bool stream = false;
  if (body["stream"].get(stream) != SUCCESS) stream = false;
  const int tokens = int(std::min<int64_t>(max_tokens, knobs.tokens));
  const char* stop = max_tokens < knobs.tokens ? "max_tokens" : "stop_sequence";
  const std::string id = NewId("compl_");
  auto completion = [&](std::string_view text, const char* stop_reason) {
    return "{\"type\":\"completion\",\"id\":" + JsonString(id) +
           ",\"completion\":" + JsonString(text) +
           ",\"stop_reason\":" + (stop_reason ? JsonString(stop_reason) : std::string("null")) +
           ",\"model\":" + JsonString(model) + "}";
  };
  if (!stream) {
    return builder.Body(200, "application/json", completion(MockText(tokens), stop), Headers(true),
                        true);
  }
  auto event = [](std::string_view json) {
    return "event: completion\ndata: " + std::string(json) + "\n\n";
  };
  builder.AddEvent("event: ping\ndata: {\"type\":\"ping\"}\n\n", false);
  for (int i = 0; i < tokens; ++i) builder.AddEvent(event(completion(MockToken(i), nullptr)), true);
  builder.AddEvent(event(completion("", stop)), false);
  return builder.Stream(Headers(true),
                        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":"
                        "\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n");
}

bool Under(std::string_view path, std::string_view base, std::string_view& rest) {
  if (path.substr(0, base.size()) != base) return false;
  rest = path.substr(base.size());
  return rest.empty() || rest.front() == '/';
}

}  // namespace

std::optional<ResponsePlan> PlanResource(const HttpRequest& request, const RequestKnobs& knobs,
                                         bool close_after, simdjson::dom::parser& parser) {
  ResponseBuilder builder(knobs, close_after);
  const std::string_view path = request.path;
  std::string_view rest;
  if (Under(path, "/v1/files", rest)) return PlanFiles(request, builder, rest);
  if (Under(path, "/v1/messages/batches", rest)) return PlanBatches(request, builder, parser, rest);
  if (path == "/v1/complete") return PlanComplete(request, knobs, builder, parser);
  return std::nullopt;
}

}  // namespace ringgate::mock_upstream
