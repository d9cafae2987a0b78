#include "bench/load/request_builder.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string_view>

namespace ringgate::bench {
namespace {

bool has_header(const std::vector<std::string>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const std::string& header) {
    if (header.size() <= name.size() || header[name.size()] != ':') return false;
    for (size_t i = 0; i < name.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(header[i])) != name[i]) return false;
    }
    return true;
  });
}

}  // namespace

RequestBuilder::RequestBuilder(const std::string& method, const TargetUrl& target,
                               const std::vector<std::string>& headers, BodyTemplate body)
    : body_(std::move(body)) {
  head_ = method + " " + target.path + " HTTP/1.1\r\n";
  if (!has_header(headers, "host")) head_ += "Host: " + target.host_header + "\r\n";
  for (const std::string& header : headers) head_ += header + "\r\n";
  const bool has_body = !body_.text().empty();
  if (has_body && !has_header(headers, "content-type")) {
    head_ += "Content-Type: application/json\r\n";
  }
  // GET and HEAD without a body carry no Content-Length, as a browser or curl would send them.
  send_length_ = has_body || (method != "GET" && method != "HEAD");
  if (!varies()) {
    std::string scratch;
    build(0, 0, scratch, fixed_);
  }
}

void RequestBuilder::build(uint64_t seq, uint64_t rand, std::string& body_scratch,
                           std::string& out) const {
  body_scratch.clear();
  body_.render(seq, rand, body_scratch);
  out.clear();
  out.append(head_);
  if (send_length_) {
    char digits[20];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, body_scratch.size());
    out.append("Content-Length: ");
    out.append(digits, end);
    out.append("\r\n");
  }
  out.append("\r\n");
  out.append(body_scratch);
}

}  // namespace ringgate::bench
