// [ledger]: the usage ledger's path and write cadence, and the [ledger]-only reader of the CLI.
#include <gtest/gtest.h>

#include <string>

#include "engine/config/config.h"
#include "tests/engine/config/config_test_util.h"

namespace ringgate::config {
namespace {

using testing::load_error;
using testing::open_access;
using testing::TempDir;

using testing::kRouting;

std::optional<Config> load(std::string_view ledger, ConfigError& err) {
  return load_config_string(open_access(std::string(ledger) + std::string(kRouting)), "t.toml",
                            err);
}

std::string ledger_error(std::string_view ledger) {
  return load_error(std::string(ledger) + std::string(kRouting));
}

TEST(ConfigLedger, NoTableMeansNoLedger) {
  ConfigError err;
  auto c = load("", err);
  ASSERT_TRUE(c) << err.message;
  EXPECT_FALSE(c->ledger.enabled());
  EXPECT_EQ(c->ledger.flush_interval_ms, 1000u);
  EXPECT_NE(describe(*c).find("ledger: off\n"), std::string::npos);
}

TEST(ConfigLedger, KeysAreRead) {
  ConfigError err;
  auto c = load(
      "[ledger]\npath = \"/var/lib/rg/l.db\"\nflush_interval_ms = 250\n"
      "batch_rows = 50\nqueue_rows = 500\n",
      err);
  ASSERT_TRUE(c) << err.message;
  EXPECT_EQ(c->ledger.path, "/var/lib/rg/l.db");
  EXPECT_EQ(c->ledger.flush_interval_ms, 250u);
  EXPECT_EQ(c->ledger.batch_rows, 50u);
  EXPECT_EQ(c->ledger.queue_rows, 500u);
  EXPECT_NE(describe(*c).find("ledger: /var/lib/rg/l.db (flush every 250 ms or 50 rows"),
            std::string::npos)
      << describe(*c);
}

TEST(ConfigLedger, BadValuesAndUnknownKeysAreErrorsWithPositions) {
  EXPECT_EQ(ledger_error("[ledger]\npath = \"\"\n"),
            "t.toml:2:8: ledger.path must not be empty (leave it out for no ledger)");
  EXPECT_EQ(ledger_error("[ledger]\npath = \"l.db\"\nflush_interval_ms = 5\n"),
            "t.toml:3:21: ledger.flush_interval_ms must be between 10 and 60000, not 5");
  EXPECT_EQ(ledger_error("[ledger]\npath = \"l.db\"\nflush_interval_ms = 60001\n"),
            "t.toml:3:21: ledger.flush_interval_ms must be between 10 and 60000, not 60001");
  EXPECT_EQ(ledger_error("[ledger]\nbatch_rows = 10\nqueue_rows = 5\n"),
            "t.toml:3:14: ledger.queue_rows (5) is less than batch_rows (10)");
  EXPECT_EQ(ledger_error("[ledger]\npaht = \"l.db\"\n"),
            "t.toml:2:1: unknown key 'ledger.paht' (did you mean 'ledger.path'?)");
  EXPECT_EQ(ledger_error("ledger = 3\n"), "t.toml:1:10: ledger must be a table, not an integer");
}

TEST(ConfigLedger, ARelativePathIsTheConfigFilesDirectorys) {
  TempDir dir;
  std::string file =
      dir.write("g.toml", open_access("[ledger]\npath = \"data/l.db\"\n" + std::string(kRouting)));
  ConfigError err;
  auto c = load_config_file(file, err);
  ASSERT_TRUE(c) << err.message;
  EXPECT_EQ(c->ledger.path, dir.path() + "/data/l.db");
  auto only = load_ledger_config(file, err);
  ASSERT_TRUE(only) << err.message;
  EXPECT_EQ(only->path, c->ledger.path);
}

// [log] access: the access log's destination (it shares this file: both are where records go).
TEST(ConfigLog, TheAccessLogIsOffByDefaultAndAFilePathIsTheConfigFilesDirectorys) {
  ConfigError err;
  auto c = load("", err);
  ASSERT_TRUE(c) << err.message;
  EXPECT_EQ(c->log.access, "off");
  for (const char* to : {"off", "stderr", "stdout"}) {
    c = load(std::string("[log]\naccess = \"") + to + "\"\n", err);
    ASSERT_TRUE(c) << err.message;
    EXPECT_EQ(c->log.access, to);
  }
  TempDir dir;
  std::string file = dir.write(
      "g.toml", open_access("[log]\naccess = \"access.jsonl\"\n" + std::string(kRouting)));
  c = load_config_file(file, err);
  ASSERT_TRUE(c) << err.message;
  EXPECT_EQ(c->log.access, dir.path() + "/access.jsonl");
  EXPECT_EQ(ledger_error("[log]\naccess = \"\"\n"),
            "t.toml:2:10: log.access must be \"off\", \"stderr\", \"stdout\" or a file path");
  EXPECT_EQ(ledger_error("[log]\nlevel = 1\n"),
            "t.toml:2:1: unknown key 'log.level' (expected one of: access)");
}

TEST(ConfigLedger, TheLedgerOnlyReaderSkipsTheRestButChecksTheLedger) {
  TempDir dir;
  // An unresolvable secret and no routing: load_config_file refuses, the ledger reader does not.
  std::string ok =
      dir.write("a.toml",
                "[[upstreams]]\nname = \"x\"\nurl = \"http://127.0.0.1:1/v1\"\n"
                "api_key = \"env:RINGGATE_TEST_NOT_SET\"\n[ledger]\npath = \"/l.db\"\n");
  ConfigError err;
  EXPECT_FALSE(load_config_file(ok, err));
  auto l = load_ledger_config(ok, err);
  ASSERT_TRUE(l) << err.message;
  EXPECT_EQ(l->path, "/l.db");
  std::string bad = dir.write("b.toml", "[ledger]\nbatch_rows = 0\n");
  EXPECT_FALSE(load_ledger_config(bad, err));
  EXPECT_EQ(err.message, bad + ":2:14: ledger.batch_rows must be between 1 and 100000, not 0");
  EXPECT_FALSE(load_ledger_config(dir.path() + "/missing.toml", err));
  EXPECT_NE(err.message.find("cannot open config file"), std::string::npos) << err.message;
}

}  // namespace
}  // namespace ringgate::config

