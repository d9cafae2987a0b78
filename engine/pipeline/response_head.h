// Every response head ringgate sends a client is assembled here: the status line, the framing,
// and the lines every response carries (request id, stage-supplied headers, Connection), so a
// header that must be on every answer (rate limits, later) is added in one place. Pure: builds
// bytes, sends nothing (ResponseWriter sends).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ringgate::pipeline {

// How the body that follows a head is delimited.
enum class BodyFraming { kLength, kChunked, kUntilClose, kNone };

struct CommonHeaders {
  std::string_view request_id;
  std::string_view
      extra;            // whole header lines a verdict asked for on this head ("Allow: POST\r\n")
  bool close = false;   // the last response on this connection
  bool http10 = false;  // an HTTP/1.0 client, which closes unless told keep-alive
  // Whole header lines every head of the request carries, after `extra`: what a stage put in
  // RequestContext::response_headers (rate limits, CORS).
  std::string_view request_headers;
  // An Anthropic client, whose SDK reads the id from `request-id` (err.requestID,
  // _request_id): the same id again under that name.
  bool anthropic_request_id = false;
};

// "HTTP/1.1 <status> <reason>\r\n", replacing what `out` held.
void start_head(std::string& out, int status);
void append_header(std::string& out, std::string_view name, std::string_view value);
// Decimal digits of `n`, for header values (no temporary string).
void append_number(std::string& out, uint64_t n);
// Content-Length (kLength), Transfer-Encoding: chunked (kChunked), nothing otherwise.
void append_framing(std::string& out, BodyFraming framing, size_t length);
// The common lines and the blank line that ends the head.
void finish_head(std::string& out, const CommonHeaders& common);

}  // namespace ringgate::pipeline
