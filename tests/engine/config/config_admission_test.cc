// The admission part of the config file: [auth], [[teams]], [[keys]], [anonymous], [cors],
// [server] trusted_proxies and [[models]] price and limits. Every problem names file:line:column.
#include <gtest/gtest.h>

#include <string>

#include "engine/config/config.h"
#include "engine/config/key_material.h"
#include "tests/engine/config/config_test_util.h"

namespace ringgate::config {
namespace {

using testing::load_error_as_written;

constexpr std::string_view kAlice =
    "6c63c652df382e1540b7de1bf8359c249a60e9bd22618338032ce7286cd8a06a";
constexpr std::string_view kBob =
    "ce78862012f49cfb89ca7f6ec949ea59df8db5e55f751a791cda8fa61b44003b";

// Routing only, at the top so the lines of what follows are counted from line 7.
constexpr std::string_view kRouting = R"([[upstreams]]
name = "mock"
url = "http://127.0.0.1:9099/v1"
[[models]]
name = "m"
upstream = "mock"
)";

std::string routed(std::string_view rest) { return std::string(kRouting) + std::string(rest); }

std::string key_entry(std::string_view id, std::string_view sha) {
  return "[[keys]]\nid = \"" + std::string(id) + "\"\nsha256 = \"" + std::string(sha) + "\"\n";
}

Config load_ok(const std::string& toml) {
  ConfigError err;
  auto config = load_config_string(toml, "t.toml", err);
  EXPECT_TRUE(config.has_value()) << err.message << "\nfor:\n" << toml;
  return config ? *config : Config{};
}

std::string load_error(const std::string& toml) { return load_error_as_written(toml); }

TEST(ConfigAdmission, EveryFieldIsRead) {
  Config c = load_ok(std::string(R"(
[auth]
mode = "keys"
[server]
trusted_proxies = ["10.0.0.0/8", "::1", "192.168.1.7"]
[cors]
allowed_origins = ["https://app.example.com", "http://localhost:3000"]
[[teams]]
name = "research"
limits = { rpm = 600, tpm = 200000, rpd = 20000, concurrent = 50, rph = 1000, tph = 3000000, tpd = 9000000 }
budget = { daily_usd = 50, monthly_usd = 1000.5, total_usd = 0.1 }
[[keys]]
id = "alice-laptop"
sha256 = ")") + std::string(kAlice) +
                     R"("
team = "research"
models = ["gpt-4o*", "claude-*"]
limits = { rpm = 60, tpm = 100000, concurrent = 4 }
budget = { daily_usd = 5, total_usd = 100 }
allow_modelless_paths = true
[anonymous]
models = ["free-*"]
limits_per_address = { rpm = 10, rpd = 200 }
[[upstreams]]
name = "mock"
url = "http://127.0.0.1:9099/v1"
[[models]]
name = "gpt-4o"
upstream = "mock"
price = { input_per_mtok = 2.50, output_per_mtok = 10.00, cached_input_per_mtok = 1.25, cache_write_per_mtok = 3.75 }
limits = { rpm = 3000, tpm = 2000000 }
)");
  const Admission& a = c.admission;
  EXPECT_EQ(a.mode, AuthMode::kKeys);
  ASSERT_EQ(a.trusted_proxies.size(), 3u);
  EXPECT_EQ(a.trusted_proxies[0].prefix_len, 8);
  EXPECT_TRUE(a.trusted_proxies[1].v6);
  EXPECT_EQ(a.trusted_proxies[2].prefix_len, 32);
  EXPECT_EQ(a.cors.allowed_origins,
            (std::vector<std::string>{"https://app.example.com", "http://localhost:3000"}));

  ASSERT_EQ(a.teams.size(), 1u);
  const Team& t = a.teams[0];
  EXPECT_EQ(t.name, "research");
  EXPECT_EQ(t.limits.rpm, 600u);
  EXPECT_EQ(t.limits.rph, 1000u);
  EXPECT_EQ(t.limits.rpd, 20000u);
  EXPECT_EQ(t.limits.tpm, 200000u);
  EXPECT_EQ(t.limits.tph, 3000000u);
  EXPECT_EQ(t.limits.tpd, 9000000u);
  EXPECT_EQ(t.limits.concurrent, 50u);
  EXPECT_EQ(t.budget.daily_micros, 50'000'000);
  EXPECT_EQ(t.budget.monthly_micros, 1'000'500'000);
  EXPECT_EQ(t.budget.total_micros, 100'000);  // 0.1, exactly

  ASSERT_EQ(a.keys.size(), 1u);
  const VirtualKey& k = a.keys[0];
  EXPECT_EQ(k.id, "alice-laptop");
  EXPECT_EQ(k.sha256, sha256("rg-alice"));
  EXPECT_EQ(k.team, "research");
  EXPECT_EQ(k.models, (std::vector<std::string>{"gpt-4o*", "claude-*"}));
  EXPECT_EQ(k.limits.rpm, 60u);
  EXPECT_EQ(k.limits.tpm, 100000u);
  EXPECT_EQ(k.limits.concurrent, 4u);
  EXPECT_EQ(k.limits.rph, 0u);
  EXPECT_EQ(k.budget.daily_micros, 5'000'000);
  EXPECT_EQ(k.budget.monthly_micros, 0);
  EXPECT_EQ(k.budget.total_micros, 100'000'000);
  EXPECT_TRUE(k.allow_modelless_paths);

  EXPECT_TRUE(a.anonymous.enabled);
  EXPECT_EQ(a.anonymous.models, std::vector<std::string>{"free-*"});
  EXPECT_EQ(a.anonymous.limits_per_address.rpm, 10u);
  EXPECT_EQ(a.anonymous.limits_per_address.rpd, 200u);

  const Model& m = c.models[0];
  EXPECT_TRUE(m.price.set);
  EXPECT_EQ(m.price.input_per_mtok_micros, 2'500'000);
  EXPECT_EQ(m.price.output_per_mtok_micros, 10'000'000);
  EXPECT_EQ(m.price.cached_input_per_mtok_micros, 1'250'000);
  EXPECT_EQ(m.price.cache_write_per_mtok_micros, 3'750'000);
  EXPECT_EQ(m.limits.rpm, 3000u);
  EXPECT_EQ(m.limits.tpm, 2000000u);
}

TEST(ConfigAdmission, DefaultsWhenLeftOut) {
  Config c = load_ok(routed(key_entry("k", kAlice)));
  const VirtualKey& k = c.admission.keys[0];
  EXPECT_TRUE(k.team.empty());
  EXPECT_TRUE(k.models.empty());
  EXPECT_FALSE(k.limits.any());
  EXPECT_FALSE(k.budget.any());
  EXPECT_FALSE(k.allow_modelless_paths);
  EXPECT_FALSE(c.admission.anonymous.enabled);
  EXPECT_TRUE(c.admission.cors.allowed_origins.empty());
  EXPECT_TRUE(c.admission.trusted_proxies.empty());
  EXPECT_FALSE(c.models[0].price.set);
  EXPECT_FALSE(c.models[0].limits.any());
}

TEST(ConfigAdmission, KeysWithoutAModeMeanKeys) {
  EXPECT_EQ(load_ok(routed(key_entry("k", kAlice))).admission.mode, AuthMode::kKeys);
}

TEST(ConfigAdmission, ModeNoneIsOpenAccess) {
  EXPECT_EQ(load_ok(routed("[auth]\nmode = \"none\"\n")).admission.mode, AuthMode::kNone);
}

TEST(ConfigAdmission, NeitherKeysNorModeRefusesToStartNamingBothWaysOut) {
  const std::string message =
      "t.toml:1:1: no client authentication configured: add [[keys]] entries (`ringgate keygen` "
      "prints one), or write [auth] mode = \"none\" to serve every client that reaches the "
      "listener without a key";
  EXPECT_EQ(load_error(std::string(kRouting)), message);
  EXPECT_EQ(load_error(routed("[auth]\n")), message);
  EXPECT_EQ(load_error(routed("[[teams]]\nname = \"t\"\n")), message);
}

TEST(ConfigAdmission, ModeNoneWithKeysIsAmbiguous) {
  EXPECT_EQ(load_error(routed("[auth]\nmode = \"none\"\n" + key_entry("k", kAlice))),
            "t.toml:8:8: auth.mode = \"none\" serves every client without a key, yet [[keys]] are "
            "configured: remove the keys, or write mode = \"keys\"");
}

TEST(ConfigAdmission, ModeKeysNeedsAKeyOrAnAnonymousTier) {
  EXPECT_EQ(load_error(routed("[auth]\nmode = \"keys\"\n")),
            "t.toml:8:8: auth.mode = \"keys\" with no [[keys]] and no [anonymous] tier refuses "
            "every request: add a [[keys]] entry (`ringgate keygen` prints one)");
  Config c = load_ok(routed("[auth]\nmode = \"keys\"\n[anonymous]\nmodels = [\"free-*\"]\n"));
  EXPECT_TRUE(c.admission.anonymous.enabled);
  EXPECT_TRUE(c.admission.keys.empty());
}

TEST(ConfigAdmission, AnonymousTierOnlyWithKeys) {
  EXPECT_EQ(load_error(routed("[auth]\nmode = \"none\"\n[anonymous]\n")),
            "t.toml:9:1: [anonymous] is the tier for callers without a key, which applies only "
            "with auth.mode = \"keys\"; with mode = \"none\" every caller is served anyway");
  EXPECT_TRUE(
      load_ok(routed(key_entry("k", kAlice) + "[anonymous]\n")).admission.anonymous.enabled);
}

TEST(ConfigAdmission, ModeMustBeKeysOrNone) {
  EXPECT_EQ(load_error(routed("[auth]\nmode = \"open\"\n")),
            "t.toml:1:1: no client authentication configured: add [[keys]] entries (`ringgate "
            "keygen` prints one), or write [auth] mode = \"none\" to serve every client that "
            "reaches the listener without a key\n"
            "t.toml:8:8: auth.mode must be \"keys\" or \"none\"");
  EXPECT_EQ(load_error(routed("[auth]\nmode = \"none\"\nmod = 1\n")),
            "t.toml:9:1: unknown key 'auth.mod' (did you mean 'auth.mode'?)");
}

TEST(ConfigAdmission, KeyTeamMustExist) {
  EXPECT_EQ(load_error(routed("[[teams]]\nname = \"research\"\n" + key_entry("k", kAlice) +
                              "team = \"reserch\"\n")),
            "t.toml:12:8: keys[0].team: no team named 'reserch'");
}

TEST(ConfigAdmission, DuplicateIdsNamesAndHashes) {
  EXPECT_EQ(load_error(routed(key_entry("k", kAlice) + key_entry("k", kBob))),
            "t.toml:11:6: duplicate key id 'k' (first at line 8)");
  EXPECT_EQ(load_error(routed("[[teams]]\nname = \"t\"\n[[teams]]\nname = \"t\"\n[auth]\nmode = "
                              "\"none\"\n")),
            "t.toml:10:8: duplicate team name 't' (first at line 8)");
  std::string upper(kAlice);
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_EQ(load_error(routed(key_entry("a", kAlice) + key_entry("b", upper))),
            "t.toml:12:10: keys[1].sha256 is the hash of a key already listed (first at line 9)");
}

// Someone may paste the key itself where its hash goes: the message never quotes the value.
TEST(ConfigAdmission, Sha256MustBe64HexDigitsAndIsNeverEchoed) {
  const std::string message =
      "t.toml:9:10: keys[0].sha256 must be 64 hex digits: the SHA-256 of the key, as `ringgate "
      "keygen` prints it (never the key itself)";
  EXPECT_EQ(load_error(routed(key_entry("k", "rg-Zq8vT3kP0xW2mN7bY5cR1dF6gH9jL4sA0eU3iO8tQ2w"))),
            message);
  EXPECT_EQ(load_error(routed(key_entry("k", kAlice.substr(1)))), message);
  EXPECT_EQ(load_error(routed(key_entry("k", "z" + std::string(kAlice.substr(1))))), message);
  EXPECT_EQ(load_error(routed("[[keys]]\nid = \"k\"\n")),
            "t.toml:7:1: keys[0] is missing required key 'sha256'");
  EXPECT_EQ(load_error(routed("[[keys]]\nsha256 = \"" + std::string(kAlice) + "\"\n")),
            "t.toml:7:1: keys[0] is missing required key 'id'");
  std::string pasted = load_error(routed(
      key_entry("k", kAlice) + "key = \"rg-Zq8vT3kP0xW2mN7bY5cR1dF6gH9jL4sA0eU3iO8tQ2w\"\n"));
  EXPECT_EQ(pasted.find("Zq8vT3kP"), std::string::npos) << pasted;
  EXPECT_NE(pasted.find("t.toml:10:1: unknown key 'keys[0].key'"), std::string::npos) << pasted;
}

TEST(ConfigAdmission, KeyIdsAndTeamNamesAreSafeToLog) {
  const std::string rule =
      "must be 1-64 printable ASCII characters without spaces, quotes or backslashes";
  for (const std::string& bad : std::vector<std::string>{
           "alice laptop", "", std::string(65, 'a'), "al\\\\ice", "caf\xc3\xa9", "tab\\there"}) {
    EXPECT_EQ(load_error(routed(key_entry(bad, kAlice))), "t.toml:8:6: keys[0].id " + rule) << bad;
  }
  EXPECT_EQ(load_ok(routed(key_entry(std::string(64, 'a'), kAlice))).admission.keys[0].id,
            std::string(64, 'a'));
  EXPECT_EQ(load_error(routed("[[teams]]\nname = \"the team\"\n" + key_entry("k", kAlice))),
            "t.toml:8:8: teams[0].name " + rule);
}

TEST(ConfigAdmission, ModelPatternsArePrintableAndNonEmpty) {
  const std::string rule =
      "must be 1-256 printable ASCII characters without spaces, quotes or backslashes";
  EXPECT_EQ(
      load_error(routed(key_entry("k", kAlice) + "models = [\"gpt-4o*\", \"\", \"a b\", 3]\n")),
      "t.toml:10:22: keys[0].models[1] " + rule + "\n" + "t.toml:10:26: keys[0].models[2] " + rule +
          "\n" + "t.toml:10:33: keys[0].models[3] must be a string, not an integer");
  EXPECT_EQ(load_error(routed(key_entry("k", kAlice) + "[anonymous]\nmodels = \"free-*\"\n")),
            "t.toml:11:10: anonymous.models must be an array, not a string");
}

TEST(ConfigAdmission, LimitsAreWithinSaneRanges) {
  std::string key = key_entry("k", kAlice);
  EXPECT_EQ(load_error(routed(key + "limits = { rpm = 0 }\n")),
            "t.toml:10:18: keys[0].limits.rpm must be between 1 and 1000000000000, not 0");
  EXPECT_EQ(load_error(routed(key + "limits = { tpd = 1000000000001 }\n")),
            "t.toml:10:18: keys[0].limits.tpd must be between 1 and 1000000000000, not "
            "1000000000001");
  EXPECT_EQ(load_error(routed(key + "limits = { concurrent = 1000001 }\n")),
            "t.toml:10:25: keys[0].limits.concurrent must be between 1 and 1000000, not 1000001");
  EXPECT_EQ(load_error(routed(key + "limits = { rmp = 5 }\n")),
            "t.toml:10:12: unknown key 'keys[0].limits.rmp' (did you mean 'keys[0].limits.rpm'?)");
  EXPECT_EQ(load_error(routed(key + "limits = { rpm = 1.5 }\n")),
            "t.toml:10:18: keys[0].limits.rpm must be an integer, not a float");
  EXPECT_EQ(load_error(routed(key + "limits = 5\n")),
            "t.toml:10:10: keys[0].limits must be a table, not an integer");
  EXPECT_EQ(load_error(routed(key + "[anonymous]\nlimits_per_address = { rpd = -1 }\n")),
            "t.toml:11:30: anonymous.limits_per_address.rpd must be between 1 and 1000000000000, "
            "not -1");
}

TEST(ConfigAdmission, BudgetsArePositiveWithAtMostSixDecimals) {
  std::string key = key_entry("k", kAlice);
  EXPECT_EQ(load_error(routed(key + "budget = { daily_usd = 0 }\n")),
            "t.toml:10:24: keys[0].budget.daily_usd must be more than 0 (leave it out for no such "
            "budget)");
  EXPECT_EQ(load_error(routed(key + "budget = { monthly_usd = -5 }\n")),
            "t.toml:10:26: keys[0].budget.monthly_usd must be between 0 and 100000000 USD, not -5");
  EXPECT_EQ(load_error(routed(key + "budget = { total_usd = 0.0000001 }\n")),
            "t.toml:10:24: keys[0].budget.total_usd has more than 6 decimals (0.0000001); amounts "
            "are whole microdollars");
  EXPECT_EQ(load_error(routed(key + "budget = { total_usd = \"5\" }\n")),
            "t.toml:10:24: keys[0].budget.total_usd must be a number of USD, not a string");
  EXPECT_EQ(load_error(routed(key + "budget = { weekly_usd = 5 }\n")).substr(0, 53),
            "t.toml:10:12: unknown key 'keys[0].budget.weekly_usd'");
  EXPECT_EQ(load_ok(routed(key + "budget = { daily_usd = 0.000001 }\n"))
                .admission.keys[0]
                .budget.daily_micros,
            1);
}

TEST(ConfigAdmission, PricesAreExactMicrosAndDefaultCachedToInput) {
  std::string open = "[auth]\nmode = \"none\"\n";
  Config c = load_ok(routed(open + "[[models]]\nname = \"n\"\nupstream = \"mock\"\n"
                                   "price = { input_per_mtok = 0.1, output_per_mtok = 0 }\n"));
  const Price& p = c.models[1].price;
  EXPECT_TRUE(p.set);
  EXPECT_EQ(p.input_per_mtok_micros, 100'000);
  EXPECT_EQ(p.output_per_mtok_micros, 0);  // a free output is allowed
  EXPECT_EQ(p.cached_input_per_mtok_micros, 100'000);
  EXPECT_EQ(p.cache_write_per_mtok_micros, 100'000);
}

TEST(ConfigAdmission, PriceErrors) {
  std::string head = std::string(kRouting) + "price = ";
  std::string tail = "\n[auth]\nmode = \"none\"\n";
  EXPECT_EQ(load_error(head + "{ input_per_mtok = 1 }" + tail),
            "t.toml:7:9: models[0].price is missing required key 'output_per_mtok'");
  EXPECT_EQ(load_error(head + "{ input_per_mtok = -1, output_per_mtok = 1 }" + tail),
            "t.toml:7:28: models[0].price.input_per_mtok must be between 0 and 10000 USD, not -1");
  EXPECT_EQ(load_error(head + "{ input_per_mtok = 1, output_per_mtok = 10000.5 }" + tail),
            "t.toml:7:49: models[0].price.output_per_mtok must be between 0 and 10000 USD, not "
            "10000.5");
  EXPECT_EQ(load_error(head +
                       "{ input_per_mtok = 1, output_per_mtok = 1, cached_input_per_mtok = "
                       "0.1234567 }" +
                       tail),
            "t.toml:7:76: models[0].price.cached_input_per_mtok has more than 6 decimals "
            "(0.1234567); amounts are whole microdollars");
}

TEST(ConfigAdmission, TrustedProxiesAreCheckedAtTheirValue) {
  std::string open = "[auth]\nmode = \"none\"\n";
  EXPECT_EQ(load_error(routed(open + "[server]\ntrusted_proxies = [\"10.0.0.0/8\", \"10.1.2.3/8\", "
                                     "\"::1/129\", \"proxy.internal\"]\n")),
            "t.toml:10:34: server.trusted_proxies[1] has address bits set beyond its /8 prefix; "
            "write the network address, or the address alone for just that one\n"
            "t.toml:10:48: server.trusted_proxies[2] has a bad prefix length: it must be 0-128 for "
            "an IPv6 address\n"
            "t.toml:10:59: server.trusted_proxies[3] is not an IPv4 or IPv6 address (with an "
            "optional /prefix)");
}

TEST(ConfigAdmission, CorsOriginsAreCheckedAtTheirValue) {
  std::string open = "[auth]\nmode = \"none\"\n";
  EXPECT_EQ(load_error(routed(open + "[cors]\nallowed_origins = [\"https://a.example\", "
                                     "\"https://a.example/\", \"https://a.example\"]\n")),
            "t.toml:10:41: cors.allowed_origins[1] must be scheme://host[:port] with no path, not "
            "even '/' (browsers send none)\n"
            "t.toml:10:63: duplicate origin 'https://a.example' in cors.allowed_origins[2] (first "
            "at line 10)");
  EXPECT_EQ(load_error(routed(open + "[cors]\nallowed_origins = [\"*\", \"https://a.example\"]\n")),
            "t.toml:10:20: cors.allowed_origins[0] \"*\" allows every origin: list no other origin "
            "with it");
  EXPECT_EQ(
      load_ok(routed(open + "[cors]\nallowed_origins = [\"*\"]\n")).admission.cors.allowed_origins,
      std::vector<std::string>{"*"});
}

// The startup summary shows who may call, with counts only: never a hash, never a key.
TEST(ConfigAdmission, DescribeShowsTheModeAndCountsButNoHash) {
  Config c =
      load_ok(routed("[[teams]]\nname = \"t\"\n" + key_entry("a", kAlice) + key_entry("b", kBob) +
                     "[anonymous]\nmodels = [\"free-*\"]\nlimits_per_address = { rpm = 10 "
                     "}\n[cors]\nallowed_origins = [\"https://app.example.com\"]\n"
                     "[server]\ntrusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n"));
  std::string d = describe(c);
  EXPECT_NE(d.find("auth: keys (2 keys, 1 teams); anonymous tier: on, models free-*, per address "
                   "rpm=10\n"),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("cors: allowed origins https://app.example.com\n"), std::string::npos) << d;
  EXPECT_NE(d.find("trusted proxies: 10.0.0.0/8, ::1/128\n"), std::string::npos) << d;
  EXPECT_EQ(d.find(kAlice.substr(0, 8)), std::string::npos) << d;
  EXPECT_EQ(d.find(kBob.substr(0, 8)), std::string::npos) << d;

  std::string open = describe(load_ok(routed("[auth]\nmode = \"none\"\n")));
  EXPECT_NE(open.find("auth: none: every client that reaches the listener is served without a "
                      "key\n"),
            std::string::npos)
      << open;
  EXPECT_NE(open.find("cors: none (pages on other origins get no CORS headers)\n"),
            std::string::npos);
}

}  // namespace
}  // namespace ringgate::config
