#include "cache/canonical_request.h"

#include <gtest/gtest.h>

#include <string>

namespace ringgate::cache {
namespace {

CanonicalRequest request(std::string_view body, std::string_view scope = "team-a",
                         std::string_view model = "gpt-4o") {
  return CanonicalRequest{scope, "openai", "/v1/chat/completions", model, body};
}

CacheKey key_of(const CanonicalRequest& r) {
  auto result = canonical_request_key(r);
  EXPECT_TRUE(result.has_value());
  return result ? result->key : CacheKey{};
}

constexpr std::string_view kBody =
    R"({"model":"x","messages":[{"role":"user","content":"hi"}],"temperature":0,"max_tokens":5})";

TEST(CanonicalRequest, KeyOrderAndWhitespaceDoNotMatter) {
  const auto a = key_of(request(kBody));
  const auto b = key_of(request(
      R"( { "max_tokens" : 5 , "temperature":0,
          "messages":[ {"content":"hi", "role":"user"} ] ,"model":"y" } )"));
  EXPECT_EQ(a, b);
}

TEST(CanonicalRequest, NumbersAndEscapesAreCanonical) {
  const auto a = key_of(request(R"({"temperature":1,"messages":["A"]})"));
  EXPECT_EQ(a, key_of(request(R"({"temperature":1.0,"messages":["\u0041"]})")));
  EXPECT_EQ(a, key_of(request(R"({"temperature":1e0,"messages":["A"]})")));
  EXPECT_NE(a, key_of(request(R"({"temperature":1.5,"messages":["A"]})")));
  EXPECT_NE(a, key_of(request(R"({"temperature":"1","messages":["A"]})")));
  EXPECT_EQ(key_of(request(R"({"x":-0.0})")), key_of(request(R"({"x":0})")));
}

TEST(CanonicalRequest, AnswerChangingFieldsChangeTheKey) {
  const auto base = key_of(request(kBody));
  for (
      std::string_view body : {
          R"({"messages":[{"role":"user","content":"hi!"}],"temperature":0,"max_tokens":5})",
          R"({"messages":[{"role":"user","content":"hi"}],"temperature":0,"max_tokens":6})",
          R"({"messages":[{"role":"user","content":"hi"}],"temperature":0,"max_tokens":5,"seed":1})",
          R"({"messages":[{"role":"user","content":"hi"}],"temperature":0,"max_tokens":5,"tools":[]})",
          R"({"messages":[{"role":"user","content":"hi"}],"temperature":0,"max_tokens":5,"future_field":true})",
      }) {
    EXPECT_NE(base, key_of(request(body))) << body;
  }
}

TEST(CanonicalRequest, IgnoredFieldsDoNotChangeTheKey) {
  const auto base = key_of(request(kBody));
  const auto other = key_of(request(
      R"({"model":"z","messages":[{"role":"user","content":"hi"}],"temperature":0,"max_tokens":5,
          "stream":true,"stream_options":{"include_usage":true},"user":"u","metadata":{"a":"b"},
          "store":false,"service_tier":"auto","safety_identifier":"s","prompt_cache_key":"k"})"));
  EXPECT_EQ(base, other);
  EXPECT_EQ(ignored_fields().size(), 10u);
  // Only at the top level: a nested "stream" is content.
  EXPECT_NE(key_of(request(R"({"messages":[{"stream":1}]})")),
            key_of(request(R"({"messages":[{}]})")));
}

TEST(CanonicalRequest, ScopeModelFrontAndEndpointAreLengthPrefixed) {
  EXPECT_NE(key_of(request(kBody, "ab", "c")), key_of(request(kBody, "a", "bc")));
  EXPECT_NE(key_of(request(kBody, "team-a")), key_of(request(kBody, "team-b")));
  EXPECT_NE(key_of(request(kBody, "t", "gpt-4o")), key_of(request(kBody, "t", "gpt-4o-mini")));
  auto anthropic = request(kBody);
  anthropic.front = "anthropic";
  EXPECT_NE(key_of(request(kBody)), key_of(anthropic));
  auto endpoint = request(kBody);
  endpoint.endpoint = "/v1/completions";
  EXPECT_NE(key_of(request(kBody)), key_of(endpoint));
  // Strings and containers are length-prefixed too.
  EXPECT_NE(key_of(request(R"({"a":["ab","c"]})")), key_of(request(R"({"a":["a","bc"]})")));
}

TEST(CanonicalRequest, RejectsWhatHasNoSingleMeaning) {
  EXPECT_FALSE(canonical_request_key(request("")));
  EXPECT_FALSE(canonical_request_key(request("[1,2]")));
  EXPECT_FALSE(canonical_request_key(request(R"({"a":1,"a":2})")));
  EXPECT_FALSE(canonical_request_key(request(R"({"a":{"b":1,"b":1}})")));
  EXPECT_FALSE(canonical_request_key(request(R"({"a":1)")));
  std::string deep = R"({"a":)";
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  deep += "}";
  EXPECT_FALSE(canonical_request_key(request(deep)));
}

TEST(CanonicalRequest, ReportsTemperatureAndHex) {
  auto r = canonical_request_key(request(R"({"temperature":0.0})"));
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->temperature);
  EXPECT_EQ(*r->temperature, 0);
  EXPECT_EQ(r->key.hex().size(), 64u);
  EXPECT_FALSE(canonical_request_key(request(R"({"temperature":"0"})"))->temperature);
  EXPECT_FALSE(canonical_request_key(request("{}"))->temperature);
}

TEST(CacheDecision, PolicyAndHeaders) {
  const CacheRequestHeaders none;
  EXPECT_FALSE(decide_cache(CachePolicy::kNever, 0.0, none).lookup);
  EXPECT_EQ(decide_cache(CachePolicy::kNever, 0.0, none).header, "bypass");
  auto zero = decide_cache(CachePolicy::kTemperatureZero, 0.0, none);
  EXPECT_TRUE(zero.lookup && zero.store);
  EXPECT_EQ(zero.header, "");
  EXPECT_FALSE(decide_cache(CachePolicy::kTemperatureZero, std::nullopt, none).store);
  EXPECT_FALSE(decide_cache(CachePolicy::kTemperatureZero, 0.2, none).store);
  EXPECT_TRUE(decide_cache(CachePolicy::kAlways, 0.7, none).lookup);

  auto off = decide_cache(CachePolicy::kAlways, std::nullopt, {" No ", ""});
  EXPECT_FALSE(off.lookup || off.store);
  EXPECT_EQ(off.header, "bypass");
  auto no_store = decide_cache(CachePolicy::kAlways, std::nullopt, {"", "max-age=0, NO-STORE"});
  EXPECT_FALSE(no_store.lookup || no_store.store);
  auto no_cache = decide_cache(CachePolicy::kAlways, std::nullopt, {"", "no-cache"});
  EXPECT_FALSE(no_cache.lookup);
  EXPECT_TRUE(no_cache.store);
  EXPECT_EQ(no_cache.header, "bypass");
  EXPECT_TRUE(decide_cache(CachePolicy::kAlways, std::nullopt, {"yes", "no-cachex"}).lookup);
}

TEST(CacheDecision, ParsesPolicyNames) {
  EXPECT_EQ(parse_cache_policy("never"), CachePolicy::kNever);
  EXPECT_EQ(parse_cache_policy("temperature_zero"), CachePolicy::kTemperatureZero);
  EXPECT_EQ(parse_cache_policy("always"), CachePolicy::kAlways);
  EXPECT_FALSE(parse_cache_policy("Always"));
}

}  // namespace
}  // namespace ringgate::cache
