// Invariant: parse_admin_query never crashes, refuses with a message or accepts, and what it
// accepts is within the documented bounds.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/admin_query.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  using ringgate::protocol::AdminQuery;
  const std::string_view query(reinterpret_cast<const char*>(bytes), size);
  std::string error;
  const auto q = ringgate::protocol::parse_admin_query(query, error);
  if (q.has_value() == !error.empty()) std::abort();
  if (!q) return 0;
  if (q->limit < 1 || q->limit > AdminQuery::kMaxLimit) std::abort();
  if (q->key.size() > AdminQuery::kMaxId || q->model.size() > AdminQuery::kMaxId) std::abort();
  if (q->since && *q->since < 0) std::abort();
  return 0;
}
