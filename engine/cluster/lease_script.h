// The one server-side script every lease operation runs, so a grant is atomic across the fleet:
// per window, a Redis hash holds each node's net grant (granted minus returned); a grant is
// capped so the fleet's sum never passes the limit. The same script returns leftovers (a negative
// delta) and, after Redis lost its data, restores this node's net grant (restore >= 0).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/resp.h"

namespace ringgate::cluster {

std::string_view lease_script();
const std::string& lease_script_sha1();  // hex, for EVALSHA

struct LeaseCall {
  std::string_view scope;  // "key:alice:rpm"
  uint64_t window = 0;     // window number (unix seconds / window length)
  uint64_t window_s = 60;
  std::string_view node;
  int64_t delta = 0;  // > 0: ask for up to this many; < 0: return; 0: only restore
  uint64_t limit = 0;
  int64_t restore = -1;  // >= 0: this node's net grant for the window, if Redis has less
  uint64_t ttl_s = 0;    // how long the hash outlives its last call; 0: two windows
};

// "rg:{key:alice:rpm}:<window start unix s>" (window_s = 1: the window's number, as for calendar
// months and all time): the braces keep one scope on one Redis Cluster slot.
std::string lease_key(std::string_view scope, uint64_t window, uint64_t window_s);
// Appends EVALSHA (or EVAL with the script's text, after a NOSCRIPT reply) for `call`.
void append_lease_call(std::string& out, const LeaseCall& call, bool by_sha);

struct LeaseReply {
  bool ok = false;
  bool noscript = false;   // the script is not loaded: send it again as EVAL
  int64_t granted = 0;     // what the delta became (capped; negative for a return)
  int64_t fleet_used = 0;  // the fleet's net grants in the window after this call
  std::string error;
};
LeaseReply parse_lease_reply(const protocol::RespValue& v);

}  // namespace ringgate::cluster
