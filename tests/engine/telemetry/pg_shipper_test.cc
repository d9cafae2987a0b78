// The fleet ledger's shipper with its PostgreSQL gone (a loopback port nothing listens on): rows
// wait in the node's file and are counted as backlog while other threads read its state, its
// errors never carry the password, catching up gives up at its deadline and stop() is bounded.
// Shipping to a real server is tests/integration/postgres_ledger.test.js. Runs under TSan.
#include "engine/telemetry/pg_shipper.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "engine/telemetry/ledger.h"

namespace ringgate::telemetry {
namespace {

using namespace std::chrono_literals;

// A loopback port that was free a moment ago: connects to it are refused.
int closed_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

std::string temp_dir() {
  std::string t = (std::filesystem::temp_directory_path() / "ringgate-pgship-XXXXXX").string();
  return mkdtemp(t.data());
}

template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds deadline = 10s) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

TEST(PgShipper, RowsWaitInTheFileWhilePostgresIsGone) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/ledger.db";
  std::string error;
  LedgerOptions lo;
  lo.flush_interval = 10ms;
  std::unique_ptr<Ledger> ledger = Ledger::open(path, lo, error);
  ASSERT_TRUE(ledger) << error;

  PgShipperOptions so;
  so.conninfo = "host=127.0.0.1 port=" + std::to_string(closed_port()) +
                " user=rg password=hunter2-secret connect_timeout=1";
  so.node = "n1";
  so.interval = 10ms;
  std::unique_ptr<PgShipper> shipper = PgShipper::open(path, so, error);
  ASSERT_TRUE(shipper) << error;
  EXPECT_FALSE(shipper->catch_up(300ms));  // nothing to reach: gives up at the deadline
  shipper->start();

  std::atomic<bool> done{false};
  std::vector<std::thread> readers;
  for (int i = 0; i < 2; ++i) {
    readers.emplace_back([&] {
      std::string out;
      while (!done.load()) {
        out.clear();
        shipper->append_json(out);
        EXPECT_EQ(out.find("hunter2"), std::string::npos);
        (void)shipper->stats();
      }
    });
  }
  std::thread writer([&] {
    for (int i = 0; i < 200; ++i) {
      LedgerRow r;
      r.request_id = "r" + std::to_string(i);
      ledger->append(std::move(r));
    }
    ledger->flush();
  });
  writer.join();
  EXPECT_TRUE(eventually([&] { return shipper->stats().backlog == 200; }))
      << shipper->stats().backlog;
  done.store(true);
  for (std::thread& t : readers) t.join();

  const PgShipperStats st = shipper->stats();
  EXPECT_FALSE(st.connected);
  EXPECT_EQ(st.rows_shipped, 0u);
  EXPECT_GT(st.errors, 0u);
  EXPECT_NE(st.last_error, "");
  EXPECT_EQ(st.last_error.find("hunter2"), std::string::npos);
  ledger->close();
  const auto before = std::chrono::steady_clock::now();
  shipper->stop(200ms);
  EXPECT_LT(std::chrono::steady_clock::now() - before, 3s);
  std::filesystem::remove_all(dir);
}

TEST(PgShipper, AConnectionStringLibpqCannotParseIsNotQuoted) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/ledger.db";
  std::string error;
  std::unique_ptr<Ledger> ledger = Ledger::open(path, LedgerOptions{}, error);
  ASSERT_TRUE(ledger) << error;
  PgShipperOptions so;
  so.conninfo = "password=hunter2-secret host";  // no '=' after host
  so.node = "n1";
  std::unique_ptr<PgShipper> shipper = PgShipper::open(path, so, error);
  ASSERT_TRUE(shipper) << error;
  EXPECT_FALSE(shipper->catch_up(50ms));
  const std::string e = shipper->stats().last_error;
  EXPECT_NE(e.find("could not be parsed"), std::string::npos) << e;
  EXPECT_EQ(e.find("hunter2"), std::string::npos) << e;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ringgate::telemetry