namespace ringgate::config {
namespace {

// The fleet ledger's connection string holds a password: the file names where it is, and
// neither the value nor anything but the reference reaches describe().
TEST(ConfigLedgerPostgres, AReferenceIsResolvedAndOnlyItIsShown) {
  setenv("RINGGATE_TEST_PG_URL", "host=db password=s3cret-pw", 1);
  ConfigError err;
  auto c = load(
      "[ledger]\npath = \"/l.db\"\npostgres = \"env:RINGGATE_TEST_PG_URL\"\nnode = \"n-1\"\n"
      "postgres_flush_interval_ms = 300\npostgres_batch_rows = 20\n",
      err);
  ASSERT_TRUE(c) << err.message;
  EXPECT_TRUE(c->ledger.ships_to_postgres());
  EXPECT_EQ(c->ledger.postgres_conninfo, "host=db password=s3cret-pw");
  EXPECT_EQ(c->ledger.node, "n-1");
  EXPECT_EQ(c->ledger.postgres_flush_interval_ms, 300u);
  EXPECT_EQ(c->ledger.postgres_batch_rows, 20u);
  const std::string text = describe(*c);
  EXPECT_NE(text.find("shipped to postgres env:RINGGATE_TEST_PG_URL every 300 ms as node n-1"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("s3cret"), std::string::npos);
  unsetenv("RINGGATE_TEST_PG_URL");
}

TEST(ConfigLedgerPostgres, TheStringItselfAMissingPathAndBadValuesAreRefused) {
  const std::string literal =
      ledger_error("[ledger]\npath = \"l.db\"\npostgres = \"host=db password=s3cret-pw\"\n");
  EXPECT_NE(literal.find("ledger.postgres must not hold the connection string itself"),
            std::string::npos)
      << literal;
  EXPECT_EQ(literal.find("s3cret"), std::string::npos);
  setenv("RINGGATE_TEST_PG_URL", "host=db", 1);
  EXPECT_EQ(ledger_error("[ledger]\npostgres = \"env:RINGGATE_TEST_PG_URL\"\n"),
            "t.toml:2:12: ledger.postgres needs ledger.path (rows ship from it)");
  unsetenv("RINGGATE_TEST_PG_URL");
  EXPECT_NE(ledger_error("[ledger]\npath = \"l.db\"\npostgres_batch_rows = 5000\n")
                .find("ledger.postgres_batch_rows must be between 1 and 2000"),
            std::string::npos);
  EXPECT_NE(ledger_error("[ledger]\npath = \"l.db\"\nnode = \"a b\"\n").find("ledger.node"),
            std::string::npos);
}

}  // namespace
}  // namespace ringgate::config
