#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ringgate::providers {

// Decodes one top-level string member of a JSON object that arrives in fragments (a custom tool
// call's arguments, {"input": "..."}, streamed as function-call argument pieces), so the decoded
// text can go to the client as it comes instead of after the last fragment. Other members are
// skipped. Only the few bytes of an escape split across fragments are carried.
class StreamedStringField {
 public:
  explicit StreamedStringField(std::string_view key = "input") : key_(key) {}

  // Appends to `decoded` the bytes of the member's value that `fragment` completes.
  void feed(std::string_view fragment, std::string& decoded);

  // False once the input stopped being an object with that member as a string: the caller then
  // parses the whole arguments instead.
  bool ok() const { return state_ != State::kFailed; }
  // The value's closing quote was seen.
  bool complete() const { return value_done_; }

 private:
  enum class State : uint8_t {
    kStart,
    kBeforeKey,
    kKey,
    kColon,
    kValueStart,
    kValue,
    kEscape,
    kUnicode,
    kLowSurrogateBackslash,
    kLowSurrogateU,
    kSkipString,
    kSkipNested,
    kSkipScalar,
    kAfterValue,
    kEnd,
    kFailed,
  };

  void step(char c, std::string& decoded);
  void step_between_values(char c);  // the object's own syntax: braces, names, colons, commas
  void on_value_start(char c);
  void on_escape(char c, std::string& decoded);
  void on_hex(char c, std::string& decoded);
  void skip_nested(char c);

  std::string key_;
  std::string current_key_;  // a member name without escapes (one with escapes fails over)
  State state_ = State::kStart;
  bool value_done_ = false;
  // Skipping a nested value: its depth, and whether we are inside one of its strings.
  int depth_ = 0;
  bool in_string_ = false;
  bool string_escape_ = false;
  // A \uXXXX escape: hex digits read so far, the code unit, and a pending high surrogate.
  int hex_digits_ = 0;
  uint32_t code_ = 0;
  uint32_t high_surrogate_ = 0;
};

}  // namespace ringgate::providers
