// What a stage decides: the request goes on to the next stage, or it is answered here, with an
// error (rendered in the client's API shape by the session's writer) or a local body.
#pragma once

#include <string_view>

#include "protocol/api_error.h"

namespace ringgate::pipeline {

class Verdict {
 public:
  enum class Kind { kGoOn, kError, kLocal };

  Verdict() = default;  // goes on
  static Verdict go_on() { return Verdict(); }
  // `extra_headers`: whole header lines ("Allow: POST\r\n"), static strings only.
  static Verdict error(protocol::ApiError e, std::string_view extra_headers = {}) {
    Verdict v(Kind::kError);
    v.error_ = std::move(e);
    v.extra_headers_ = extra_headers;
    return v;
  }
  // `body` must outlive the answer: a static string or the request context's local_body.
  static Verdict local(int status, std::string_view content_type, std::string_view body,
                       std::string_view extra_headers = {}) {
    Verdict v(Kind::kLocal);
    v.status_ = status;
    v.content_type_ = content_type;
    v.body_ = body;
    v.extra_headers_ = extra_headers;
    return v;
  }

  bool goes_on() const { return kind_ == Kind::kGoOn; }
  Kind kind() const { return kind_; }
  const protocol::ApiError& api_error() const { return error_; }
  int status() const { return kind_ == Kind::kError ? error_.status : status_; }
  std::string_view content_type() const { return content_type_; }
  std::string_view body() const { return body_; }
  std::string_view extra_headers() const { return extra_headers_; }

 private:
  explicit Verdict(Kind k) : kind_(k) {}
  Kind kind_ = Kind::kGoOn;
  int status_ = 0;
  protocol::ApiError error_;
  std::string_view content_type_, body_, extra_headers_;
};

}  // namespace ringgate::pipeline
