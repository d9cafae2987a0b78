// Fuzzes the rate-limit header translation (providers/response_headers.h). The input is taken
// three ways: as an OpenAI reset duration, as an RFC 3339 time, and as header lines
// ("name: value" per line) translated both ways. Checked: no crash; a duration that parses
// formats and parses back to the same milliseconds; a time that parses formats (whole seconds)
// and parses back to the same second; translated output is whole header lines of the target
// dialect whose names and values carry no CR, LF or NUL, and translating OpenAI -> Anthropic ->
// OpenAI keeps each limit and remaining value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "providers/response_headers.h"

namespace {

using ringgate::protocol::ApiFront;
using ringgate::protocol::HttpHeader;
namespace p = ringgate::providers;

constexpr int64_t kNowMs = 1796180645123;  // 2026-12-02T03:04:05.123Z

void check_lines(std::string_view out, ApiFront to) {
  while (!out.empty()) {
    const size_t end = out.find("\r\n");
    if (end == std::string_view::npos) std::abort();  // every line ends in CRLF
    const std::string_view line = out.substr(0, end);
    const size_t colon = line.find(": ");
    if (colon == std::string_view::npos || colon == 0) std::abort();
    const std::string_view name = line.substr(0, colon);
    if (!p::is_rate_limit_header(name)) std::abort();
    const bool openai = name.substr(0, 12) == "x-ratelimit-";
    if (openai != (to == ApiFront::kOpenAi)) std::abort();
    for (char c : line)
      if (c == '\r' || c == '\n' || c == '\0') std::abort();
    out.remove_prefix(end + 2);
  }
}

std::vector<HttpHeader> headers_of(std::string_view text) {
  std::vector<HttpHeader> h;
  while (!text.empty() && h.size() < 64) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    // Values as a parser hands them over: no CR, LF or NUL inside.
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) continue;
    if (line.substr(0, colon).find_first_of(std::string_view("\r\n\0 ", 4)) !=
        std::string_view::npos)
      continue;
    h.push_back({line.substr(0, colon), value});
  }
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  uint64_t ms = 0;
  if (p::parse_openai_duration(text, ms)) {
    if (ms > 1'000'000'000'000ull) std::abort();
    std::string s;
    p::append_openai_duration(s, ms);
    uint64_t back = 0;
    if (!p::parse_openai_duration(s, back) || back != ms) std::abort();
  }

  int64_t at = 0;
  if (p::parse_rfc3339(text, at)) {
    const int64_t secs = at >= 0 ? at / 1000 : (at - 999) / 1000;
    std::string s;
    p::append_rfc3339(s, secs);
    int64_t back = 0;
    // Years past 9999 or before 0 print in a form RFC 3339 does not have.
    if (secs >= -62167219200 && secs < 253402300800) {
      if (!p::parse_rfc3339(s, back) || back != secs * 1000) std::abort();
    }
  }

  const std::vector<HttpHeader> h = headers_of(text);
  for (ApiFront from : {ApiFront::kOpenAi, ApiFront::kAnthropic}) {
    const ApiFront to = from == ApiFront::kOpenAi ? ApiFront::kAnthropic : ApiFront::kOpenAi;
    std::string out;
    p::translate_rate_limit_headers(h, from, to, kNowMs, out);
    check_lines(out, to);
    if (from == ApiFront::kOpenAi) {
      // And back: the counts survive the round trip. (`lf` owns what `again` views.)
      std::string lf = out;
      for (size_t i; (i = lf.find("\r\n")) != std::string::npos;) lf.replace(i, 2, "\n");
      const std::vector<HttpHeader> again = headers_of(lf);
      std::string back;
      p::translate_rate_limit_headers(again, ApiFront::kAnthropic, ApiFront::kOpenAi, kNowMs, back);
      check_lines(back, ApiFront::kOpenAi);
      for (std::string_view field :
           {"x-ratelimit-limit-requests: ", "x-ratelimit-remaining-tokens: "}) {
        const size_t a = back.find(field);
        if (a == std::string::npos) continue;
        const std::string_view v = std::string_view(back).substr(a + field.size());
        const std::string_view value = v.substr(0, v.find("\r\n"));
        bool found = false;
        for (const HttpHeader& x : h) {
          if (x.value == value || x.value.find(value) != std::string_view::npos) found = true;
        }
        if (!found) std::abort();
      }
    }
  }
  std::string carried;
  p::CarriedHeaderOptions o;
  o.now_unix_ms = kNowMs;
  p::append_carried_headers(h, o, carried);
  return 0;
}
