#include "engine/io/dns_resolver.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace ringgate::io {
namespace {

using namespace std::chrono_literals;

constexpr auto kDeadline = 10s;

std::string to_text(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = {};
  uint16_t port = 0;
  if (ss.ss_family == AF_INET) {
    auto* v4 = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &v4->sin_addr, buf, sizeof(buf));
    port = ntohs(v4->sin_port);
    return std::string(buf) + ":" + std::to_string(port);
  }
  auto* v6 = reinterpret_cast<const sockaddr_in6*>(&ss);
  inet_ntop(AF_INET6, &v6->sin6_addr, buf, sizeof(buf));
  port = ntohs(v6->sin6_port);
  // Appended piecewise: "[" + std::string(...) trips g++ 12's false -Wrestrict at -O2.
  std::string out = "[";
  out += buf;
  out += "]:";
  out += std::to_string(port);
  return out;
}

std::vector<std::string> texts(const ResolvedAddrs& r) {
  std::vector<std::string> out;
  for (const auto& a : r.addrs) out.push_back(to_text(a));
  return out;
}

// A scripted name service: host -> list of IP literals, or absent = "no such host". It records
// which threads it ran on and wakes waiters on every call.
class FakeDns {
 public:
  void set(const std::string& host, std::vector<std::string> ips) {
    std::lock_guard lk(mu_);
    if (ips.empty()) {
      table_.erase(host);
    } else {
      table_[host] = std::move(ips);
    }
  }
  // While held, calls block: keeps a name pending as long as a test needs.
  void hold(bool on) {
    {
      std::lock_guard lk(mu_);
      held_ = on;
    }
    cv_.notify_all();
  }

