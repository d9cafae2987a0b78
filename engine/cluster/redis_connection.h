// One TCP connection to Redis, used by the fleet thread alone: a batch of commands is written at
// once (pipelined) and its replies read back under one deadline, so a slow or silent Redis
// costs at most timeout_ms and never blocks a shard (shards never call this).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/resp.h"

namespace ringgate::cluster {

class RedisConnection {
 public:
  RedisConnection() = default;
  ~RedisConnection() { close(); }
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // host: an IPv4 or IPv6 literal. false with `err` on failure or after timeout_ms.
  bool connect(const std::string& host, uint16_t port, int timeout_ms, std::string& err);
  // Writes `commands` (RESP, `count` of them) and reads `count` replies within timeout_ms. Any
  // failure closes the connection: replies already read cannot be matched to a retry.
  bool round_trip(const std::string& commands, size_t count, std::vector<protocol::RespValue>& out,
                  int timeout_ms, std::string& err);
  bool connected() const { return fd_ >= 0; }
  void close();

 private:
  bool write_all(const std::string& bytes, int64_t deadline_ms, std::string& err);
  bool wait(short events, int64_t deadline_ms, std::string& err);

  int fd_ = -1;
  protocol::RespReader reader_;
};

}  // namespace ringgate::cluster
