// The pipeline's stages, run without a ring: a config from TOML, a request from the real parser,
// the verdict each stage gives.
#include "engine/pipeline/stages.h"

#include <gtest/gtest.h>

#include <string>

#include "cache/exact_cache.h"
#include "cache/local_embedder.h"
#include "cache/semantic_cache.h"
#include "engine/admission/gatekeeper.h"
#include "engine/config/config.h"

namespace ringgate::pipeline {
namespace {

constexpr std::string_view kToml = R"(
[[upstreams]]
name = "up"
url = "http://127.0.0.1:9/v1"

[[models]]
name = "gpt-4o-mini"
upstream = "up"
aliases = ["fast"]
max_tokens_cap = 100

[auth]
mode = "none"
)";

class Stages : public ::testing::Test {
 protected:
  void SetUp() override {
    runtime_ = load(kToml);
    ASSERT_TRUE(runtime_);
    svc_.json = &json_;
    svc_.request_ids = &ids_;
    svc_.ready = [this] { return ready_; };
  }

  // A snapshot with its Gatekeeper attached, as the gateway builds one.
  static std::shared_ptr<const config::Runtime> load(std::string_view toml) {
    config::ConfigError err;
    auto c = config::load_config_string(toml, "t.toml", err);
    EXPECT_TRUE(c) << err.message;
    if (!c) return nullptr;
    std::string why;
    std::shared_ptr<config::Runtime> rt = config::Runtime::build(std::move(*c), why);
    EXPECT_TRUE(rt) << why;
    if (rt) rt->attach(admission::Gatekeeper::build(rt->config(), nullptr));
    return rt;
  }

  // Parses `raw` (a whole request) and runs the stages in pipeline order until one answers.
  Verdict run(const std::string& raw) {
    buffer_ = raw;
    parser_.reset();
    EXPECT_EQ(parser_.parse(buffer_), protocol::ParseStatus::kComplete) << raw;
    rq_.reset();
    rq_.http = &parser_.request();
    rq_.runtime = runtime_;
    for (auto stage : {identify, local_endpoints, validate, admit, cache_lookup, route}) {
      Verdict v = stage(rq_, svc_);
      if (!v.goes_on()) return v;
    }
    return Verdict::go_on();
  }

  static std::string post(std::string_view path, std::string_view body,
                          std::string_view extra = "Content-Type: application/json\r\n") {
    return std::string("POST ") + std::string(path) + " HTTP/1.1\r\nHost: x\r\n" +
           std::string(extra) + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
           std::string(body);
  }

