#include "protocol/chunked_encoder.h"

namespace ringgate::protocol {

ChunkSizeLine chunk_size_line(size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  ChunkSizeLine line;
  char digits[16];
  size_t n = 0;
  do {
    digits[n++] = kHex[size & 0xf];
    size >>= 4;
  } while (size != 0);
  for (size_t i = 0; i < n; ++i) line.bytes[i] = digits[n - 1 - i];
  line.bytes[n] = '\r';
  line.bytes[n + 1] = '\n';
  line.size = n + 2;
  return line;
}

void append_chunk(std::string& out, std::string_view data) {
  if (data.empty()) return;
  ChunkSizeLine line = chunk_size_line(data.size());
  out.reserve(out.size() + line.size + data.size() + kChunkEnd.size());
  out.append(line.view());
  out.append(data);
  out.append(kChunkEnd);
}

void append_last_chunk(std::string& out) { out.append(kLastChunk); }

}  // namespace ringgate::protocol
