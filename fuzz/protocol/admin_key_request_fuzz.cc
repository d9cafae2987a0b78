// Invariants: the POST /admin/keys body parser never crashes; an accepted body has a valid id,
// an expiry after `now` when it has one; a refused one always says why.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>

#include "protocol/admin_key_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  static simdjson::dom::parser parser;
  constexpr int64_t kNow = 1'764'800'000;
  const std::string_view body(reinterpret_cast<const char*>(bytes), size);
  ringgate::protocol::AdminKeyRequest req;
  ringgate::protocol::AdminKeyRequestError err;
  if (ringgate::protocol::parse_admin_key_request(parser, body, kNow, req, err)) {
    if (!ringgate::protocol::valid_admin_key_id(req.id)) std::abort();
    if (req.expires_at && *req.expires_at <= kNow) std::abort();
  } else if (err.message.empty()) {
    std::abort();
  }
  return 0;
}