  std::shared_ptr<const config::Runtime> runtime_;
  simdjson::dom::parser json_;
  RequestIdSource ids_{42, 0};
  bool ready_ = true;
  ShardServices svc_;
  protocol::HttpRequestParser parser_{protocol::HttpLimits{16384, 100, 1 << 20}};
  std::string buffer_;
  RequestContext rq_;
};

TEST_F(Stages, ARoutableChatRequestGoesOnWithItsRoute) {
  const Verdict v =
      run(post("/v1/chat/completions",
               R"({"model":"fast","messages":[{"role":"user","content":"hi"}],"stream":true})"));
  EXPECT_TRUE(v.goes_on());
  ASSERT_NE(rq_.route.model, nullptr);
  EXPECT_EQ(rq_.route.model->name, "gpt-4o-mini");
  EXPECT_EQ(rq_.route.upstream->name, "up");
  EXPECT_EQ(rq_.route.requested_model, "fast");
  EXPECT_TRUE(rq_.route.client_wants_stream);
  EXPECT_EQ(rq_.front, protocol::ApiFront::kOpenAi);
}

TEST_F(Stages, RequestIdIsTheClientsWhenSaneElseMade) {
  run("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-ID: abc-123\r\n\r\n");
  EXPECT_EQ(rq_.request_id, "abc-123");
  run("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-ID: bad id\r\n\r\n");
  EXPECT_EQ(rq_.request_id.rfind("rg-", 0), 0u) << rq_.request_id;
}

TEST_F(Stages, LocalEndpointsAnswerWithoutRouting) {
  EXPECT_EQ(run("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").status(), 200);
  ready_ = false;
  EXPECT_EQ(run("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n").status(), 503);
  const Verdict models = run("GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(models.kind(), Verdict::Kind::kLocal);
  EXPECT_NE(models.body().find(R"("id":"fast")"), std::string_view::npos);
  const Verdict options = run("OPTIONS /v1/chat/completions HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(options.status(), 204);
  EXPECT_EQ(options.extra_headers(), kAllowAll);
}

// The model list is both APIs' path: the client's headers say which shape it gets.
TEST_F(Stages, ConfiguredModelsInTheClientsShape) {
  Verdict v = run("GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n\r\n");
  EXPECT_EQ(rq_.front, protocol::ApiFront::kOpenAi);
  EXPECT_NE(v.body().find(R"("object":"list")"), std::string_view::npos) << v.body();
  v = run("GET /v1/models HTTP/1.1\r\nHost: x\r\nanthropic-version: 2023-06-01\r\n\r\n");
  EXPECT_EQ(rq_.front, protocol::ApiFront::kAnthropic);
  EXPECT_NE(v.body().find(R"("has_more":false,"first_id":"gpt-4o-mini","last_id":"fast")"),
            std::string_view::npos)
      << v.body();
  v = run("GET /v1/models/fast HTTP/1.1\r\nHost: x\r\nx-api-key: k\r\n\r\n");
  EXPECT_EQ(v.kind(), Verdict::Kind::kLocal);
  EXPECT_NE(v.body().find(R"({"type":"model","id":"fast")"), std::string_view::npos) << v.body();
  v = run("GET /v1/models/gpt%2D4o-mini HTTP/1.1\r\nHost: x\r\n\r\n");  // percent-encoded
  EXPECT_NE(v.body().find(R"({"id":"gpt-4o-mini","object":"model")"), std::string_view::npos)
      << v.body();
  v = run("GET /v1/models/nope HTTP/1.1\r\nHost: x\r\nanthropic-version: 2023-06-01\r\n\r\n");
  ASSERT_EQ(v.kind(), Verdict::Kind::kError);
  EXPECT_EQ(v.api_error().status, 404);
  EXPECT_EQ(v.api_error().code, protocol::ErrorCode::kModelNotFound);
  EXPECT_EQ(rq_.front, protocol::ApiFront::kAnthropic);  // rendered in Anthropic's shape
  v = run("GET /v1/models?limit=0 HTTP/1.1\r\nHost: x\r\nanthropic-version: 1\r\n\r\n");
  EXPECT_EQ(v.api_error().status, 400);
}

TEST_F(Stages, EachRefusalIsAnApiErrorWithItsCode) {
  struct Case {
    std::string raw;
    int status;
    protocol::ErrorCode code;
  };
  const std::string chat = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})";
  for (
      const Case& c : std::initializer_list<Case>{
          {"GET /v1/../admin HTTP/1.1\r\nHost: x\r\n\r\n", 400,
           protocol::ErrorCode::kInvalidRequestTarget},
          {"TRACE /v1/models HTTP/1.1\r\nHost: x\r\n\r\n", 405,
           protocol::ErrorCode::kMethodNotAllowed},
          {"GET /v1/chat/completions HTTP/1.1\r\nHost: x\r\n\r\n", 405,
           protocol::ErrorCode::kMethodNotAllowed},
          {"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n", 404, protocol::ErrorCode::kNotFound},
          {post("/v1/chat/completions", chat, "Content-Type: text/plain\r\n"), 415,
           protocol::ErrorCode::kUnsupportedMediaType},
          {post("/v1/chat/completions", "{"), 400, protocol::ErrorCode::kInvalidRequestBody},
          {post("/v1/chat/completions", R"({"model":"nope","messages":[]})"), 404,
           protocol::ErrorCode::kModelNotFound},
          {post(
               "/v1/chat/completions",
               R"({"model":"gpt-4o-mini","max_tokens":101,"messages":[{"role":"user","content":"x"}]})"),
           400, protocol::ErrorCode::kMaxTokensExceeded},
          // seed-defect: 001-7 — the cap holds for the Responses API's max_output_tokens too.
          {post("/v1/responses", R"({"model":"gpt-4o-mini","max_output_tokens":101,"input":"x"})"),
           400, protocol::ErrorCode::kMaxTokensExceeded},
          {post("/v1/responses", R"({"model":"gpt-4o-mini","max_output_tokens":-1,"input":"x"})"),
           400, protocol::ErrorCode::kInvalidRequestBody},
          {"GET /v1/files HTTP/1.1\r\nHost: x\r\n\r\n", 404, protocol::ErrorCode::kNotFound},
      }) {
    const Verdict v = run(c.raw);
    ASSERT_EQ(v.kind(), Verdict::Kind::kError) << c.raw;
    EXPECT_EQ(v.api_error().status, c.status) << c.raw;
    EXPECT_EQ(v.api_error().code, c.code) << c.raw;
  }
}

TEST_F(Stages, AnthropicClientsAreTold) {
  run(post("/v1/messages", R"({"model":"nope","max_tokens":5,"messages":[]})"));
  EXPECT_EQ(rq_.front, protocol::ApiFront::kAnthropic);
}

// Anthropic's paths are Anthropic's, OpenAI's are OpenAI's; on the paths both serve or neither
// does, anthropic-version says it, with or without a body.
TEST_F(Stages, TheClientsApiFromThePathOrItsAnthropicVersion) {
  using protocol::ApiFront;
  const std::string version = "anthropic-version: 2023-06-01\r\n";
  struct Case {
    std::string target, headers;
    ApiFront front;
  } cases[] = {
      {"/v1/messages/batches", "", ApiFront::kAnthropic},
      {"/v1/messages/batches/b_1/results", "", ApiFront::kAnthropic},
      {"/v1/messages/count_tokens", "", ApiFront::kAnthropic},
      {"/v1/complete", "", ApiFront::kAnthropic},
      {"/v1/chat/completions", version, ApiFront::kOpenAi},
      {"/v1/chat/completions/chatcmpl-1", version, ApiFront::kOpenAi},
      {"/v1/responses/resp_1", version, ApiFront::kOpenAi},
      {"/v1/files", version, ApiFront::kAnthropic},
      {"/v1/files", "x-api-key: k\r\n", ApiFront::kOpenAi},
      {"/v1/models/claude-x", version, ApiFront::kAnthropic},
      {"/v1/models/gpt-4o", "", ApiFront::kOpenAi},
      {"/nowhere", version, ApiFront::kAnthropic},
      {"/v1/messagesx", "", ApiFront::kOpenAi},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.target + " " + c.headers);
    run("GET " + c.target + " HTTP/1.1\r\nHost: x\r\n" + c.headers + "\r\n");
    EXPECT_EQ(rq_.front, c.front);
    EXPECT_EQ(client_front(parser_.request()), c.front);
  }
}

