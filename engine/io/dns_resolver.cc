#include "engine/io/dns_resolver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

namespace ringgate::io {

namespace {

std::atomic<uint64_t> next_resolver_id{1};

// Fills `out` when `host` is an IPv4 or IPv6 literal (optionally in URL brackets).
bool parse_numeric(std::string_view host, uint16_t port, sockaddr_storage& out) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  char buf[INET6_ADDRSTRLEN + 1];
  if (host.empty() || host.size() >= sizeof(buf)) return false;
  std::memcpy(buf, host.data(), host.size());
  buf[host.size()] = '\0';
  std::memset(&out, 0, sizeof(out));
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
  if (inet_pton(AF_INET, buf, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (inet_pton(AF_INET6, buf, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    return true;
  }
  return false;
}

bool same_addr(const sockaddr_storage& a, const sockaddr_storage& b) {
  socklen_t len = sockaddr_length(a);
  return len == sockaddr_length(b) && std::memcmp(&a, &b, len) == 0;
}

bool same_result(const ResolvedAddrs* a, const ResolvedAddrs* b) {
  if (a == b) return true;
  if (a == nullptr || b == nullptr) return false;
  return a->error == b->error &&
         std::equal(a->addrs.begin(), a->addrs.end(), b->addrs.begin(), b->addrs.end(), same_addr);
}

// Binary search in a table sorted by (host, port); returns the insertion point and whether it hit.
template <typename Table>
auto find_entry(Table& table, std::string_view host, uint16_t port) {
  auto it = std::lower_bound(table.begin(), table.end(), host, [port](const auto& e, auto h) {
    int c = std::string_view(e.host).compare(h);
    return c < 0 || (c == 0 && e.port < port);
  });
  bool found = it != table.end() && it->host == host && it->port == port;
  return std::make_pair(it, found);
}

}  // namespace

socklen_t sockaddr_length(const sockaddr_storage& addr) {
  switch (addr.ss_family) {
    case AF_INET:
      return sizeof(sockaddr_in);
    case AF_INET6:
      return sizeof(sockaddr_in6);
    default:
      return 0;
  }
}

DnsResolver::DnsResolver() : DnsResolver(Options{}) {}

DnsResolver::DnsResolver(Options options)
    : options_(std::move(options)),
      id_(next_resolver_id.fetch_add(1, std::memory_order_relaxed)),
      table_(std::make_shared<const Table>()) {
  if (!options_.resolve) options_.resolve = &DnsResolver::system_resolve;
  thread_ = std::thread([this] { run(); });
}

DnsResolver::~DnsResolver() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void DnsResolver::set_on_update(std::function<void()> on_update) {
  std::lock_guard lk(mu_);
  on_update_ = std::move(on_update);
}

std::shared_ptr<const DnsResolver::Table> DnsResolver::current_table() const {
  std::lock_guard lk(snapshot_mu_);
  return table_;
}

const DnsResolver::Table& DnsResolver::reader_table() {
  // Each thread keeps its own reference to the snapshot and only reloads it when the generation
  // moved, so steady-state lookups never touch the shared_ptr's shared refcount or its lock bit.
  struct Cache {
    uint64_t owner = 0;
    uint64_t generation = 0;
    std::shared_ptr<const Table> table;
  };
  thread_local Cache cache;
  uint64_t gen = generation_.load(std::memory_order_acquire);
  if (cache.owner != id_ || cache.generation != gen || cache.table == nullptr) {
    // Loaded after reading `gen`, so the table is at least that new; a racing publish only makes
    // the next lookup reload once more.
    cache.table = current_table();
    cache.owner = id_;
    cache.generation = gen;
  }
  return *cache.table;
}

std::shared_ptr<const ResolvedAddrs> DnsResolver::lookup(std::string_view host, uint16_t port) {
  const Table& table = reader_table();
  auto [it, found] = find_entry(table, host, port);
  if (found) return it->result;

  sockaddr_storage numeric;
  if (parse_numeric(host, port, numeric)) {
    auto result = std::make_shared<ResolvedAddrs>();
    result->addrs.push_back(numeric);
    return result;
  }
  return request(host, port);
}

void DnsResolver::prefetch(const std::string& host, uint16_t port) { request(host, port); }

std::shared_ptr<const ResolvedAddrs> DnsResolver::request(std::string_view host, uint16_t port) {
  std::lock_guard lk(mu_);
  auto [it, found] = find_entry(names_, host, port);
  if (found) return it->result;  // another thread asked first
  if (names_.size() >= options_.max_names) {
    auto full = std::make_shared<ResolvedAddrs>();
    full->error =
        "dns: too many distinct host names (max " + std::to_string(options_.max_names) + ")";
    return full;
  }
  // A pending (nullptr) entry in the snapshot lets every other lookup of this name return without
  // the lock while the thread resolves it.
  store_locked(std::string(host), port, nullptr);
  publish_locked();
  wake_.notify_one();
  return nullptr;
}

bool DnsResolver::resolve_now_blocking(const std::string& host, uint16_t port, std::string& err) {
  std::shared_ptr<const ResolvedAddrs> previous;
  {
    std::lock_guard lk(mu_);
    auto [it, found] = find_entry(names_, host, port);
    if (found) {
      previous = it->result;
    } else if (names_.size() >= options_.max_names) {
      err = "dns: too many distinct host names (max " + std::to_string(options_.max_names) + ")";
      return false;
    }
  }
  auto result = resolve_one(host, port, previous.get());
  {
    std::lock_guard lk(mu_);
    if (!same_result(result.get(), previous.get())) {
      store_locked(host, port, result);
      publish_locked();
    }
  }
  if (!result->ok()) err = result->error;
  return result->ok();
}

std::shared_ptr<const ResolvedAddrs> DnsResolver::resolve_one(const std::string& host,
                                                              uint16_t port,
                                                              const ResolvedAddrs* previous) {
  auto result = std::make_shared<ResolvedAddrs>();
  sockaddr_storage numeric;
  if (parse_numeric(host, port, numeric)) {
    result->addrs.push_back(numeric);
    return result;
  }
  std::string err;
  if (options_.resolve(host, port, result->addrs, err) && !result->addrs.empty()) {
    if (result->addrs.size() > kMaxAddrs) result->addrs.resize(kMaxAddrs);
    return result;
  }
  // A failed refresh keeps the last good addresses: a DNS blip must not take an upstream down.
  if (previous != nullptr && previous->ok()) return std::make_shared<ResolvedAddrs>(*previous);
  result->addrs.clear();
  result->error = err.empty() ? "dns: no addresses for '" + host + "'" : err;
  return result;
}

void DnsResolver::store_locked(const std::string& host, uint16_t port,
                               std::shared_ptr<const ResolvedAddrs> result) {
  auto [it, found] = find_entry(names_, host, port);
  if (found) {
    it->result = std::move(result);
  } else {
    names_.insert(it, Entry{host, port, std::move(result)});
  }
}

void DnsResolver::publish_locked() {
  auto next = std::make_shared<const Table>(names_);
  {
    std::lock_guard lk(snapshot_mu_);
    table_.swap(next);
  }
  // After the swap, so a reader that sees the new generation also finds the new table.
  generation_.fetch_add(1, std::memory_order_release);
  // `next` (the old table) is released here, outside snapshot_mu_.
}

void DnsResolver::run() {
  using Clock = std::chrono::steady_clock;
  auto has_pending = [this] {
    return std::any_of(names_.begin(), names_.end(), [](const Entry& e) { return !e.result; });
  };
  std::unique_lock lk(mu_);
  auto next_refresh = Clock::now() + options_.refresh;
  while (true) {
    wake_.wait_until(lk, next_refresh, [&] { return stop_ || has_pending(); });
    if (stop_) return;
    bool refresh_all = Clock::now() >= next_refresh;
    if (refresh_all) next_refresh = Clock::now() + options_.refresh;

    struct Work {
      Entry entry;
      std::shared_ptr<const ResolvedAddrs> fresh;
    };
    std::vector<Work> work;
    for (const Entry& e : names_) {
      if (refresh_all || !e.result) work.push_back(Work{e, nullptr});
    }
    // Resolution can take seconds; shards and prefetch must not wait on it.
    lk.unlock();
    for (Work& w : work) w.fresh = resolve_one(w.entry.host, w.entry.port, w.entry.result.get());
    lk.lock();
    bool changed = false;
    for (Work& w : work) {
      auto [it, found] = find_entry(names_, w.entry.host, w.entry.port);
      // Skip what did not change, and what resolve_now_blocking replaced while we were unlocked.
      if (!found || it->result != w.entry.result) continue;
      if (same_result(w.fresh.get(), w.entry.result.get())) continue;
      it->result = std::move(w.fresh);
      changed = true;
    }
    if (changed) publish_locked();
    if (changed && on_update_) {
      auto notify = on_update_;
      lk.unlock();
      notify();
      lk.lock();
    }
  }
}

bool DnsResolver::system_resolve(const std::string& host, uint16_t port,
                                 std::vector<sockaddr_storage>& out, std::string& err) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string service = std::to_string(port);
  int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
  if (rc != 0) {
    err = "dns: cannot resolve '" + host + "': " + gai_strerror(rc);
    return false;
  }
  out.clear();
  for (addrinfo* ai = res; ai != nullptr && out.size() < kMaxAddrs; ai = ai->ai_next) {
    if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
        ai->ai_addrlen > sizeof(sockaddr_storage)) {
      continue;
    }
    sockaddr_storage ss{};
    std::memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
    bool dup = std::any_of(out.begin(), out.end(),
                           [&](const sockaddr_storage& o) { return same_addr(o, ss); });
    if (!dup) out.push_back(ss);
  }
  freeaddrinfo(res);
  if (out.empty()) {
    err = "dns: no IPv4 or IPv6 address for '" + host + "'";
    return false;
  }
  return true;
}

}  // namespace ringgate::io
