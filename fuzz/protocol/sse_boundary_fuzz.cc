// Invariants: however the stream is split, the scanner reports the same boundaries (each one a
// blank line by the slow definition, in order) and the same oversized verdict; the verdict and
// the last forwardable byte are those of the definition; memory is not its concern (it holds none).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz/protocol/fuzz_split.h"
#include "protocol/sse_boundary.h"

namespace {

using ringgate::protocol::SseBoundaryScanner;

constexpr size_t kMaxEvent = 64;

struct Outcome {
  std::vector<size_t> ends;  // absolute end of the last boundary reported by each feed
  bool oversized = false;
  bool operator==(const Outcome&) const = default;
};

bool is_boundary_end(std::string_view s, size_t end) {
  auto at = [&](size_t i) { return end < i ? '\n' : s[end - i]; };
  return s[end - 1] == '\n' && (at(2) == '\n' || (at(2) == '\r' && at(3) == '\n'));
}

// The definition: events end at boundaries; an event's size leaves out its blank line, and a
// trailing CR right after a line end may still begin one.
Outcome reference(std::string_view s) {
  Outcome o;
  size_t start = 0;
  for (size_t end = 1; end <= s.size(); ++end) {
    if (!is_boundary_end(s, end)) continue;
    const size_t blank = end >= 2 && s[end - 2] == '\r' ? 2 : 1;
    if (end - start - blank > kMaxEvent) {
      o.oversized = true;
      return o;
    }
    o.ends.assign(1, end);
    start = end;
  }
  size_t tail = s.size() - start;
  if (tail >= 2 && s.back() == '\r' && s[s.size() - 2] == '\n') --tail;
  if (tail == 1 && s.back() == '\r' && start == s.size() - 1) --tail;  // CR at a line start
  o.oversized = tail > kMaxEvent;
  return o;
}

Outcome scan(std::string_view input, const std::vector<size_t>& cuts) {
  SseBoundaryScanner scanner(kMaxEvent);
  Outcome o;
  std::vector<size_t> ends = cuts;
  ends.push_back(input.size());
  size_t from = 0;
  for (size_t end : ends) {
    const std::string piece(input.substr(from, end - from));
    if (size_t n = scanner.feed(piece); n > 0) {
      if (!is_boundary_end(input, from + n)) std::abort();
      if (!o.ends.empty() && o.ends.back() >= from + n) std::abort();
      o.ends.push_back(from + n);
    }
    from = end;
  }
  o.oversized = scanner.oversized();
  return o;
}

Outcome last_only(Outcome o) {
  if (o.ends.size() > 1) o.ends.erase(o.ends.begin(), o.ends.end() - 1);
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string_view data(reinterpret_cast<const char*>(bytes), size);
  const Outcome whole = scan(data, {});
  if (whole != reference(data)) std::abort();
  if (last_only(scan(data, ringgate::fuzz::cuts_for(data))) != whole) std::abort();
  if (size <= 4096 && last_only(scan(data, ringgate::fuzz::every_byte(data))) != whole) std::abort();
  return 0;
}