// The JSON endpoints' bodies are capped by max_body_bytes, every other /v1 path's by
// max_upload_bytes.
TEST(UploadPaths, AreTheV1PathsThatAreNoJsonEndpoint) {
  for (std::string_view json :
       {"/v1/chat/completions", "/v1/messages", "/v1/messages/count_tokens", "/v1/embeddings",
        "/v1/completions", "/v1/responses", "/v1/complete", "/healthz", "/metrics"}) {
    EXPECT_FALSE(is_upload_path(json)) << json;
  }
  for (std::string_view upload : {"/v1/files", "/v1/files/f/content", "/v1/messages/batches",
                                  "/v1/audio/transcriptions", "/v1/models/x", "/v1/batches"}) {
    EXPECT_TRUE(is_upload_path(upload)) << upload;
  }
}

// Anthropic's count_tokens is its own endpoint: an Anthropic client's, routed by its model (the
// session answers it or forwards it by the upstream's format).
TEST_F(Stages, CountTokensIsRoutedAsAnAnthropicEndpoint) {
  const Verdict v = run(post("/v1/messages/count_tokens",
                             R"({"model":"fast","messages":[{"role":"user","content":"hi"}]})"));
  EXPECT_TRUE(v.goes_on());
  EXPECT_EQ(rq_.endpoint, Endpoint::kCountTokens);
  EXPECT_EQ(rq_.front, protocol::ApiFront::kAnthropic);
  ASSERT_NE(rq_.route.upstream, nullptr);
  EXPECT_EQ(rq_.route.upstream->name, "up");
}

constexpr std::string_view kKeysToml = R"(
[[upstreams]]
name = "up"
url = "http://127.0.0.1:9/v1"

[[models]]
name = "gpt-4o-mini"
upstream = "up"
aliases = ["fast"]

[[keys]]
id = "alice"
sha256 = "388c60dfd690528cd490e36381df91295e17905a4ee35daf081e2551315f7079"  # of kAliceKey
models = ["gpt-4o*"]
limits = { rpm = 1, tpm = 100000 }
)";
constexpr std::string_view kAliceKey = "rg-test-key-0123456789abcdefghijklmnopqrstuvw";

