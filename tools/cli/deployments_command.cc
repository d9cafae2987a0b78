#include "tools/cli/deployments_command.h"

#include <netdb.h>
#include <poll.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string_view>

#include "engine/config/config.h"

namespace ringgate::cli {

namespace {

constexpr int kTimeoutMs = 3000;

// GET path from host:port over plain HTTP/1.1; the body, or nullopt when nothing answered.
std::optional<std::string> http_get(const std::string& host, const std::string& port,
                                    std::string_view path) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || !res) return std::nullopt;
  const int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const bool connected = fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) == 0;
  freeaddrinfo(res);
  if (!connected) {
    if (fd >= 0) close(fd);
    return std::nullopt;
  }
  const std::string req =
      "GET " + std::string(path) + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
  std::string in;
  if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) == ssize_t(req.size())) {
    char buf[8192];
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, kTimeoutMs) != 1) break;
      const ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      in.append(buf, size_t(n));
    }
  }
  close(fd);
  const size_t body = in.find("\r\n\r\n");
  if (body == std::string::npos) return std::nullopt;
  return in.substr(body + 4);
}

std::string uptime_text(uint64_t ms) {
  if (ms == 0) return "-";
  const uint64_t s = ms / 1000;
  char out[32];
  std::snprintf(out, sizeof out, "%lluh%02llum%02llus", (unsigned long long)(s / 3600),
                (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
  return out;
}

int print_running(const std::string& body, bool json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array managed;
  if (parser.parse(body).get(doc) || doc["managed"].get_array().get(managed)) {
    std::fputs("ringgate deployments: the gateway runs no managed deployment\n", stdout);
    return 0;
  }
  if (json) {
    std::printf("%s\n", simdjson::to_string(managed).c_str());
    return 0;
  }
  std::printf("%-24s %-9s %8s %6s %12s %9s\n", "NAME", "STATE", "PID", "PORT", "UPTIME",
              "REQUESTS");
  for (simdjson::dom::element m : managed) {
    std::string_view name, state;
    int64_t pid = 0, port = 0;
    uint64_t uptime = 0, requests = 0;
    if (m["name"].get(name) || m["state"].get(state) || m["pid"].get(pid) || m["port"].get(port) ||
        m["uptime_ms"].get(uptime) || m["requests"].get(requests)) {
      continue;
    }
    std::printf("%-24.*s %-9.*s %8s %6lld %12s %9llu\n", int(name.size()), name.data(),
                int(state.size()), state.data(), pid ? std::to_string(pid).c_str() : "-",
                (long long)port, uptime_text(uptime).c_str(), (unsigned long long)requests);
  }
  return 0;
}

}  // namespace

int deployments_command(const DeploymentsOptions& options) {
  std::optional<config::Config> cfg;
  std::string host = "127.0.0.1", port = "8080";
  if (!options.config.empty()) {
    config::ConfigError err;
    cfg = config::load_config_file(options.config, err);
    if (!cfg) {
      std::fprintf(stderr, "%s\n", err.message.c_str());
      return 2;
    }
    host = cfg->server.listen_host;
    port = std::to_string(cfg->server.listen_port);
  }
  if (!options.url.empty()) {
    std::string_view u = options.url;
    if (u.starts_with("http://")) u.remove_prefix(7);
    if (u.ends_with("/")) u.remove_suffix(1);
    const size_t colon = u.rfind(':');
    if (colon == std::string_view::npos) {
      std::fprintf(stderr, "ringgate deployments: --url must be http://HOST:PORT\n");
      return 2;
    }
    host = std::string(u.substr(0, colon));
    port = std::string(u.substr(colon + 1));
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  }
  if (auto body = http_get(host, port, "/readyz")) return print_running(*body, options.json);
  if (!cfg) {
    std::fprintf(stderr, "ringgate deployments: no gateway answers on %s:%s\n", host.c_str(),
                 port.c_str());
    return 1;
  }
  // Nothing runs: what the config would run, all stopped (ringgate owns no process now).
  std::printf("no gateway answers on %s:%s; managed deployments in %s:\n", host.c_str(),
              port.c_str(), options.config.c_str());
  std::printf("%-24s %-9s %8s %6s %12s %9s\n", "NAME", "STATE", "PID", "PORT", "UPTIME",
              "REQUESTS");
  for (const config::Deployment& d : cfg->deployments) {
    if (!d.managed.enabled) continue;
    std::printf("%-24s %-9s %8s %6u %12s %9s\n", d.name.c_str(), "stopped", "-",
                unsigned(d.managed.port), "-", "-");
  }
  return 0;
}

}  // namespace ringgate::cli
