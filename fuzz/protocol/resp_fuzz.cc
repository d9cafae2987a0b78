// Invariants: replies read from split input equal those read whole; every reply re-encoded and
// read again is the same reply; an error is final.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz/protocol/fuzz_split.h"
#include "protocol/resp.h"

namespace {

using namespace ringgate::protocol;

struct Outcome {
  std::vector<RespValue> replies;
  ParseStatus last = ParseStatus::kNeedMore;
  bool operator==(const Outcome&) const = default;
};

RespReader::Limits small_limits() {
  RespReader::Limits limits;
  limits.max_bulk_bytes = 1024;
  limits.max_array_elements = 64;
  limits.max_depth = 6;
  limits.max_buffered_bytes = 1 << 16;
  limits.max_line_bytes = 64;
  return limits;
}

Outcome read(std::string_view input, const std::vector<size_t>& cuts) {
  RespReader reader(small_limits());
  Outcome o;
  std::vector<size_t> ends = cuts;
  ends.push_back(input.size());
  size_t from = 0;
  for (size_t end : ends) {
    reader.feed(input.substr(from, end - from));
    from = end;
    RespValue v;
    while ((o.last = reader.next(v)) == ParseStatus::kComplete) o.replies.push_back(std::move(v));
    if (o.last == ParseStatus::kError) {
      if (reader.next(v) != ParseStatus::kError) std::abort();
      return o;
    }
  }
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string_view data(reinterpret_cast<const char*>(bytes), size);
  const Outcome whole = read(data, {});
  if (read(data, ringgate::fuzz::cuts_for(data)) != whole) std::abort();
  if (size <= 4096 && read(data, ringgate::fuzz::every_byte(data)) != whole) std::abort();
  std::string wire;
  for (const RespValue& v : whole.replies) append_resp_value(wire, v);
  const Outcome again = read(wire, {});
  if (again.replies != whole.replies || again.last != ParseStatus::kNeedMore) std::abort();
  return 0;
}