TEST_F(Stages, AdmitFindsTheKeyByCanonicalModelAndSaysItsLimits) {
  runtime_ = load(kKeysToml);
  ASSERT_TRUE(runtime_);
  const std::string body = R"({"model":"fast","messages":[{"role":"user","content":"hi"}]})";
  const Verdict missing = run(post("/v1/chat/completions", body));
  ASSERT_EQ(missing.kind(), Verdict::Kind::kError);
  EXPECT_EQ(missing.api_error().status, 401);
  EXPECT_TRUE(rq_.auth_failed);

  const std::string auth =
      "Content-Type: application/json\r\nAuthorization: Bearer " + std::string(kAliceKey) + "\r\n";
  EXPECT_TRUE(run(post("/v1/chat/completions", body, auth)).goes_on());
  EXPECT_EQ(rq_.key_id, "alice");
  EXPECT_TRUE(rq_.ticket.active());
  EXPECT_NE(rq_.response_headers.find("x-ratelimit-remaining-requests: 0\r\n"), std::string::npos)
      << rq_.response_headers;
  EXPECT_TRUE(rq_.gateway_rate_limits);               // so the upstream's own stay behind
  rq_.runtime->gatekeeper()->settle(rq_.ticket, {});  // what the completion point does

  const Verdict second = run(post("/v1/chat/completions", body, auth));
  ASSERT_EQ(second.kind(), Verdict::Kind::kError);
  EXPECT_EQ(second.api_error().status, 429);
  EXPECT_NE(rq_.response_headers.find("Retry-After: "), std::string::npos);
}

