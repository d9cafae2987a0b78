#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ringgate::protocol {

// Chunked transfer coding, writing side.

// The "SIZE\r\n" line that precedes a chunk of `size` bytes, kept on the stack so a vectored send
// can frame a payload it does not copy: {line.view(), payload, kChunkEnd}.
struct ChunkSizeLine {
  char bytes[20];  // 16 hex digits + CRLF fits
  size_t size = 0;
  std::string_view view() const { return {bytes, size}; }
};

inline constexpr std::string_view kChunkEnd = "\r\n";        // follows each chunk's data
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";  // ends the body (no trailers)

ChunkSizeLine chunk_size_line(size_t size);

// Appends `data` as one chunk. Empty data appends nothing: an empty chunk would end the body.
void append_chunk(std::string& out, std::string_view data);
void append_last_chunk(std::string& out);

}  // namespace ringgate::protocol
