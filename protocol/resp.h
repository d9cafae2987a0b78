// RESP2, the Redis wire protocol: an encoder of commands and an incremental reply reader. The
// reader keeps the bytes of a reply that has not fully arrived and parses again when more come,
// so input may be split at any byte; replies from a shared Redis are small (a lease script answers
// with a few integers), and every size is bounded so a broken or hostile server cannot make it
// allocate without limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/parse_status.h"

namespace ringgate::protocol {

// One reply. Simple strings, errors and bulk strings keep their bytes in `text`; a null bulk
// string or null array is kNull; arrays hold their elements.
struct RespValue {
  enum class Type : uint8_t { kSimple, kError, kInteger, kBulk, kNull, kArray };
  Type type = Type::kNull;
  int64_t integer = 0;
  std::string text;
  std::vector<RespValue> elements;

  bool is_error() const { return type == Type::kError; }
  bool operator==(const RespValue&) const = default;
};

// Appends one command as a RESP array of bulk strings ("*3\r\n$3\r\nSET\r\n..."). Any bytes are
// allowed in an argument: bulk strings are length-prefixed.
void append_resp_command(std::string& out, const std::vector<std::string_view>& args);

// Appends `value` in RESP form: the reader's inverse (tests and the fuzz target use it).
void append_resp_value(std::string& out, const RespValue& value);

class RespReader {
 public:
  struct Limits {
    size_t max_bulk_bytes = 1 << 20;
    size_t max_array_elements = 1024;  // per array
    size_t max_depth = 8;              // nesting of arrays
    size_t max_buffered_bytes = 4 << 20;
    size_t max_line_bytes = 512;  // a simple string, error or integer line
  };

  explicit RespReader(Limits limits) : limits_(limits) {}
  RespReader() : RespReader(Limits{}) {}

  // Adds received bytes. After an error the reader refuses everything: the stream is lost.
  void feed(std::string_view bytes);
  // kComplete: `out` is the next whole reply. kNeedMore: wait for more bytes. kError: the stream
  // is not RESP or breaks a limit (error_message() says which); the connection must be closed.
  ParseStatus next(RespValue& out);

  const char* error_message() const { return error_message_; }
  size_t buffered() const { return buffer_.size() - start_; }
  void reset();

 private:
  // Parses one value at `pos`; kNeedMore leaves `pos` unspecified.
  ParseStatus parse(size_t& pos, size_t depth, RespValue& out);
  ParseStatus line(size_t& pos, std::string_view& text);
  ParseStatus fail(const char* message);

  Limits limits_;
  std::string buffer_;
  size_t start_ = 0;  // first byte of the reply not yet returned
  bool failed_ = false;
  const char* error_message_ = "";
};

}  // namespace ringgate::protocol
