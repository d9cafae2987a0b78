#pragma once

#include <string>
#include <string_view>

namespace ringgate::cli {

// What one `ringgate top` frame shows: the admin API's replies as they came (empty when not
// fetched), where they came from, and why data is missing when it is.
struct TopFrameInput {
  std::string_view overview;     // GET /admin/overview
  std::string_view keys;         // GET /admin/keys
  std::string_view teams;        // GET /admin/teams
  std::string_view deployments;  // GET /admin/deployments
  std::string_view gateway;      // "127.0.0.1:8080", in the title
  std::string_view problem;      // one line under the title (a 401, an unreachable gateway)
};

// The frame as text: at most `height` lines, each ending in '\n' and at most `width` bytes, of
// printable ASCII only (a name from the JSON cannot move the cursor or widen a line). Overview,
// deployments with breaker states, then per key and team a bar per limit and budget; a missing
// or mistyped field shows as "-", a reply that is not JSON as no data. Lines beyond the height
// are counted on the last line. Pure: the same input gives the same frame.
std::string render_top_frame(const TopFrameInput& in, unsigned width, unsigned height);

}  // namespace ringgate::cli
