#include "engine/pipeline/request_id.h"

#include <cctype>
#include <charconv>
#include <cstdio>

namespace ringgate::pipeline {

bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':'))
      return false;
  }
  return true;
}

RequestIdSource::RequestIdSource(uint64_t salt, unsigned shard_id) {
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "rg-%016llx-%u-", static_cast<unsigned long long>(salt),
                        shard_id);
  prefix_.assign(buf, size_t(n));
}

void RequestIdSource::next(std::string& out) {
  char num[24];
  auto [end, ec] = std::to_chars(num, num + sizeof num, ++seq_);
  out.assign(prefix_);
  out.append(num, end);
}

}  // namespace ringgate::pipeline
