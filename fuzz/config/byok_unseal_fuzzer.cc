// unseal_provider_key and parse_master_key on arbitrary text: never crash; a blob that opens is one
// this master key sealed for this key id, and sealing what opened opens again to the same bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/config/byok_seal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ringgate::config;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)parse_master_key(text);
  MasterKey master{};
  for (size_t i = 0; i < master.size(); ++i) master[i] = uint8_t(i);
  std::string why;
  std::optional<std::string> plain = unseal_provider_key(master, "fuzz", text, why);
  if (!plain) {
    if (why.empty()) __builtin_trap();
    return 0;
  }
  std::optional<std::string> again = seal_provider_key(master, "fuzz", *plain);
  if (!again || unseal_provider_key(master, "fuzz", *again, why) != plain) __builtin_trap();
  return 0;
}
