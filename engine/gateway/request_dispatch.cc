// The request pipeline up to routing: identify, validate, pick the route, then proxy or answer
// locally. JSON is parsed once here (simdjson, shard-local parser) and never again.
#include <string>

#include "engine/config/runtime.h"
#include "engine/gateway/client_session.h"
#include "engine/gateway/clock.h"
#include "engine/gateway/shard.h"
#include "protocol/error_body.h"
#include "protocol/json_chat_request.h"
#include "protocol/request_target.h"

namespace ringgate::gateway {

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool is_json_content_type(std::string_view ct) {
  // "application/json" with optional parameters; media types are case-insensitive.
  std::string_view base = ct.substr(0, ct.find(';'));
  while (!base.empty() && (base.back() == ' ' || base.back() == '\t')) base.remove_suffix(1);
  return protocol::ascii_iequals(base, "application/json");
}

enum class Endpoint { kChat, kMessages, kModelOnly, kOther };

Endpoint classify(std::string_view suffix) {
  if (suffix == "/chat/completions") return Endpoint::kChat;
  if (suffix == "/messages") return Endpoint::kMessages;
  if (suffix == "/embeddings" || suffix == "/completions" || suffix == "/responses") {
    return Endpoint::kModelOnly;
  }
  return Endpoint::kOther;
}

// The only methods that reach an upstream, with the provider key attached: an upstream that
// echoes TRACE hands the key to the client, CONNECT would open a tunnel on it, and the APIs
// served here use nothing else. Method names are case-sensitive (RFC 9110 section 9.1).
bool forwarded_method(std::string_view m) {
  return m == "GET" || m == "POST" || m == "DELETE" || m == "HEAD";
}

// OPTIONS is answered by the gateway itself, so it is allowed everywhere too.
constexpr std::string_view kAllowAll = "Allow: GET, POST, DELETE, HEAD, OPTIONS\r\n";

void append_models_json(const config::Config& cfg, std::string& out) {
  out.assign(R"({"object":"list","data":[)");
  bool first = true;
  auto add = [&](std::string_view id) {
    if (!first) out.push_back(',');
    first = false;
    out.append(R"({"id":")");
    protocol::append_json_escaped(out, id);
    out.append(R"(","object":"model","created":0,"owned_by":"ringgate"})");
  };
  for (const config::Model& m : cfg.models) {
    add(m.name);
    for (const std::string& a : m.aliases) add(a);
  }
  out.append("]}");
}

}  // namespace

io::Task<void> ClientSession::handle_request() {
  const protocol::HttpRequest& req = parser_.request();
  runtime_ = shard_.runtime();
  const config::Runtime& rt = *runtime_;
  const config::Config& cfg = rt.config();
  request_start_ms_ = now_ms();
  keep_alive_ = req.keep_alive;
  shard_.counters().requests.add();
  choose_request_id();
  std::string_view path = req.path;
  front_ = path == "/v1/messages" ? Front::kAnthropic : Front::kOpenAi;

  // Before any route: the path an upstream resolves must be the path routed here.
  if (const char* why = protocol::request_target_problem(req.target)) {
    co_await respond_error(400, why, "invalid_request_target");
    co_return;
  }
  if (req.method == "OPTIONS") {
    // Never forwarded. A plain answer until CORS preflights are configurable.
    extra_headers_ = kAllowAll;
    co_await respond(204, {}, {});
    co_return;
  }
  if (!forwarded_method(req.method)) {
    // seed-defect: 004-P4 — refused before an upstream head (with the key) is ever built.
    extra_headers_ = kAllowAll;
    co_await respond_error(405, "method not allowed; ringgate forwards GET, POST, DELETE and HEAD",
                           "method_not_allowed");
    co_return;
  }

  if (path == "/healthz") {
    co_await respond(200, "application/json", R"({"status":"ok"})");
    co_return;
  }
  if (path == "/readyz") {
    if (shard_.state().ready()) {
      co_await respond(200, "application/json", R"({"status":"ready"})");
    } else {
      co_await respond(503, "application/json", R"({"status":"not ready"})");
    }
    co_return;
  }
  if (!starts_with(path, "/v1/")) {
    co_await respond_error(
        404, "unknown path; ringgate serves the OpenAI and Anthropic APIs under /v1/", "not_found");
    co_return;
  }

  Route route;
  route.upstream_suffix = path.substr(3);
  if (req.method == "GET" && path == "/v1/models" && !cfg.passthrough) {
    append_models_json(cfg, scratch_);
    std::string body = std::move(scratch_);
    co_await respond(200, "application/json", body);
    scratch_ = std::move(body);
    co_return;
  }

  Endpoint endpoint = classify(route.upstream_suffix);
  if (endpoint != Endpoint::kOther && req.method != "POST") {
    extra_headers_ = "Allow: POST\r\n";
    co_await respond_error(405, "this endpoint accepts POST only", "method_not_allowed");
    co_return;
  }

  protocol::ChatRequestView view;
  if (endpoint != Endpoint::kOther) {
    // seed-defect: 000-X2 — only JSON bodies are accepted on the JSON APIs.
    if (!is_json_content_type(req.header("content-type"))) {
      co_await respond_error(415, "Content-Type must be application/json",
                             "unsupported_media_type");
      co_return;
    }
    protocol::JsonError jerr;
    size_t padding = in_.capacity() - size_t(req.body.data() + req.body.size() - in_.data());
    if (req.chunked) padding = 0;
    bool ok = endpoint == Endpoint::kChat
                  ? protocol::parse_chat_request(shard_.json(), req.body, view, jerr, padding)
              : endpoint == Endpoint::kMessages
                  ? protocol::parse_messages_request(shard_.json(), req.body, view, jerr, padding)
                  : protocol::parse_model_only(shard_.json(), req.body, view, jerr, padding);
    if (!ok) {
      co_await respond_error(400, jerr.message, "invalid_request_body");
      co_return;
    }
    route.client_wants_stream = view.stream;
    route.include_usage = view.include_usage;
    route.requested_model = view.model;
    route.document = view.document;
  }

  if (cfg.passthrough) {
    route.upstream_id = rt.passthrough_upstream()->id;
    route.upstream = rt.passthrough_upstream()->def;
    co_await proxy(route);
    co_return;
  }
  if (endpoint == Endpoint::kOther) {
    co_await respond_error(404, "unknown endpoint", "not_found");
    co_return;
  }
  // seed-defect: 004-P5 — an unknown model is a 404, never a guess.
  const config::RuntimeModel* entry = rt.find_model(view.model);
  if (!entry) {
    scratch_.assign("The model '");
    scratch_.append(view.model.substr(0, 256));
    scratch_.append("' does not exist or is not served by this gateway");
    std::string msg = std::move(scratch_);
    co_await respond_error(404, msg, "model_not_found");
    co_return;
  }
  const config::Model* model = entry->def;
  // seed-defect: 001-7 — max_tokens capped per model.
  if (model->max_tokens_cap > 0 && view.max_tokens && *view.max_tokens > model->max_tokens_cap) {
    std::string msg = "max_tokens " + std::to_string(*view.max_tokens) + " exceeds the limit of " +
                      std::to_string(model->max_tokens_cap) + " for model " + model->name;
    co_await respond_error(400, msg, "max_tokens_exceeded");
    co_return;
  }
  route.model = model;
  route.upstream_id = entry->upstream->id;  // the runtime tables resolved it at load
  route.upstream = entry->upstream->def;
  co_await proxy(route);
}

}  // namespace ringgate::gateway
