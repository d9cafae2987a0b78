// libFuzzer target for --url (tools/cli/gateway_url): any bytes, never a crash; what it
// accepts is a port of 1..65535 and a host without a scheme, path, user or space.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tools/cli/gateway_url.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view url(reinterpret_cast<const char*>(data), size);
  const auto a = ringgate::cli::parse_gateway_url(url);
  if (!a) return 0;
  const int port = std::atoi(a->port.c_str());
  if (a->host.empty() || port < 1 || port > 65535) std::abort();
  if (a->host.find_first_of("/@ ") != std::string::npos) std::abort();
  return 0;
}
