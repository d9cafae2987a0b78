// Request ids: the client's own when it sent a sane one, else one made here that is unique across
// shards and restarts (a random salt, the shard id and a sequence number).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ringgate::pipeline {

// A client's X-Request-ID is kept when it is 1..128 characters of [A-Za-z0-9._:-].
bool acceptable_request_id(std::string_view id);

class RequestIdSource {
 public:
  RequestIdSource(uint64_t salt, unsigned shard_id);
  void next(std::string& out);

 private:
  std::string prefix_;
  uint64_t seq_ = 0;
};

}  // namespace ringgate::pipeline
