#include "engine/pipeline/response_head.h"

#include <charconv>

#include "protocol/error_body.h"

namespace ringgate::pipeline {

void append_number(std::string& out, uint64_t n) {
  char num[24];
  auto [end, ec] = std::to_chars(num, num + sizeof num, n);
  out.append(num, end);
}

void start_head(std::string& out, int status) {
  out.assign("HTTP/1.1 ");
  append_number(out, size_t(status));
  out.push_back(' ');
  out.append(protocol::status_reason(status));
  out.append("\r\n");
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

void append_framing(std::string& out, BodyFraming framing, size_t length) {
  if (framing == BodyFraming::kChunked) {
    out.append("Transfer-Encoding: chunked\r\n");
  } else if (framing == BodyFraming::kLength) {
    out.append("Content-Length: ");
    append_number(out, length);
    out.append("\r\n");
  }
}

void finish_head(std::string& out, const CommonHeaders& common) {
  append_header(out, "X-Request-ID", common.request_id);
  if (common.anthropic_request_id) append_header(out, "request-id", common.request_id);
  out.append(common.extra);
  out.append(common.request_headers);
  if (common.close) {
    out.append("Connection: close\r\n");
  } else if (common.http10) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
}

}  // namespace ringgate::pipeline
