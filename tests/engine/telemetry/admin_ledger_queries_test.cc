// The admin API's ledger reads: LedgerReader::recent_rows (newest first, each filter bound, the
// gateway's own answers left out, the limit and the cursor), and the AdminLedgerQueries thread
// answering jobs submitted from other threads, its bounded queue refusing at once (TSan list).
#include "engine/telemetry/admin_ledger_queries.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "engine/telemetry/ledger.h"
#include "tests/temp_dir.h"

namespace ringgate::telemetry {
namespace {

using ::ringgate::testing::TempDir;

LedgerRow row(int n, std::string key, std::string model, int64_t unix_ms) {
  LedgerRow r;
  r.request_id = "req-" + std::to_string(n);
  r.unix_ms = unix_ms;
  r.key_id = std::move(key);
  r.model_requested = std::move(model);
  r.deployment = r.model_requested.empty() ? "" : "mock";
  r.outcome = r.model_requested.empty() ? "local" : "answered";
  r.status = 200;
  return r;
}

// Rows 1..6 (ids 1..6): alice and bob on two models, then a health check (not traffic).
std::string write_ledger(const TempDir& dir) {
  const std::string path = dir.file("ledger.db");
  std::string error;
  auto ledger = Ledger::open(path, LedgerOptions(), error);
  EXPECT_TRUE(ledger) << error;
  ledger->append(row(1, "alice", "gpt-4o", 1000'000));
  ledger->append(row(2, "bob", "gpt-4o", 2000'000));
  ledger->append(row(3, "alice", "claude", 3000'000));
  ledger->append(row(4, "alice'; DROP TABLE requests; --", "gpt-4o", 4000'000));
  ledger->append(row(5, "alice", "gpt-4o", 5000'000));
  ledger->append(row(6, "anonymous", "", 6000'000));  // GET /healthz
  ledger->close();
  return path;
}

std::vector<std::string> ids(const std::vector<LedgerRow>& rows) {
  std::vector<std::string> out;
  for (const LedgerRow& r : rows) out.push_back(r.request_id);
  return out;
}

TEST(LedgerRecentRows, NewestFirstFilteredBoundAndLimited) {
  TempDir dir;
  const std::string path = write_ledger(dir);
  std::string error;
  auto reader = LedgerReader::open(path, error);
  ASSERT_TRUE(reader) << error;
  LedgerReader::RecentFilter f;
  auto all = reader->recent_rows(f, error);
  ASSERT_TRUE(all) << error;
  EXPECT_EQ(ids(*all), (std::vector<std::string>{"req-5", "req-4", "req-3", "req-2", "req-1"}));
  f.key = "alice";
  EXPECT_EQ(ids(*reader->recent_rows(f, error)),
            (std::vector<std::string>{"req-5", "req-3", "req-1"}));
  f.model = "gpt-4o";
  EXPECT_EQ(ids(*reader->recent_rows(f, error)), (std::vector<std::string>{"req-5", "req-1"}));
  f.limit = 1;
  const auto first = *reader->recent_rows(f, error);
  ASSERT_EQ(first.size(), 1u);
  f.before_id = first[0].id;  // the next page
  EXPECT_EQ(ids(*reader->recent_rows(f, error)), (std::vector<std::string>{"req-1"}));
  LedgerReader::RecentFilter since;
  since.since_ms = 3000'000;
  EXPECT_EQ(ids(*reader->recent_rows(since, error)),
            (std::vector<std::string>{"req-5", "req-4", "req-3"}));
  LedgerReader::RecentFilter hostile;  // a value, never SQL
  hostile.key = "alice'; DROP TABLE requests; --";
  EXPECT_EQ(ids(*reader->recent_rows(hostile, error)), (std::vector<std::string>{"req-4"}));
  EXPECT_EQ(reader->recent_rows(LedgerReader::RecentFilter{}, error)->size(), 5u);
}

// Waits for `n` callbacks, with a deadline.
struct Answers {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::optional<std::vector<LedgerRow>>> got;
  bool wait_for(size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return got.size() >= n; });
  }
  AdminLedgerQueries::Done done() {
    return [this](std::optional<std::vector<LedgerRow>> rows, std::string) {
      std::lock_guard lock(mu);
      got.push_back(std::move(rows));
      cv.notify_all();
    };
  }
};

TEST(AdminLedgerQueries, AnswersJobsFromManyThreads) {
  TempDir dir;
  AdminLedgerQueries queries(write_ledger(dir));
  Answers answers;
  std::atomic<size_t> queued{0};
  std::vector<std::thread> shards;
  for (int t = 0; t < 4; ++t) {
    shards.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        LedgerReader::RecentFilter f;
        f.key = "alice";
        if (queries.submit(f, answers.done())) ++queued;
      }
    });
  }
  for (std::thread& t : shards) t.join();
  ASSERT_GT(queued.load(), 0u);
  ASSERT_TRUE(answers.wait_for(queued.load()));
  std::lock_guard lock(answers.mu);
  EXPECT_EQ(answers.got.size(), queued.load());  // a refused job is never answered
  for (const auto& rows : answers.got) {
    ASSERT_TRUE(rows);
    EXPECT_EQ(rows->size(), 3u);
  }
}

TEST(AdminLedgerQueries, AMissingFileIsAnErrorNotACrash) {
  TempDir dir;
  AdminLedgerQueries queries(dir.file("absent.db"));
  Answers answers;
  ASSERT_TRUE(queries.submit({}, answers.done()));
  ASSERT_TRUE(answers.wait_for(1));
  std::lock_guard lock(answers.mu);
  EXPECT_FALSE(answers.got[0].has_value());
}

TEST(AdminLedgerQueries, TheQueueIsBounded) {
  TempDir dir;
  AdminLedgerQueries queries(write_ledger(dir));
  Answers answers;
  size_t accepted = 0;
  for (size_t i = 0; i < 1000; ++i) accepted += queries.submit({}, answers.done());
  EXPECT_LT(accepted, 1000u);  // the thread cannot drain 1000 reads while they are submitted
  EXPECT_GE(accepted, AdminLedgerQueries::kMaxQueued);
  ASSERT_TRUE(answers.wait_for(accepted));
}

}  // namespace
}  // namespace ringgate::telemetry
