// The gateway process: listeners, shards, the DNS resolver, and a graceful stop.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/config/config.h"
#include "engine/gateway/gateway_state.h"
#include "engine/io/dns_resolver.h"
#include "engine/telemetry/record_consumer.h"

namespace ringgate::gateway {

class Shard;

class Gateway {
 public:
  explicit Gateway(config::Config config);
  ~Gateway();

  // Resolves upstream names, opens one SO_REUSEPORT listener per shard and starts the shards.
  bool start(std::string& err);
  uint16_t port() const { return port_; }
  unsigned shard_count() const { return unsigned(shards_.size()); }
  // Stops accepting, lets in-flight requests finish (up to the drain timeout), then returns.
  void stop();

 private:
  std::shared_ptr<const config::Config> config_;
  std::unique_ptr<io::DnsResolver> resolver_;
  GatewayState state_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::unique_ptr<telemetry::RecordConsumer> records_;  // drains every shard's record ring
  std::vector<int> listen_fds_;
  uint16_t port_ = 0;
};

// Runs the gateway until SIGINT or SIGTERM, then drains. Returns the process exit code.
int serve_until_signalled(config::Config config);

}  // namespace ringgate::gateway
