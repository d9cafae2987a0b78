// Random bytes as the admin API's four replies and a terminal size: the frame renderer must
// answer a frame, never crash, and keep its promises whatever the JSON holds: at most `height`
// lines of at most `width` printable ASCII bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tools/cli/top_frame.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const unsigned width = 1 + data[0] % 200, height = 1 + data[1] % 80;
  std::string_view in(reinterpret_cast<const char*>(data + 2), size - 2);
  // Replies separated by 0x1e (ASCII record separator): overview, keys, teams, deployments,
  // then the problem line.
  std::string_view part[5];
  for (std::string_view& p : part) {
    const size_t cut = in.find('\x1e');
    p = in.substr(0, cut);
    in = cut == std::string_view::npos ? std::string_view() : in.substr(cut + 1);
  }
  const std::string frame = ringgate::cli::render_top_frame(
      {part[0], part[1], part[2], part[3], "127.0.0.1:8080", part[4]}, width, height);
  unsigned lines = 0;
  size_t line_len = 0;
  for (char c : frame) {
    if (c == '\n') {
      ++lines;
      line_len = 0;
      continue;
    }
    if (c < 0x20 || c > 0x7e || ++line_len > width) abort();
  }
  if (lines > height || (!frame.empty() && frame.back() != '\n')) abort();
  return 0;
}