  DnsResolver::ResolveFn fn() {
    return [this](const std::string& host, uint16_t port, std::vector<sockaddr_storage>& out,
                  std::string& err) {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] { return !held_; });
      ++calls_[host];
      threads_.insert(std::this_thread::get_id());
      cv_.notify_all();
      auto it = table_.find(host);
      if (it == table_.end()) {
        err = "dns: cannot resolve '" + host + "': no such host";
        return false;
      }
      for (const auto& ip : it->second) {
        sockaddr_storage ss{};
        if (ip.find(':') == std::string::npos) {
          auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
          v4->sin_family = AF_INET;
          v4->sin_port = htons(port);
          inet_pton(AF_INET, ip.c_str(), &v4->sin_addr);
        } else {
          auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
          v6->sin6_family = AF_INET6;
          v6->sin6_port = htons(port);
          inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr);
        }
        out.push_back(ss);
      }
      return true;
    };
  }

  int calls(const std::string& host) {
    std::lock_guard lk(mu_);
    return calls_[host];
  }
  std::set<std::thread::id> threads() {
    std::lock_guard lk(mu_);
    return threads_;
  }
  // Waits until `host` has been resolved at least `n` times.
  bool wait_calls(const std::string& host, int n) {
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, kDeadline, [&] { return calls_[host] >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::vector<std::string>> table_;
  std::map<std::string, int> calls_;
  std::set<std::thread::id> threads_;
  bool held_ = false;
};

// Wakes the test whenever the resolver publishes, so waits are on conditions, not sleeps.
// Declared before the resolver, so it outlives the resolver thread that calls it.
class Updates {
 public:
  void attach(DnsResolver& r) {
    r.set_on_update([this] {
      std::lock_guard lk(mu_);
      cv_.notify_all();
    });
  }
  template <typename Pred>
  bool wait(Pred pred) {
    // No lost wake-up: the resolver publishes before calling on_update, which takes mu_.
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, kDeadline, pred);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
};

DnsResolver::Options fake_options(FakeDns& dns, std::chrono::milliseconds refresh = 1h) {
  DnsResolver::Options o;
  o.refresh = refresh;
  o.resolve = dns.fn();
  return o;
}

TEST(DnsResolverTest, NumericAddressesShortCircuitTheThread) {
  FakeDns dns;
  DnsResolver resolver(fake_options(dns));
  auto v4 = resolver.lookup("127.0.0.1", 8080);
  ASSERT_NE(v4, nullptr);
  ASSERT_TRUE(v4->ok());
  EXPECT_EQ(texts(*v4), std::vector<std::string>{"127.0.0.1:8080"});
  EXPECT_EQ(sockaddr_length(v4->addrs[0]), sizeof(sockaddr_in));

  for (const char* host : {"::1", "[::1]"}) {
    auto v6 = resolver.lookup(host, 443);
    ASSERT_NE(v6, nullptr) << host;
    EXPECT_EQ(texts(*v6), std::vector<std::string>{"[::1]:443"});
    EXPECT_EQ(sockaddr_length(v6->addrs[0]), sizeof(sockaddr_in6));
  }
  std::string err;
  EXPECT_TRUE(resolver.resolve_now_blocking("10.1.2.3", 80, err)) << err;
  EXPECT_EQ(texts(*resolver.lookup("10.1.2.3", 80)), std::vector<std::string>{"10.1.2.3:80"});
  EXPECT_TRUE(dns.threads().empty());  // the name service was never asked
}

TEST(DnsResolverTest, LocalhostThroughTheSystemResolver) {
  DnsResolver resolver;
  std::string err;
  ASSERT_TRUE(resolver.resolve_now_blocking("localhost", 9000, err)) << err;
  auto r = resolver.lookup("localhost", 9000);
  ASSERT_NE(r, nullptr);
  ASSERT_TRUE(r->ok());
  for (const auto& text : texts(*r)) {
    EXPECT_TRUE(text == "127.0.0.1:9000" || text == "[::1]:9000") << text;
  }
  EXPECT_LE(r->addrs.size(), DnsResolver::kMaxAddrs);
}

TEST(DnsResolverTest, MissRegistersTheNameAndTheThreadResolvesIt) {
  FakeDns dns;
  dns.set("api.example", {"192.0.2.10", "2001:db8::10"});
  Updates updates;
  DnsResolver resolver(fake_options(dns));
  updates.attach(resolver);
  EXPECT_EQ(resolver.lookup("api.example", 443), nullptr);
  std::shared_ptr<const ResolvedAddrs> r;
  ASSERT_TRUE(updates.wait([&] { return (r = resolver.lookup("api.example", 443)) != nullptr; }));
  EXPECT_EQ(texts(*r), (std::vector<std::string>{"192.0.2.10:443", "[2001:db8::10]:443"}));
  auto threads = dns.threads();
  ASSERT_EQ(threads.size(), 1u);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);  // resolved off the caller's thread
  // The same (host, port) snapshot comes back until something changes; other ports are distinct.
  EXPECT_EQ(resolver.lookup("api.example", 443), r);
  EXPECT_EQ(resolver.lookup("api.example", 80), nullptr);
}

TEST(DnsResolverTest, UnknownHostReportsAnError) {
  FakeDns dns;
  Updates updates;
  DnsResolver resolver(fake_options(dns));
  updates.attach(resolver);
  std::string err;
  EXPECT_FALSE(resolver.resolve_now_blocking("nowhere.example", 443, err));
  EXPECT_EQ(err, "dns: cannot resolve 'nowhere.example': no such host");

  resolver.prefetch("missing.example", 443);
  std::shared_ptr<const ResolvedAddrs> r;
  ASSERT_TRUE(
      updates.wait([&] { return (r = resolver.lookup("missing.example", 443)) != nullptr; }));
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(r->error, "dns: cannot resolve 'missing.example': no such host");
}

TEST(DnsResolverTest, ConcurrentMissesResolveOnce) {
  FakeDns dns;
  dns.set("once.example", {"192.0.2.1"});
  Updates updates;
  DnsResolver resolver(fake_options(dns));
  updates.attach(resolver);
  dns.hold(true);
  std::vector<std::thread> shards;
  for (int i = 0; i < 4; ++i) {
    shards.emplace_back([&] {
      for (int j = 0; j < 100; ++j) EXPECT_EQ(resolver.lookup("once.example", 443), nullptr);
    });
  }
  for (auto& t : shards) t.join();
  dns.hold(false);
  ASSERT_TRUE(updates.wait([&] { return resolver.lookup("once.example", 443) != nullptr; }));
  EXPECT_EQ(dns.calls("once.example"), 1);
}

