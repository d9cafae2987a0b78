#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/load/body_template.h"
#include "bench/load/target_url.h"

namespace ringgate::bench {

// Serialises the HTTP/1.1 requests the generator sends. When the body has no placeholders every
// request is the same bytes, built once and shared by all connections.
class RequestBuilder {
 public:
  RequestBuilder(const std::string& method, const TargetUrl& target,
                 const std::vector<std::string>& headers, BodyTemplate body);

  bool varies() const { return body_.has_placeholders(); }
  // The request when !varies().
  const std::string& fixed_request() const { return fixed_; }

  // Writes request number `seq` into `out` (cleared first). `body_scratch` is working space;
  // both keep their capacity between calls, so steady state does not allocate.
  void build(uint64_t seq, uint64_t rand, std::string& body_scratch, std::string& out) const;

  // Upper bound hint for reserving per-connection buffers.
  size_t size_hint() const { return head_.size() + body_.text().size() + 64; }

 private:
  std::string head_;  // request line and headers, without Content-Length and the blank line
  BodyTemplate body_;
  bool send_length_ = true;
  std::string fixed_;
};

}  // namespace ringgate::bench
