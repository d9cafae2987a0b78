// The transform slot of a BodyRelay: turns upstream body bytes into the client's (translation
// between provider APIs, see stream_translation.h). Pure: bytes in, bytes out.
#pragma once

#include <string>
#include <string_view>

namespace ringgate::pipeline {

class BodyTransform {
 public:
  // Appends to `out` what the client gets for the next upstream bytes. False once the stream
  // broke here (an event over the cap): the transform has appended its client's error end.
  virtual bool feed(std::string_view bytes, std::string& out) = 0;
  // The stream ends: a clean end, or on an unfinished stream the client's error event.
  virtual void finish(std::string& out) = 0;
  // The upstream broke off (`why` says how, for the client's error event); finish() unless the
  // transform tells it its own way.
  virtual void fail(std::string& out, const char* why) {
    (void)why;
    finish(out);
  }

 protected:
  ~BodyTransform() = default;
};

}  // namespace ringgate::pipeline
