// The admin API's key store: a create is committed, published and answered with a key that is
// never stored or logged (only its SHA-256); ids stay unique (revoked ones too); revocations
// and keys survive reopening; expiries are audited once; a version 1 ledger is migrated.
#include "engine/gateway/key_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/temp_dir.h"

namespace ringgate::gateway {
namespace {

using ::ringgate::testing::TempDir;

// A store on its thread, with what it published and audited.
struct Harness {
  explicit Harness(const std::string& path, std::vector<std::string> config_ids = {}) {
    audit_path = path + ".audit";
    audit = std::fopen(audit_path.c_str(), "a");
    std::string err;
    store = KeyStore::open(path, err, audit);
    EXPECT_TRUE(store) << err;
    if (!store) return;
    loaded = store->active_keys();
    store->start({[this](std::vector<config::VirtualKey> keys) {
                    std::lock_guard lock(mutex);
                    published = std::move(keys);
                    ++publishes;
                  },
                  [config_ids](std::string_view id) {
                    for (const std::string& c : config_ids) {
                      if (c == id) return true;
                    }
                    return false;
                  }});
  }
  ~Harness() {
    store.reset();
    if (audit) std::fclose(audit);
  }

  pipeline::KeyChangeResult change(pipeline::KeyChange c) {
    std::mutex m;
    std::condition_variable cv;
    bool woken = false;
    auto waiter = std::make_shared<pipeline::KeyChangeWaiter>([&] {
      std::lock_guard lock(m);
      woken = true;
      cv.notify_all();
    });
    EXPECT_TRUE(store->submit(std::move(c), waiter));
    std::unique_lock lock(m);
    EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return woken; }));
    lock.unlock();  // the waiter's lock is taken before this one when it wakes us
    return waiter->leave();
  }
  pipeline::KeyChangeResult create(std::string id, std::string team = {},
                                   std::optional<int64_t> expires_at = {}) {
    pipeline::KeyChange c;
    c.id = std::move(id);
    c.team = std::move(team);
    c.expires_at = expires_at;
    return change(std::move(c));
  }
  pipeline::KeyChangeResult revoke(std::string id) {
    pipeline::KeyChange c;
    c.revoke = true;
    c.id = std::move(id);
    return change(std::move(c));
  }
  std::vector<config::VirtualKey> keys() {
    std::lock_guard lock(mutex);
    return published;
  }
  std::string audited() {
    std::fflush(audit);
    std::ifstream in(audit_path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::string audit_path;
  std::FILE* audit = nullptr;
  std::unique_ptr<KeyStore> store;
  std::vector<config::VirtualKey> loaded;
  std::mutex mutex;
  std::vector<config::VirtualKey> published;
  int publishes = 0;
};

// The "key" member of a create's body.
std::string key_of(const std::string& body) {
  const std::string marker = "\"key\":\"";
  const size_t at = body.find(marker);
  if (at == std::string::npos) return {};
  const size_t from = at + marker.size();
  return body.substr(from, body.find('"', from) - from);
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(KeyStore, CreatePublishesTheKeysHashAndReturnsTheKeyOnce) {
  TempDir dir;
  const std::string db = dir.file("ledger.db");
  std::string key;
  {
    Harness h(db);
    const pipeline::KeyChangeResult r = h.create("bob", "eng");
    ASSERT_EQ(r.status, 201) << r.error.message;
    key = key_of(r.body);
    ASSERT_EQ(key.size(), config::kGeneratedKeyLength) << r.body;
    EXPECT_TRUE(key.starts_with("rg-"));
    EXPECT_NE(r.body.find(R"("id":"bob")"), std::string::npos);
    EXPECT_NE(r.body.find(R"("team":"eng","expires_at":null)"), std::string::npos);
    const std::vector<config::VirtualKey> keys = h.keys();
    ASSERT_EQ(keys.size(), 1u);
    EXPECT_EQ(keys[0].id, "bob");
    EXPECT_EQ(keys[0].team, "eng");
    EXPECT_TRUE(keys[0].managed);
    EXPECT_EQ(keys[0].sha256, config::sha256(key));
    const std::string audit = h.audited();
    EXPECT_NE(audit.find(R"({"audit":"key_created","id":"bob","team":"eng","actor":"admin")"),
              std::string::npos)
        << audit;
    EXPECT_EQ(audit.find(key), std::string::npos);
    // A second create answers another key.
    const pipeline::KeyChangeResult r2 = h.create("carol");
    ASSERT_EQ(r2.status, 201);
    EXPECT_NE(key_of(r2.body), key);
    EXPECT_NE(r2.body.find(R"("team":null)"), std::string::npos);
    EXPECT_EQ(h.keys().size(), 2u);
  }
  // Only the digest is stored (the WAL is checkpointed into the file at close).
  EXPECT_EQ(file_bytes(db).find(key), std::string::npos);
  EXPECT_EQ(file_bytes(db + "-wal").find(key), std::string::npos);
}

TEST(KeyStore, DuplicateIdsAndConfigIdsAreConflicts) {
  TempDir dir;
  Harness h(dir.file("ledger.db"), {"alice"});
  EXPECT_EQ(h.create("alice").status, 409);
  ASSERT_EQ(h.create("bob").status, 201);
  const pipeline::KeyChangeResult again = h.create("bob");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.error.code, protocol::ErrorCode::kConflict);
  ASSERT_EQ(h.revoke("bob").status, 200);
  EXPECT_EQ(h.create("bob").status, 409);  // a revoked id stays taken
}

TEST(KeyStore, RevokeRemovesTheKeyAndSurvivesReopening) {
  TempDir dir;
  const std::string db = dir.file("ledger.db");
  {
    Harness h(db);
    ASSERT_EQ(h.create("bob").status, 201);
    ASSERT_EQ(h.create("carol", "", std::time(nullptr) + 3600).status, 201);
    const pipeline::KeyChangeResult r = h.revoke("bob");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body, R"({"id":"bob","revoked":true})");
    ASSERT_EQ(h.keys().size(), 1u);
    EXPECT_EQ(h.keys()[0].id, "carol");
    EXPECT_EQ(h.revoke("bob").status, 404);
    EXPECT_EQ(h.revoke("nobody").status, 404);
    EXPECT_NE(h.audited().find(R"({"audit":"key_revoked","id":"bob","team":null,"actor":"admin")"),
              std::string::npos);
  }
  Harness again(db);
  ASSERT_EQ(again.loaded.size(), 1u);
  EXPECT_EQ(again.loaded[0].id, "carol");
  EXPECT_TRUE(again.loaded[0].expires_at.has_value());
  EXPECT_EQ(again.create("bob").status, 409);
}

