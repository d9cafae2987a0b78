#include "engine/cluster/lease_script.h"

#include <openssl/sha.h>

#include <vector>

namespace ringgate::cluster {
namespace {

// KEYS[1] the window's hash. ARGV: node, delta, limit, ttl_ms, restore.
constexpr std::string_view kScript = R"lua(
local key, node = KEYS[1], ARGV[1]
local delta, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local ttl, restore = tonumber(ARGV[4]), tonumber(ARGV[5])
if restore >= 0 then
  local have = tonumber(redis.call('HGET', key, node) or '0')
  if restore > have then redis.call('HSET', key, node, restore) end
end
local used = 0
for _, v in ipairs(redis.call('HVALS', key)) do used = used + tonumber(v) end
local grant = delta
if delta > 0 then
  grant = math.max(0, math.min(delta, limit - used))
elseif delta < 0 then
  local mine = tonumber(redis.call('HGET', key, node) or '0')
  grant = -math.min(-delta, mine)
end
if grant ~= 0 then redis.call('HINCRBY', key, node, grant) end
if used + grant > 0 or restore >= 0 then redis.call('PEXPIRE', key, ttl) end
return {grant, used + grant}
)lua";

std::string hex_sha1(std::string_view text) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

}  // namespace

std::string_view lease_script() { return kScript; }

const std::string& lease_script_sha1() {
  static const std::string sha = hex_sha1(kScript);
  return sha;
}

std::string lease_key(std::string_view scope, uint64_t window, uint64_t window_s) {
  std::string key = "rg:{";
  key.append(scope);
  key.append("}:");
  key.append(std::to_string(window * window_s));
  return key;
}

void append_lease_call(std::string& out, const LeaseCall& c, bool by_sha) {
  const std::string key = lease_key(c.scope, c.window, c.window_s);
  // Kept a window past its end, so a late return still finds its hash.
  const std::string ttl = std::to_string((c.ttl_s ? c.ttl_s : 2 * c.window_s) * 1000);
  const std::string delta = std::to_string(c.delta), limit = std::to_string(c.limit),
                    restore = std::to_string(c.restore);
  protocol::append_resp_command(
      out, {by_sha ? "EVALSHA" : "EVAL", by_sha ? std::string_view(lease_script_sha1()) : kScript,
            "1", key, c.node, delta, limit, ttl, restore});
}

LeaseReply parse_lease_reply(const protocol::RespValue& v) {
  using Type = protocol::RespValue::Type;
  LeaseReply r;
  if (v.is_error()) {
    r.noscript = v.text.rfind("NOSCRIPT", 0) == 0;
    r.error = v.text;
    return r;
  }
  if (v.type != Type::kArray || v.elements.size() != 2 || v.elements[0].type != Type::kInteger ||
      v.elements[1].type != Type::kInteger) {
    r.error = "unexpected reply to the lease script";
    return r;
  }
  r.ok = true;
  r.granted = v.elements[0].integer;
  r.fleet_used = v.elements[1].integer;
  return r;
}

}  // namespace ringgate::cluster