TEST(DnsResolverTest, RefreshPublishesChangedAddresses) {
  FakeDns dns;
  dns.set("moving.example", {"192.0.2.1"});
  Updates updates;
  DnsResolver resolver(fake_options(dns, 10ms));
  updates.attach(resolver);
  std::string err;
  ASSERT_TRUE(resolver.resolve_now_blocking("moving.example", 443, err)) << err;
  auto before = resolver.lookup("moving.example", 443);
  ASSERT_NE(before, nullptr);
  EXPECT_EQ(texts(*before), std::vector<std::string>{"192.0.2.1:443"});
  uint64_t generation = resolver.generation();

  dns.set("moving.example", {"192.0.2.2", "192.0.2.3"});
  std::shared_ptr<const ResolvedAddrs> after;
  ASSERT_TRUE(updates.wait([&] {
    after = resolver.lookup("moving.example", 443);
    return after->addrs.size() == 2;
  }));
  EXPECT_EQ(texts(*after), (std::vector<std::string>{"192.0.2.2:443", "192.0.2.3:443"}));
  EXPECT_GT(resolver.generation(), generation);
  // The old snapshot a shard may still hold is untouched.
  EXPECT_EQ(texts(*before), std::vector<std::string>{"192.0.2.1:443"});
}

TEST(DnsResolverTest, FailedRefreshKeepsLastGoodAddresses) {
  FakeDns dns;
  dns.set("flaky.example", {"192.0.2.7"});
  DnsResolver resolver(fake_options(dns, 10ms));
  std::string err;
  ASSERT_TRUE(resolver.resolve_now_blocking("flaky.example", 443, err)) << err;
  int calls = dns.calls("flaky.example");
  dns.set("flaky.example", {});
  ASSERT_TRUE(dns.wait_calls("flaky.example", calls + 3));
  auto r = resolver.lookup("flaky.example", 443);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(texts(*r), std::vector<std::string>{"192.0.2.7:443"});
}

TEST(DnsResolverTest, NamesAreBounded) {
  FakeDns dns;
  DnsResolver::Options o = fake_options(dns);
  o.max_names = 2;
  DnsResolver resolver(o);
  resolver.prefetch("a.example", 443);
  resolver.prefetch("b.example", 443);
  auto r = resolver.lookup("c.example", 443);
  ASSERT_NE(r, nullptr);
  EXPECT_FALSE(r->ok());
  EXPECT_NE(r->error.find("too many"), std::string::npos) << r->error;
  std::string err;
  EXPECT_FALSE(resolver.resolve_now_blocking("d.example", 443, err));
  EXPECT_NE(err.find("too many"), std::string::npos) << err;
}

TEST(DnsResolverTest, ShardsReadWhileTheThreadRepublishes) {
  FakeDns dns;
  dns.set("busy.example", {"192.0.2.1"});
  DnsResolver resolver(fake_options(dns, 1ms));
  std::string err;
  ASSERT_TRUE(resolver.resolve_now_blocking("busy.example", 443, err)) << err;
  std::atomic<bool> stop{false};
  std::vector<std::thread> shards;
  for (int i = 0; i < 3; ++i) {
    shards.emplace_back([&] {
      while (!stop.load()) {
        auto r = resolver.lookup("busy.example", 443);
        ASSERT_NE(r, nullptr);
        auto t = texts(*r);
        ASSERT_EQ(t.size(), 1u);
        ASSERT_TRUE(t[0] == "192.0.2.1:443" || t[0] == "192.0.2.2:443") << t[0];
      }
    });
  }
  // Flip the answer a few times so snapshots are replaced under the readers.
  for (int flip = 0; flip < 6; ++flip) {
    int calls = dns.calls("busy.example");
    dns.set("busy.example", {flip % 2 ? "192.0.2.1" : "192.0.2.2"});
    ASSERT_TRUE(dns.wait_calls("busy.example", calls + 2));
  }
  stop = true;
  for (auto& t : shards) t.join();
}

}  // namespace
}  // namespace ringgate::io