TEST(KeyStore, ExpiryIsAuditedOnceAcrossRestarts) {
  TempDir dir;
  const std::string db = dir.file("ledger.db");
  const int64_t soon = std::time(nullptr) + 1;
  {
    Harness h(db);
    ASSERT_EQ(h.create("brief", "", soon).status, 201);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (h.audited().find("key_expired") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polled, with a deadline
    }
    const std::string audit = h.audited();
    EXPECT_NE(audit.find(R"({"audit":"key_expired","id":"brief")"), std::string::npos) << audit;
    EXPECT_NE(audit.find("\"expires_at\":" + std::to_string(soon)), std::string::npos);
  }
  Harness again(db);
  ASSERT_EQ(again.loaded.size(), 1u);  // still listed: admission refuses it by its expiry
  EXPECT_EQ(again.loaded[0].expires_at.value_or(0), soon);
  // The second change is handled after the reopened store's first expiry scan.
  EXPECT_EQ(again.revoke("nobody").status, 404);
  EXPECT_EQ(again.revoke("nobody").status, 404);
  const std::string audit = again.audited();
  const size_t first = audit.find("key_expired");
  EXPECT_EQ(audit.find("key_expired", first + 1), std::string::npos) << audit;
}

TEST(KeyStore, MigratesAVersionOneLedger) {
  TempDir dir;
  const std::string db = dir.file("ledger.db");
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw,
                         "CREATE TABLE requests (id INTEGER PRIMARY KEY, key_id TEXT);"
                         "INSERT INTO requests (key_id) VALUES ('alice');"
                         "PRAGMA application_id = 1380404292; PRAGMA user_version = 1;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  {
    Harness h(db);
    ASSERT_TRUE(h.store);
    EXPECT_EQ(h.create("bob").status, 201);
  }
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw,
                               "SELECT (SELECT user_version FROM pragma_user_version), "
                               "(SELECT count(*) FROM requests), (SELECT id FROM managed_keys)",
                               -1, &s, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(s, 0), 2);
  EXPECT_EQ(sqlite3_column_int(s, 1), 1);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 2)), "bob");
  sqlite3_finalize(s);
  sqlite3_close(raw);
}

TEST(KeyStore, RefusesChangesAfterStop) {
  TempDir dir;
  Harness h(dir.file("ledger.db"));
  h.store->stop();
  pipeline::KeyChange c;
  c.id = "late";
  EXPECT_FALSE(h.store->submit(std::move(c), std::make_shared<pipeline::KeyChangeWaiter>(nullptr)));
}

}  // namespace
}  // namespace ringgate::gateway
