// Invariants: split feeding (with the buffer moving between calls) gives the same result as one
// feed; a request that parses re-serializes to one that parses to the same method, target,
// headers and body; pipelined leftovers parse after reset().
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz/protocol/fuzz_split.h"
#include "protocol/http_header.h"
#include "protocol/http_request_parser.h"

namespace {

using namespace ringgate::protocol;

constexpr HttpLimits kLimits{4096, 32, 65536};

struct Outcome {
  ParseStatus status = ParseStatus::kNeedMore;
  int error_status = 0;
  bool head_complete = false;
  std::string method, target, body;
  std::vector<std::pair<std::string, std::string>> headers;
  int version_minor = 0;
  bool keep_alive = false, chunked = false, expect_continue = false;
  size_t consumed = 0;
  bool operator==(const Outcome&) const = default;
};

Outcome capture(const HttpRequestParser& p, ParseStatus st) {
  Outcome o;
  o.status = st;
  o.head_complete = p.head_complete();
  if (st == ParseStatus::kError) o.error_status = p.error().status;
  if (st != ParseStatus::kComplete) return o;
  const HttpRequest& r = p.request();
  o.method = r.method;
  o.target = r.target;
  o.body = r.body;
  for (const HttpHeader& h : r.headers) o.headers.emplace_back(h.name, h.value);
  o.version_minor = r.version_minor;
  o.keep_alive = r.keep_alive;
  o.chunked = r.chunked;
  o.expect_continue = r.expect_continue;
  o.consumed = p.consumed();
  if (r.path.size() > r.target.size() || r.target.substr(0, r.path.size()) != r.path) std::abort();
  if (p.consumed() == 0) std::abort();
  return o;
}

Outcome parse_split(std::string_view data, const std::vector<size_t>& cuts) {
  HttpRequestParser p(kLimits);
  ParseStatus st = ParseStatus::kNeedMore;
  std::string buf;
  for (size_t cut : cuts) {
    buf.assign(data.substr(0, cut));  // a fresh buffer each time: stale views would be caught
    buf.shrink_to_fit();
    st = p.parse(buf);
    if (st != ParseStatus::kNeedMore) return capture(p, st);
  }
  buf.assign(data);
  return capture(p, p.parse(buf));
}

bool is_framing(std::string_view name) {
  return ascii_iequals(name, "content-length") || ascii_iequals(name, "transfer-encoding");
}

void check_reserialization(const Outcome& o) {
  std::string wire =
      o.method + " " + o.target + " HTTP/1." + std::to_string(o.version_minor) + "\r\n";
  for (const auto& [name, value] : o.headers) {
    if (!is_framing(name)) wire += name + ": " + value + "\r\n";
  }
  wire += "Content-Length: " + std::to_string(o.body.size()) + "\r\n\r\n" + o.body;
  HttpRequestParser again(HttpLimits{1 << 20, 1024, 1 << 20});
  if (again.parse(wire) != ParseStatus::kComplete) std::abort();
  const HttpRequest& r = again.request();
  if (r.method != o.method || r.target != o.target || r.body != o.body) std::abort();
  std::vector<std::pair<std::string, std::string>> a, b;
  for (const auto& h : o.headers) {
    if (!is_framing(h.first)) a.push_back(h);
  }
  for (const HttpHeader& h : r.headers) {
    if (!is_framing(h.name)) b.emplace_back(h.name, h.value);
  }
  if (a != b) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  const std::string_view data(reinterpret_cast<const char*>(bytes), size);
  const Outcome whole = parse_split(data, {});
  if (parse_split(data, ringgate::fuzz::cuts_for(data)) != whole) std::abort();
  if (size <= 2048 && parse_split(data, ringgate::fuzz::every_byte(data)) != whole) std::abort();
  if (whole.status == ParseStatus::kComplete) {
    check_reserialization(whole);
    // Pipelined remainder: the same parser, reset, takes the following requests.
    HttpRequestParser p(kLimits);
    std::string_view rest = data;
    for (int i = 0; i < 8 && !rest.empty(); ++i) {
      if (p.parse(rest) != ParseStatus::kComplete) break;
      if (p.consumed() > rest.size()) std::abort();
      rest.remove_prefix(p.consumed());
      p.reset();
    }
  }
  return 0;
}
