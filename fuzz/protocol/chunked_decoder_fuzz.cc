// Invariants: split decoding equals whole decoding; data pieces lie inside the input; a decoded
// body re-encoded with the encoder decodes to the same bytes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz/protocol/fuzz_split.h"
#include "protocol/chunked_decoder.h"
#include "protocol/chunked_encoder.h"

namespace {

using namespace ringgate::protocol;

struct Outcome {
  ChunkedDecoder::Result result = ChunkedDecoder::Result::kNeedMore;
  ChunkedDecoder::Error error = ChunkedDecoder::Error::kNone;
  std::string body;
  size_t consumed = 0;
  bool operator==(const Outcome&) const = default;
};

Outcome decode(std::string_view input, const std::vector<size_t>& cuts) {
  ChunkedDecoder::Limits limits;
  limits.max_body_bytes = 1 << 16;
  limits.max_line_bytes = 256;
  limits.max_trailer_bytes = 1024;
  ChunkedDecoder d(limits);
  Outcome o;
  std::vector<size_t> ends = cuts;
  ends.push_back(input.size());
  size_t from = 0;
  for (size_t end : ends) {
    std::string piece(input.substr(from, end - from));
    from = end;
    std::string_view rest = piece;
    while (true) {
      size_t used = 0;
      std::string_view data;
      o.result = d.decode(rest, used, data);
      if (used > rest.size()) std::abort();
      if (o.result == ChunkedDecoder::Result::kData) {
        if (data.empty() || data.data() < rest.data() ||
            data.data() + data.size() > rest.data() + used) {
          std::abort();
        }
        o.body.append(data);
      }
      o.consumed += used;
      rest.remove_prefix(used);
      if (o.result != ChunkedDecoder::Result::kData) break;
    }
    if (o.result == ChunkedDecoder::Result::kNeedMore && !rest.empty()) std::abort();
    if (o.result != ChunkedDecoder::Result::kNeedMore) {
      o.error = d.error();
      return o;
    }
  }
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string_view data(reinterpret_cast<const char*>(bytes), size);
  const Outcome whole = decode(data, {});
  if (decode(data, ringgate::fuzz::cuts_for(data)) != whole) std::abort();
  if (size <= 4096 && decode(data, ringgate::fuzz::every_byte(data)) != whole) std::abort();
  if (whole.result == ChunkedDecoder::Result::kDone) {
    std::string wire;
    for (size_t off = 0; off < whole.body.size(); off += 7) {
      append_chunk(wire, std::string_view(whole.body).substr(off, 7));
    }
    append_last_chunk(wire);
    const Outcome again = decode(wire, {});
    if (again.result != ChunkedDecoder::Result::kDone || again.body != whole.body ||
        again.consumed != wire.size()) {
      std::abort();
    }
  }
  return 0;
}
