// Invariant: whatever a preflight names, the Allow-Headers value that comes back holds only
// names cors_request_header_allowed accepts, in the token alphabet, so no client text that is
// not a plain header name (CR, LF, colons) can reach a response head.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/cors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view requested(reinterpret_cast<const char*>(data), size);
  std::string out;
  size_t kept = ringgate::protocol::append_allowed_request_headers(out, requested);
  size_t names = 0;
  std::string_view rest = out;
  while (!rest.empty()) {
    size_t sep = rest.find(", ");
    std::string_view name = rest.substr(0, sep);
    ++names;
    if (!ringgate::protocol::cors_request_header_allowed(name)) abort();
    for (char c : name) {
      bool ok =
          (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
      if (!ok) abort();
    }
    rest.remove_prefix(sep == std::string_view::npos ? rest.size() : sep + 2);
  }
  if (names != kept) abort();
  return 0;
}
