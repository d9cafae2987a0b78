// Random bytes as a state-directory record and as /proc/PID/stat text: the parsers must answer
// nullopt or a value, never crash; a record that parses formats back to the same record.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/managed/state_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  if (const auto r = ringgate::managed::parse_state(in)) {
    const auto again = ringgate::managed::parse_state(ringgate::managed::format_state(*r));
    if (!again || !(*again == *r)) abort();
  }
  (void)ringgate::managed::parse_proc_stat(in);
  return 0;
}
