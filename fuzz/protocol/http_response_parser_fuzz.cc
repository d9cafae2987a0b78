// Invariant: however the bytes are split (head accumulated and passed whole, body fed as it
// arrives), the head, the de-framed body, the end of the message and the verdict are the same.
// The first input byte picks options: bit 0 set_no_body, bit 1 finish_eof at the end, bit 2 a
// small body cap.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz/protocol/fuzz_split.h"
#include "protocol/http_response_parser.h"

namespace {

using namespace ringgate::protocol;

struct Outcome {
  ParseStatus status = ParseStatus::kNeedMore;
  int code = 0;
  std::string reason, body, leftover;
  std::vector<std::pair<std::string, std::string>> headers;
  bool keep_alive = false, chunked = false;
  bool operator==(const Outcome&) const = default;
};

Outcome run(std::string_view input, const std::vector<size_t>& cuts, uint8_t options) {
  HttpResponseParser p(4096);
  if (options & 1) p.set_no_body();
  if (options & 4) p.set_max_body_bytes(100);
  Outcome o;
  std::string head_buf;
  std::vector<std::string_view> out;
  std::vector<size_t> ends = cuts;
  ends.push_back(input.size());
  size_t from = 0;
  for (size_t end : ends) {
    std::string piece(input.substr(from, end - from));
    from = end;
    std::string_view fed;
    if (!p.head_complete()) {
      head_buf += piece;
      fed = head_buf;
    } else {
      fed = piece;
    }
    out.clear();
    o.status = p.feed(fed, out);
    if (p.consumed() > fed.size()) std::abort();
    for (std::string_view s : out) {
      if (s.data() < fed.data() || s.data() + s.size() > fed.data() + fed.size()) std::abort();
      o.body.append(s);
    }
    if (p.head_complete() && o.code == 0) {
      o.code = p.head().status;
      o.reason = p.head().reason;
      for (const HttpHeader& h : p.head().headers) o.headers.emplace_back(h.name, h.value);
      o.keep_alive = p.head().keep_alive;
      o.chunked = p.head().chunked;
    }
    if (o.status == ParseStatus::kComplete) {
      o.leftover = std::string(fed.substr(p.consumed()));
      o.leftover.append(input.substr(from));
      return o;
    }
    if (o.status == ParseStatus::kError) return o;
    if (p.head_complete() && p.consumed() != fed.size()) std::abort();
  }
  if (options & 2) o.status = p.finish_eof();
  if ((options & 4) && p.body_bytes() > 100) std::abort();
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size == 0) return 0;
  const uint8_t options = bytes[0];
  const std::string_view data(reinterpret_cast<const char*>(bytes) + 1, size - 1);
  const Outcome whole = run(data, {}, options);
  if (run(data, ringgate::fuzz::cuts_for(data), options) != whole) std::abort();
  if (data.size() <= 2048 && run(data, ringgate::fuzz::every_byte(data), options) != whole) {
    std::abort();
  }
  return 0;
}
