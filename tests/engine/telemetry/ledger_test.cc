// The usage ledger: rows written and read back, batching, budgets restored after a restart,
// rows flushed before a SIGKILL surviving it, refusing files that are not ledgers, write errors
// retried, and the `ringgate usage` report.
#include "engine/telemetry/ledger.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/admission/in_memory_budget_store.h"
#include "engine/telemetry/ledger_reader.h"
#include "engine/telemetry/usage_report.h"
#include "tests/temp_dir.h"

namespace ringgate::telemetry {
namespace {

constexpr int64_t kNoon = 1773576000;  // 2026-03-15T12:00:00Z
constexpr int64_t kDayS = 86'400;

using ::ringgate::testing::TempDir;

LedgerRow row(int n, std::string key = "alice", std::string team = "research",
              int64_t unix_s = kNoon, int64_t cost = 1000) {
  LedgerRow r;
  r.request_id = "req-" + std::to_string(n);
  r.unix_ms = unix_s * 1000 + n % 1000;
  r.key_id = std::move(key);
  r.team = std::move(team);
  r.client_address = "203.0.113.7";
  r.model_requested = "gpt-4o";
  r.model_served = "gpt-4o-2024-08-06";
  r.deployment = "openai";
  r.status = 200;
  r.input_tokens = 100 + n;
  r.output_tokens = 10;
  r.cached_input_tokens = 5;
  r.cache_creation_tokens = 2;
  r.reasoning_tokens = 1;
  r.usage_source = "reported";
  r.cost_micros = cost;
  r.attempts = 1;
  r.admission_us = 3, r.cache_us = 4, r.connect_us = 5, r.ttfb_us = 6, r.total_us = 7;
  return r;
}

LedgerOptions slow_flush() {  // only flush() or a full batch commits
  LedgerOptions o;
  o.flush_interval = std::chrono::milliseconds(60'000);
  return o;
}

std::vector<LedgerRow> read_all(const std::string& path) {
  std::string error;
  auto reader = LedgerReader::open(path, error);
  EXPECT_TRUE(reader) << error;
  if (!reader) return {};
  auto rows = reader->rows_since(0, error);
  EXPECT_TRUE(rows) << error;
  return rows ? *rows : std::vector<LedgerRow>{};
}

TEST(Ledger, AppendedRowsAreReadBackWholeAfterFlush) {
  TempDir dir;
  const std::string path = dir.file("sub/dir/ledger.db");  // the directory is made
  std::string error;
  auto ledger = Ledger::open(path, slow_flush(), error);
  ASSERT_TRUE(ledger) << error;
  LedgerRow r = row(1);
  r.team = "";
  r.outcome = "client_gone";
  r.taps_complete = false;
  ASSERT_TRUE(ledger->append(LedgerRow(r)));
  EXPECT_EQ(ledger->stats().lag, 1u);
  ledger->flush();
  const LedgerStats s = ledger->stats();
  EXPECT_EQ(s.rows_written, 1u);
  EXPECT_EQ(s.lag, 0u);
  EXPECT_EQ(s.errors, 0u);
  auto rows = read_all(path);
  ASSERT_EQ(rows.size(), 1u);
  const LedgerRow& b = rows[0];
  EXPECT_EQ(b.request_id, r.request_id);
  EXPECT_EQ(b.unix_ms, r.unix_ms);
  EXPECT_EQ(b.key_id, "alice");
  EXPECT_EQ(b.team, "");
  EXPECT_EQ(b.client_address, r.client_address);
  EXPECT_EQ(b.model_served, r.model_served);
  EXPECT_EQ(b.deployment, "openai");
  EXPECT_EQ(b.outcome, "client_gone");
  EXPECT_EQ(b.input_tokens, 101);
  EXPECT_EQ(b.cached_input_tokens, 5);
  EXPECT_EQ(b.cache_creation_tokens, 2);
  EXPECT_EQ(b.reasoning_tokens, 1);
  EXPECT_EQ(b.usage_source, "reported");
  EXPECT_EQ(b.cost_micros, 1000);
  EXPECT_EQ(b.cache_result, "none");
  EXPECT_EQ(b.attempts, 1);
  EXPECT_EQ(b.connect_us + b.ttfb_us + b.total_us, 18);
  EXPECT_FALSE(b.taps_complete);
}

TEST(Ledger, ManyRowsGoInOneTransactionPerFlush) {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  LedgerOptions o = slow_flush();
  o.batch_rows = 10'000;  // only the flush wakes the writer
  std::string error;
  auto ledger = Ledger::open(path, o, error);
  ASSERT_TRUE(ledger) << error;
  for (int i = 0; i < 5000; ++i) ASSERT_TRUE(ledger->append(row(i)));
  ledger->flush();
  EXPECT_EQ(ledger->stats().rows_written, 5000u);
  EXPECT_EQ(ledger->stats().commits, 1u);  // the writer took the whole queue into one
  auto rows = read_all(path);
  ASSERT_EQ(rows.size(), 5000u);
  EXPECT_EQ(rows.front().request_id, "req-0");
  EXPECT_EQ(rows.back().request_id, "req-4999");
}

TEST(Ledger, AFullBatchCommitsWithoutWaitingForTheInterval) {
  TempDir dir;
  LedgerOptions o = slow_flush();
  o.batch_rows = 10;
  std::string error;
  auto ledger = Ledger::open(dir.file("ledger.db"), o, error);
  ASSERT_TRUE(ledger) << error;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(ledger->append(row(i)));
  // No flush(): the tenth row woke the writer. Wait on the condition, not on time.
  while (ledger->stats().rows_written < 10) std::this_thread::yield();
  EXPECT_EQ(read_all(dir.file("ledger.db")).size(), 10u);
}

TEST(Ledger, AFullQueueDropsAndCountsWithoutBlocking) {
  TempDir dir;
  LedgerOptions o = slow_flush();
  o.batch_rows = 1000;
  o.queue_rows = 3;
  std::string error;
  const std::string path = dir.file("ledger.db");
  auto ledger = Ledger::open(path, o, error);
  ASSERT_TRUE(ledger) << error;
  // Another connection holds the write lock, so nothing leaves the queue until it lets go.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(ledger->append(row(i)));
  EXPECT_FALSE(ledger->append(row(3)));
  EXPECT_EQ(ledger->stats().rows_dropped, 1u);
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  ledger->flush();
  EXPECT_EQ(read_all(path).size(), 3u);
}

TEST(Ledger, ALockedFileIsCountedLoggedAndRetriedUntilItIsFree) {
  TempDir dir;
  LedgerOptions o;
  o.flush_interval = std::chrono::milliseconds(10);
  o.busy_timeout = std::chrono::milliseconds(0);
  const std::string path = dir.file("ledger.db");
  std::string error;
  auto ledger = Ledger::open(path, o, error);
  ASSERT_TRUE(ledger) << error;
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  ASSERT_TRUE(ledger->append(row(1)));
  while (ledger->stats().errors < 2) ledger->flush_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(ledger->flush_for(std::chrono::milliseconds(1)));
  const LedgerStats s = ledger->stats();
  EXPECT_NE(s.last_error.find("locked"), std::string::npos) << s.last_error;
  EXPECT_EQ(s.lag, 1u);
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  ledger->flush();
  EXPECT_EQ(ledger->stats().rows_written, 1u);
  EXPECT_EQ(read_all(path).size(), 1u);
}

// seed-defect: 003-1 (budgets survive a restart: the ledger's sums seed the accounts)
TEST(Ledger, ARestartReadsEachKeysAndTeamsSpendBackPerPeriod) {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  std::string error;
  {
    auto ledger = Ledger::open(path, slow_flush(), error);
    ASSERT_TRUE(ledger) << error;
    ledger->append(row(1, "alice", "research", kNoon, 100));
    ledger->append(row(2, "alice", "research", kNoon - kDayS, 20));      // 2026-03-14
    ledger->append(row(3, "alice", "research", kNoon - 20 * kDayS, 3));  // February
    ledger->append(row(4, "bob", "", kNoon, 4000));
    ledger->close();  // the process ends; the rows stay
  }
  auto reader = LedgerReader::open(path, error);
  ASSERT_TRUE(reader) << error;
  auto spend = reader->spend_by_scope(kNoon, error);
  ASSERT_TRUE(spend) << error;
  EXPECT_EQ(spend->size(), 3u);  // bob has no team
  const admission::RestoredSpend a = spend->at("key:alice");
  EXPECT_EQ(a.daily_micros, 100);
  EXPECT_EQ(a.monthly_micros, 120);
  EXPECT_EQ(a.total_micros, 123);
  EXPECT_EQ(spend->at("team:research").total_micros, 123);
  EXPECT_EQ(spend->at("key:bob").daily_micros, 4000);

  config::Config config;
  config::VirtualKey alice;
  alice.id = "alice";
  alice.budget.daily_micros = 150;
  config.admission.keys.push_back(alice);
  admission::InMemoryBudgetStore store;
  auto count = restore_budgets_from_ledger(path, config, store, kNoon, error);
  ASSERT_TRUE(count) << error;
  EXPECT_EQ(count->restored, 1u);
  auto account = store.account("key:alice", alice.budget);
  EXPECT_EQ(account->usage(admission::BudgetPeriod::kDaily, kNoon).spent_micros, 100);
  EXPECT_EQ(account->usage(admission::BudgetPeriod::kTotal, kNoon).spent_micros, 123);
  admission::BudgetHold hold;
  admission::BudgetRefusal refusal;
  EXPECT_FALSE(account->reserve(60, kNoon, hold, refusal));  // 100 + 60 > 150
}

// Writes line to fd, whole.
void say(int fd, const std::string& line) {
  const std::string s = line + "\n";
  ASSERT_EQ(write(fd, s.data(), s.size()), ssize_t(s.size()));
}

std::string hear(FILE* in) {
  char buf[64] = "";
  return std::fgets(buf, sizeof buf, in) ? buf : "";
}

// A child appends and flushes 300 rows (saying so), appends 50 more without flushing, and is
// killed with SIGKILL. Every flushed row is in the file afterwards; the ledger still opens.
TEST(Ledger, RowsFlushedBeforeASigkillSurviveIt) {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    std::string error;
    auto ledger = Ledger::open(path, slow_flush(), error);
    if (!ledger) _exit(3);
    for (int round = 0; round < 3; ++round) {
      for (int i = 0; i < 100; ++i) ledger->append(row(round * 100 + i));
      ledger->flush();
      say(fds[1], "flushed " + std::to_string((round + 1) * 100));
    }
    for (int i = 300; i < 350; ++i) ledger->append(row(i));
    say(fds[1], "appended 350");
    for (;;) pause();  // killed here, mid-life, with rows still queued
  }
  close(fds[1]);
  FILE* in = fdopen(fds[0], "r");
  std::string last;
  for (std::string line; (line = hear(in)) != "appended 350\n";) {
    ASSERT_FALSE(line.empty()) << "the child ended early";
    last = line;
  }
  EXPECT_EQ(last, "flushed 300\n");
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  fclose(in);

  auto rows = read_all(path);
  ASSERT_GE(rows.size(), 300u);
  for (int i = 0; i < 300; ++i) EXPECT_EQ(rows[i].request_id, "req-" + std::to_string(i));
  std::string error;
  auto again = Ledger::open(path, slow_flush(), error);  // the writer side opens it too
  ASSERT_TRUE(again) << error;
}

TEST(Ledger, AFileThatIsNotALedgerIsRefusedWithItsPath) {
  TempDir dir;
  const std::string garbage = dir.file("garbage.db");
  std::ofstream(garbage) << std::string(8192, 'x');
  std::string error;
  EXPECT_FALSE(Ledger::open(garbage, slow_flush(), error));
  EXPECT_NE(error.find(garbage), std::string::npos) << error;
  EXPECT_NE(error.find("not a ringgate ledger"), std::string::npos) << error;
  EXPECT_FALSE(LedgerReader::open(garbage, error));
  EXPECT_NE(error.find("not a ringgate ledger"), std::string::npos) << error;

  // A real SQLite database of something else is not taken over either.
  const std::string other = dir.file("other.db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(other.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "CREATE TABLE t (x)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  EXPECT_FALSE(Ledger::open(other, slow_flush(), error));
  EXPECT_NE(error.find("a SQLite database but not a ringgate ledger"), std::string::npos) << error;

  EXPECT_FALSE(LedgerReader::open(dir.file("missing.db"), error));
  EXPECT_NE(error.find("missing.db: cannot open"), std::string::npos) << error;
}

TEST(Ledger, TheReaderWorksWhileTheWriterHoldsTheFileOpen) {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  std::string error;
  auto ledger = Ledger::open(path, slow_flush(), error);
  ASSERT_TRUE(ledger) << error;
  ledger->append(row(1));
  ledger->flush();
  auto reader = LedgerReader::open(path, error);
  ASSERT_TRUE(reader) << error;
  ledger->append(row(2));
  ledger->flush();
  auto rows = reader->rows_since(0, error);
  ASSERT_TRUE(rows) << error;
  EXPECT_EQ(rows->size(), 2u);
}

TEST(UsageReport, SinceTakesDurationsUnixSecondsAndIsoDates) {
  std::string why;
  EXPECT_EQ(parse_since("24h", kNoon, why), kNoon - kDayS);
  EXPECT_EQ(parse_since("7d", kNoon, why), kNoon - 7 * kDayS);
  EXPECT_EQ(parse_since("30m", kNoon, why), kNoon - 1800);
  EXPECT_EQ(parse_since("90s", kNoon, why), kNoon - 90);
  EXPECT_EQ(parse_since("1773576000", 0, why), 1773576000);
  EXPECT_EQ(parse_since("2026-03-15", 0, why), 1773532800);
  EXPECT_EQ(parse_since("2026-03-15T12:00:00Z", 0, why), kNoon);
  for (const char* bad : {"", "h", "-5h", "24x", "2026-02-30", "2026-3-15", "yesterday", "1e9"}) {
    EXPECT_FALSE(parse_since(bad, kNoon, why)) << bad;
  }
  EXPECT_NE(why.find("--since 1e9: give a duration"), std::string::npos) << why;
  EXPECT_EQ(parse_grouping("team"), UsageGrouping::kTeam);
  EXPECT_FALSE(parse_grouping("teams"));
}

TEST(UsageReport, MicrodollarsAreShownExactly) {
  EXPECT_EQ(format_usd_fixed(12345), "0.012345");
  EXPECT_EQ(format_usd_fixed(0), "0.000000");
  EXPECT_EQ(format_usd_fixed(12'000'001), "12.000001");
  EXPECT_EQ(format_usd_fixed(-5), "-0.000005");
}

TEST(UsageReport, RowsAreOneJsonObjectPerLineWithEveryColumn) {
  LedgerRow quoted = row(2, "bob", "");
  quoted.request_id = "id \"2\"";
  quoted.taps_complete = false;
  EXPECT_EQ(usage_rows_json_lines({row(1), quoted}),
            R"({"request_id":"req-1","unix_ms":1773576000001,"key":"alice","team":"research",)"
            R"("client_address":"203.0.113.7","model_requested":"gpt-4o",)"
            R"("model_served":"gpt-4o-2024-08-06","deployment":"openai","status":200,)"
            R"("outcome":"answered","input_tokens":101,"output_tokens":10,)"
            R"("cached_input_tokens":5,"cache_creation_tokens":2,"reasoning_tokens":1,)"
            R"("usage_source":"reported","cost_micros":1000,"cache_result":"none","attempts":1,)"
            R"("admission_us":3,"cache_us":4,"connect_us":5,"ttfb_us":6,"total_us":7,)"
            R"("taps_complete":true})"
            "\n"
            R"({"request_id":"id \"2\"","unix_ms":1773576000002,"key":"bob","team":"",)"
            R"("client_address":"203.0.113.7","model_requested":"gpt-4o",)"
            R"("model_served":"gpt-4o-2024-08-06","deployment":"openai","status":200,)"
            R"("outcome":"answered","input_tokens":102,"output_tokens":10,)"
            R"("cached_input_tokens":5,"cache_creation_tokens":2,"reasoning_tokens":1,)"
            R"("usage_source":"reported","cost_micros":1000,"cache_result":"none","attempts":1,)"
            R"("admission_us":3,"cache_us":4,"connect_us":5,"ttfb_us":6,"total_us":7,)"
            R"("taps_complete":false})"
            "\n");
}

TEST(UsageReport, SumsPerGroupWithATotal) {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  std::string error;
  auto ledger = Ledger::open(path, slow_flush(), error);
  ASSERT_TRUE(ledger) << error;
  ledger->append(row(1, "alice", "research", kNoon, 12'000));
  ledger->append(row(2, "alice", "research", kNoon, 345));
  ledger->append(row(3, "bob", "", kNoon, 1'000'000));
  ledger->append(row(4, "carol", "ops", kNoon - 2 * kDayS, 7));  // before --since
  ledger->flush();
  auto reader = LedgerReader::open(path, error);
  ASSERT_TRUE(reader) << error;
  const int64_t since = kNoon - kDayS;
  auto by_key = reader->usage(since * 1000, UsageGrouping::kKey, error);
  ASSERT_TRUE(by_key) << error;
  EXPECT_EQ(usage_table(*by_key, UsageGrouping::kKey, since),
            "usage since 2026-03-14T12:00:00Z by key\n"
            "key    requests  input_tokens  output_tokens  cached_input_tokens  "
            "cache_creation_tokens  cost_usd\n"
            "bob           1           103             10                    5  "
            "                    2  1.000000\n"
            "alice         2           203             20                   10  "
            "                    4  0.012345\n"
            "total         3           306             30                   15  "
            "                    6  1.012345\n");
  auto by_team = reader->usage(since * 1000, UsageGrouping::kTeam, error);
  ASSERT_TRUE(by_team) << error;
  EXPECT_EQ(usage_json(*by_team, UsageGrouping::kTeam, since),
            R"({"since":"2026-03-14T12:00:00Z","since_unix":1773489600,"by":"team","groups":[)"
            R"({"name":"","requests":1,"input_tokens":103,"output_tokens":10,)"
            R"("cached_input_tokens":5,"cache_creation_tokens":2,"cost_micros":1000000,)"
            R"("cost_usd":1.000000},)"
            R"({"name":"research","requests":2,"input_tokens":203,"output_tokens":20,)"
            R"("cached_input_tokens":10,"cache_creation_tokens":4,"cost_micros":12345,)"
            R"("cost_usd":0.012345}],)"
            R"("total":{"requests":3,"input_tokens":306,"output_tokens":30,)"
            R"("cached_input_tokens":15,"cache_creation_tokens":6,"cost_micros":1012345,)"
            R"("cost_usd":1.012345}})"
            "\n");
  auto by_model = reader->usage(0, UsageGrouping::kModel, error);
  ASSERT_TRUE(by_model) << error;
  ASSERT_EQ(by_model->size(), 1u);
  EXPECT_EQ((*by_model)[0].name, "gpt-4o-2024-08-06");
  EXPECT_EQ((*by_model)[0].requests, 4);
}

}  // namespace
}  // namespace ringgate::telemetry