TEST_F(Stages, MetricsAreServedInOpenAccessAsPrometheusText) {
  bool open_access = false;
  svc_.scrape_metrics = [&open_access](bool open, std::string& out) {
    open_access = open;
    out.append("ringgate_open_access 1\n");
  };
  const Verdict v = run("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(v.kind(), Verdict::Kind::kLocal);
  EXPECT_EQ(v.status(), 200);
  EXPECT_EQ(v.content_type(), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(v.body(), "ringgate_open_access 1\n");
  EXPECT_TRUE(open_access);
  EXPECT_EQ(run(post("/metrics", "")).status(), 405);
}

TEST_F(Stages, MetricsNeedTheAdminKeyWhenOneIsSet) {
  constexpr const char* kAdmin = "rg-stage-admin-0123456789abcdefghijKLMNOP";
  setenv("RINGGATE_STAGES_ADMIN_KEY", kAdmin, 1);
  runtime_ =
      load(std::string(kToml) + "[metrics]\nadmin_key = \"env:RINGGATE_STAGES_ADMIN_KEY\"\n");
  unsetenv("RINGGATE_STAGES_ADMIN_KEY");
  ASSERT_TRUE(runtime_);
  svc_.scrape_metrics = [](bool, std::string& out) { out.append("x 1\n"); };
  auto get = [this](std::string_view headers) {
    return run("GET /metrics HTTP/1.1\r\nHost: x\r\n" + std::string(headers) + "\r\n");
  };
  EXPECT_EQ(get("").status(), 401);
  EXPECT_EQ(get("Authorization: Bearer rg-stage-admin-0123456789abcdefghijKLMNOp\r\n").status(),
            401);
  EXPECT_EQ(get("Authorization: Bearer " + std::string(kAdmin) + "x\r\n").status(), 401);
  EXPECT_EQ(get("X-Api-Key: " + std::string(kAdmin) + "\r\n").status(), 401);
  const Verdict ok = get("Authorization: Bearer " + std::string(kAdmin) + "\r\n");
  EXPECT_EQ(ok.status(), 200);
  EXPECT_EQ(ok.body(), "x 1\n");
}

TEST_F(Stages, MetricsAreClosedWithKeysAndNoAdminKey) {
  runtime_ = load(kKeysToml);
  ASSERT_TRUE(runtime_);
  const Verdict v = run("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(v.kind(), Verdict::Kind::kError);
  EXPECT_EQ(v.api_error().status, 403);
  EXPECT_NE(v.api_error().message.find("admin_key"), std::string::npos);
}

TEST_F(Stages, TheConsolePageIsServedWithoutAKeyAtItsOwnPathsOnly) {
  runtime_ = load(kKeysToml);  // clients must present keys; the page still needs none
  ASSERT_TRUE(runtime_);
  auto get = [this](std::string_view method, std::string_view path) {
    return run(std::string(method) + " " + std::string(path) + " HTTP/1.1\r\nHost: x\r\n\r\n");
  };
  for (std::string_view path : {"/admin", "/admin/"}) {
    for (std::string_view method : {"GET", "HEAD"}) {
      const Verdict v = get(method, path);
      ASSERT_EQ(v.kind(), Verdict::Kind::kLocal) << method << " " << path;
      EXPECT_EQ(v.status(), 200);
      EXPECT_EQ(v.content_type(), "text/html; charset=utf-8");
      EXPECT_TRUE(v.body().starts_with("<!doctype html>"));
      EXPECT_NE(v.extra_headers().find("Cache-Control: no-store\r\n"), std::string::npos);
      EXPECT_NE(v.extra_headers().find("Content-Security-Policy: default-src 'self';"),
                std::string::npos);
    }
  }
  EXPECT_EQ(get("GET", "/admin/console.js").content_type(), "text/javascript; charset=utf-8");
  EXPECT_EQ(get("GET", "/admin/console.css").content_type(), "text/css; charset=utf-8");
  const Verdict post_page = run(post("/admin/", "{}"));
  EXPECT_EQ(post_page.status(), 405);
  EXPECT_EQ(post_page.extra_headers(), "Allow: GET, HEAD\r\n");
  // The rest of /admin/ is the admin API's (index.html has the one address /admin/).
  for (std::string_view path : {"/admin/overview", "/admin/index.html", "/admin/console.js/x",
                                "/adminx", "/admin//", "/v1/admin/"}) {
    EXPECT_NE(get("GET", path).kind(), Verdict::Kind::kLocal) << path;
  }
}

TEST_F(Stages, AdminViewsAreRoutedBehindTheAdminKey) {
  constexpr const char* kAdmin = "rg-stage-admin-0123456789abcdefghijKLMNOP";
  EXPECT_EQ(run("GET /admin/overview HTTP/1.1\r\nHost: x\r\n\r\n").status(), 403);  // none set
  setenv("RINGGATE_STAGES_ADMIN_KEY", kAdmin, 1);
  runtime_ =
      load(std::string(kToml) + "[metrics]\nadmin_key = \"env:RINGGATE_STAGES_ADMIN_KEY\"\n");
  unsetenv("RINGGATE_STAGES_ADMIN_KEY");
  ASSERT_TRUE(runtime_);
  std::vector<AdminView> asked;
  svc_.admin_view = [&asked](AdminView v, const protocol::AdminQuery& q, std::string& out) {
    asked.push_back(v);
    out.append("{\"limit\":").append(std::to_string(q.limit)).append("}");
  };
  const std::string auth = "Authorization: Bearer " + std::string(kAdmin) + "\r\n";
  auto get = [this](std::string_view path, std::string_view headers) {
    return run("GET " + std::string(path) + " HTTP/1.1\r\nHost: x\r\n" + std::string(headers) +
               "\r\n");
  };
  EXPECT_EQ(get("/admin/overview", "").status(), 401);
  EXPECT_EQ(get("/admin/nope", "").status(), 401);  // auth first: no view list for strangers
  EXPECT_EQ(get("/admin/nope", auth).status(), 404);
  EXPECT_EQ(get("/admin/requests?limit=0", auth).status(), 400);
  const Verdict ok = get("/admin/requests?limit=7", auth);
  EXPECT_EQ(ok.status(), 200);
  EXPECT_EQ(ok.body(), "{\"limit\":7}");
  EXPECT_EQ(ok.extra_headers(), "Cache-Control: no-store\r\n");
  for (std::string_view path :
       {"/admin/overview", "/admin/keys", "/admin/teams", "/admin/deployments", "/admin/cache"}) {
    EXPECT_EQ(get(path, auth).status(), 200);
  }
  EXPECT_EQ(asked, (std::vector<AdminView>{AdminView::kRequests, AdminView::kOverview,
                                           AdminView::kKeys, AdminView::kTeams,
                                           AdminView::kDeployments, AdminView::kCache}));
  // The console page's paths are not the API: they answer the page, and ask no view.
  EXPECT_EQ(get("/admin/", auth).content_type(), "text/html; charset=utf-8");
  EXPECT_EQ(get("/admin/console.js", auth).content_type(), "text/javascript; charset=utf-8");
  EXPECT_EQ(asked.size(), 6u);
  svc_.admin_ledger = true;  // the session runs it on the ledger and replaces this verdict
  const Verdict parked = get("/admin/requests?key=alice", auth);
  EXPECT_TRUE(rq_.admin_ledger_pending);
  EXPECT_EQ(rq_.admin_query.key, "alice");
  EXPECT_EQ(parked.status(), 503);
}

TEST_F(Stages, AdmitKeepsItsRefusalForTheCompletionPoint) {
  runtime_ = load(kKeysToml);
  ASSERT_TRUE(runtime_);
  const std::string body = R"({"model":"fast","messages":[{"role":"user","content":"hi"}]})";
  run(post("/v1/chat/completions", body));
  EXPECT_EQ(rq_.refusal.kind, admission::RefusalKind::kMissingKey);
  rq_.reset();
  EXPECT_EQ(rq_.refusal.kind, admission::RefusalKind::kNone);
}

TEST_F(Stages, TheCacheStageMissesThenReplaysInTheClientsMode) {
  runtime_ = load(std::string("[cache]\nenabled = true\n") + std::string(kToml));
  ASSERT_TRUE(runtime_);
  cache::ExactCache store(cache::ExactCacheLimits{});
  svc_.exact_cache = &store;
  const std::string body =
      R"({"model":"fast","temperature":0,"messages":[{"role":"user","content":"hi"}]})";
  EXPECT_TRUE(run(post("/v1/chat/completions", body)).goes_on());
  EXPECT_EQ(rq_.cache.result, RequestContext::CacheStep::Result::kMiss);
  EXPECT_TRUE(rq_.cache.store);
  EXPECT_EQ(rq_.cache.scope, "anonymous");
  EXPECT_NE(rq_.response_headers.find("x-ringgate-cache: miss\r\n"), std::string::npos);
  cache::StoredAnswer answer;
  answer.body = R"({"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o-mini",)"
                R"("choices":[{"index":0,"message":{"role":"assistant","content":"Paris."},)"
                R"("finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,)"
                R"("total_tokens":5}})";
  ASSERT_TRUE(store.put(rq_.cache.key, rq_.cache.scope, std::move(answer), 0, int64_t(1) << 60));

  Verdict v = run(post("/v1/chat/completions", body));
  ASSERT_EQ(v.kind(), Verdict::Kind::kLocal);
  EXPECT_EQ(v.content_type(), "application/json");
  EXPECT_NE(v.body().find("Paris."), std::string_view::npos);
  EXPECT_NE(v.body().find(R"("model":"fast")"), std::string_view::npos);  // the client's name
  EXPECT_NE(rq_.response_headers.find("x-ringgate-cache: hit\r\n"), std::string::npos);
  EXPECT_EQ(rq_.cache.result, RequestContext::CacheStep::Result::kHit);

  // The same prompt streamed: the key ignores "stream", the replay speaks SSE.
  const std::string streamed =
      R"({"model":"gpt-4o-mini","stream":true,"temperature":0,"messages":[{"role":"user","content":"hi"}]})";
  v = run(post("/v1/chat/completions", streamed));
  ASSERT_EQ(v.kind(), Verdict::Kind::kLocal);
  EXPECT_EQ(v.content_type(), "text/event-stream");
  EXPECT_TRUE(v.body().ends_with("data: [DONE]\n\n"));

  // Policy and headers: no temperature, or x-ringgate-cache: no, bypass and never read.
  EXPECT_TRUE(run(post("/v1/chat/completions",
                       R"({"model":"fast","messages":[{"role":"user","content":"hi"}]})"))
                  .goes_on());
  EXPECT_EQ(rq_.cache.result, RequestContext::CacheStep::Result::kBypass);
  EXPECT_TRUE(run(post("/v1/chat/completions", body,
                       "Content-Type: application/json\r\nx-ringgate-cache: NO\r\n"))
                  .goes_on());
  EXPECT_EQ(rq_.cache.result, RequestContext::CacheStep::Result::kBypass);
  EXPECT_FALSE(rq_.cache.store);
}

// An embedder that only answers submit(), as the remote one: the stage leaves it to the session.
class AsyncOnlyEmbedder final : public cache::Embedder {
 public:
  size_t dim() const override { return 384; }
  const std::string& name() const override { return name_; }
  bool inline_embedder() const override { return false; }
  bool embed_now(std::string_view, std::span<float>) override { return false; }

 private:
  std::string name_ = "async-test";
};

// seed-defect: 000-M4
TEST_F(Stages, TheSemanticLookupAnswersARetypedPromptAndLeavesARemoteEmbedderToTheSession) {
  runtime_ = load(std::string("[cache]\nenabled = true\n[cache.semantic]\nenabled = true\n"
                              "default_threshold = 0.9\n") +
                  std::string(kToml));
  ASSERT_TRUE(runtime_);
  cache::ExactCache store(cache::ExactCacheLimits{});
  cache::SemanticCache semantic(cache::SemanticCacheLimits{});
  cache::LocalEmbedder local;
  svc_.exact_cache = &store;
  svc_.semantic = &semantic;
  svc_.embedder = &local;
  const auto chat = [](std::string_view content) {
    return std::string(
               R"({"model":"fast","temperature":0,"messages":[{"role":"user","content":")") +
           std::string(content) + R"("}]})";
  };
  EXPECT_TRUE(run(post("/v1/chat/completions", chat("What is the capital of France?"))).goes_on());
  EXPECT_EQ(rq_.cache.result, RequestContext::CacheStep::Result::kMiss);
  ASSERT_EQ(rq_.cache.vector.size(), 384u);
  EXPECT_EQ(rq_.cache.semantic_ns.model, "gpt-4o-mini");  // the canonical name, not the alias
  cache::StoredAnswer answer;
  answer.body = R"({"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o-mini",)"
                R"("choices":[{"index":0,"message":{"role":"assistant","content":"Paris."},)"
                R"("finish_reason":"stop"}]})";
  ASSERT_TRUE(store.put(rq_.cache.key, rq_.cache.scope, std::move(answer), 0, int64_t(1) << 60));
  ASSERT_TRUE(semantic.insert(rq_.cache.semantic_ns, rq_.cache.vector, rq_.cache.key,
                              cache::steady_now_ms()));

  Verdict v = run(post("/v1/chat/completions", chat("what is the capital of france")));
  ASSERT_EQ(v.kind(), Verdict::Kind::kLocal);
  EXPECT_NE(v.body().find("Paris."), std::string_view::npos);
  EXPECT_NE(rq_.response_headers.find("x-ringgate-cache: semantic\r\n"), std::string::npos);
  EXPECT_EQ(rq_.cache.result, RequestContext::CacheStep::Result::kSemantic);
  EXPECT_FALSE(rq_.cache.store);

  EXPECT_TRUE(
      run(post("/v1/chat/completions", chat("List three prime numbers above forty"))).goes_on());
  EXPECT_EQ(rq_.cache.result, RequestContext::CacheStep::Result::kMiss);
  EXPECT_EQ(semantic.stats().near_misses, 1u);

  AsyncOnlyEmbedder remote;
  svc_.embedder = &remote;
  EXPECT_TRUE(run(post("/v1/chat/completions", chat("what is the capital of france"))).goes_on());
  EXPECT_TRUE(rq_.cache.semantic_pending);
  EXPECT_EQ(rq_.cache.semantic_text, "user: what is the capital of france\n");
  // Neither miss said nor a flight joined yet: the session does both after the embedding.
  EXPECT_EQ(rq_.response_headers.find("x-ringgate-cache"), std::string::npos);
  EXPECT_FALSE(rq_.cache.lease.flight);
}

TEST_F(Stages, TheCacheStageIsSilentWhenOffOrNotAGeneration) {
  cache::ExactCache store(cache::ExactCacheLimits{});
  svc_.exact_cache = &store;
  const std::string body =
      R"({"model":"fast","temperature":0,"messages":[{"role":"user","content":"hi"}]})";
  EXPECT_TRUE(run(post("/v1/chat/completions", body)).goes_on());  // [cache] enabled = false
  EXPECT_EQ(rq_.cache.result, RequestContext::CacheStep::Result::kNone);
  EXPECT_EQ(rq_.response_headers.find("x-ringgate-cache"), std::string::npos);
  runtime_ = load(std::string("[cache]\nenabled = true\n") + std::string(kToml));
  ASSERT_TRUE(runtime_);
  run(post("/v1/embeddings", R"({"model":"fast","input":"hi"})"));
  EXPECT_EQ(rq_.cache.result, RequestContext::CacheStep::Result::kNone);
}

}  // namespace
}  // namespace ringgate::pipeline
