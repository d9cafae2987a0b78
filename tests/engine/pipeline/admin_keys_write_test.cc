// POST /admin/keys and DELETE /admin/keys/{id} on the shard: the admin key rules, bad bodies,
// config keys, a missing store, and a parked change answered by the store, all without a ring.
#include "engine/pipeline/admin_keys_write.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "engine/admission/gatekeeper.h"
#include "engine/config/config.h"
#include "engine/pipeline/stages.h"

namespace ringgate::pipeline {
namespace {

constexpr const char* kAdmin = "rg-admin-keys-test-0123456789abcdefghijKLMNOP";

constexpr std::string_view kToml = R"(
[[upstreams]]
name = "up"
url = "http://127.0.0.1:9/v1"

[[models]]
name = "gpt-4o-mini"
upstream = "up"

[[teams]]
name = "eng"

[[keys]]
id = "alice"
sha256 = "388c60dfd690528cd490e36381df91295e17905a4ee35daf081e2551315f7079"
)";

// Records what the stage hands over; answers only when told to.
class FakeWriter final : public KeyWriter {
 public:
  bool submit(KeyChange change, std::shared_ptr<KeyChangeWaiter> w) override {
    changes.push_back(std::move(change));
    waiter = std::move(w);
    return accept;
  }
  bool accept = true;
  std::vector<KeyChange> changes;
  std::shared_ptr<KeyChangeWaiter> waiter;
};

class AdminKeysWrite : public ::testing::Test {
 protected:
  void SetUp() override { runtime_ = load(true); }

  static std::shared_ptr<const config::Runtime> load(bool admin_key) {
    setenv("RINGGATE_ADMIN_KEYS_TEST_KEY", kAdmin, 1);
    config::ConfigError err;
    auto c = config::load_config_string(
        std::string(kToml) +
            (admin_key ? "[metrics]\nadmin_key = \"env:RINGGATE_ADMIN_KEYS_TEST_KEY\"\n" : ""),
        "t.toml", err);
    unsetenv("RINGGATE_ADMIN_KEYS_TEST_KEY");
    EXPECT_TRUE(c) << err.message;
    if (!c) return nullptr;
    std::string why;
    std::shared_ptr<config::Runtime> rt = config::Runtime::build(std::move(*c), why);
    if (rt) rt->attach(admission::Gatekeeper::build(rt->config(), nullptr));
    return rt;
  }

  Verdict run(std::string_view method, std::string_view path, std::string_view body = {},
              std::string auth = std::string("Authorization: Bearer ") + kAdmin + "\r\n") {
    buffer_ = std::string(method) + " " + std::string(path) + " HTTP/1.1\r\nHost: x\r\n" + auth +
              "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
              "\r\n\r\n" + std::string(body);
    parser_.reset();
    EXPECT_EQ(parser_.parse(buffer_), protocol::ParseStatus::kComplete);
    rq_.reset();
    rq_.http = &parser_.request();
    rq_.runtime = runtime_;
    svc_.json = &json_;
    svc_.request_ids = &ids_;
    Verdict v = identify(rq_, svc_);
    return v.goes_on() ? local_endpoints(rq_, svc_) : v;
  }

  std::shared_ptr<const config::Runtime> runtime_;
  simdjson::dom::parser json_;
  RequestIdSource ids_{42, 0};
  ShardServices svc_;
  protocol::HttpRequestParser parser_{protocol::HttpLimits{16384, 100, 1 << 20}};
  std::string buffer_;
  RequestContext rq_;
  FakeWriter writer_;
};

TEST_F(AdminKeysWrite, NeedsAConfiguredAndPresentedAdminKey) {
  svc_.key_writer = &writer_;
  Verdict v = run("POST", "/admin/keys", R"({"id":"bob"})", "");
  EXPECT_EQ(v.status(), 401);
  EXPECT_EQ(v.api_error().code, protocol::ErrorCode::kInvalidApiKey);
  EXPECT_EQ(run("DELETE", "/admin/keys/bob", {}, "Authorization: Bearer nope\r\n").status(), 401);
  runtime_ = load(false);
  v = run("POST", "/admin/keys", R"({"id":"bob"})");
  EXPECT_EQ(v.status(), 403);
  EXPECT_EQ(v.api_error().code, protocol::ErrorCode::kConfigurationError);
  EXPECT_TRUE(writer_.changes.empty());
}

TEST_F(AdminKeysWrite, RefusesBadBodiesUnknownTeamsAndConfigKeys) {
  svc_.key_writer = &writer_;
  EXPECT_EQ(run("POST", "/admin/keys", "{").status(), 400);
  const Verdict team = run("POST", "/admin/keys", R"({"id":"bob","team":"ops"})");
  EXPECT_EQ(team.status(), 400);
  EXPECT_EQ(team.api_error().param, "team");
  EXPECT_EQ(run("POST", "/admin/keys", R"({"id":"alice"})").status(), 409);
  EXPECT_EQ(run("DELETE", "/admin/keys/alice").status(), 409);
  EXPECT_EQ(run("DELETE", "/admin/keys/a%2Fb").status(), 404);
  EXPECT_TRUE(writer_.changes.empty());
}

TEST_F(AdminKeysWrite, AnswersUnavailableWithoutAStoreOrWhenItIsFull) {
  EXPECT_EQ(run("POST", "/admin/keys", R"({"id":"bob"})").status(), 503);
  svc_.key_writer = &writer_;
  writer_.accept = false;
  EXPECT_EQ(run("POST", "/admin/keys", R"({"id":"bob"})").status(), 503);
  EXPECT_FALSE(rq_.key_change);
}

TEST_F(AdminKeysWrite, ParksTheChangeUntilTheStoreAnswers) {
  svc_.key_writer = &writer_;
  int wakes = 0;
  svc_.wake = [&wakes] { ++wakes; };
  Verdict v = run("POST", "/admin/keys", R"({"id":"bob","team":"eng","expires_at":4102444800})");
  EXPECT_TRUE(v.goes_on());
  ASSERT_TRUE(rq_.key_change);
  ASSERT_EQ(writer_.changes.size(), 1u);
  EXPECT_FALSE(writer_.changes[0].revoke);
  EXPECT_EQ(writer_.changes[0].id, "bob");
  EXPECT_EQ(writer_.changes[0].team, "eng");
  EXPECT_EQ(writer_.changes[0].expires_at.value_or(0), 4102444800);
  EXPECT_FALSE(rq_.key_change->done());
  writer_.waiter->deliver({201, R"({"id":"bob"})", {}});
  EXPECT_EQ(wakes, 1);
  v = admin_keys_written(rq_);
  EXPECT_EQ(v.status(), 201);
  EXPECT_EQ(v.body(), R"({"id":"bob"})");
  EXPECT_NE(v.extra_headers().find("no-store"), std::string_view::npos);
  EXPECT_FALSE(rq_.key_change);

  v = run("DELETE", "/admin/keys/bob");
  ASSERT_TRUE(rq_.key_change);
  EXPECT_TRUE(writer_.changes.back().revoke);
  // The store never answered: the request gives up with a 503, and a late answer wakes nobody.
  v = admin_keys_written(rq_);
  EXPECT_EQ(v.status(), 503);
  writer_.waiter->deliver({200, "{}", {}});
  EXPECT_EQ(wakes, 1);
}

}  // namespace
}  // namespace ringgate::pipeline
