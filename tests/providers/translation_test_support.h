#pragma once

// Helpers shared by the providers tests: semantic JSON comparison, SSE splitting and feeding a
// stream translator through the real SSE framer with arbitrary read boundaries.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/sse_framer.h"

namespace ringgate::providers::testing {

// A translated body, parsed; the test fails if it is not JSON. Members by JSON pointer.
class Parsed {
 public:
  explicit Parsed(const std::string& body) { EXPECT_FALSE(parser_.parse(body).get(root_)) << body; }
  simdjson::dom::element operator[](std::string_view pointer) {
    simdjson::dom::element e;
    if (root_.at_pointer(pointer).get(e)) ADD_FAILURE() << "no " << pointer;
    return e;
  }
  bool has(std::string_view pointer) {
    simdjson::dom::element e;
    return !root_.at_pointer(pointer).get(e);
  }
  std::string str(std::string_view pointer) {
    return std::string(std::string_view((*this)[pointer]));
  }
  std::string json(std::string_view pointer) { return simdjson::minify((*this)[pointer]); }

 private:
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// True when the environment asks to rewrite golden outputs (for reviewing a deliberate change).
inline bool update_golden() { return std::getenv("RINGGATE_UPDATE_GOLDEN") != nullptr; }

namespace detail {

inline bool equal(simdjson::dom::element a, simdjson::dom::element b, std::string& path) {
  using T = simdjson::dom::element_type;
  auto ta = a.type(), tb = b.type();
  const auto numeric = [](T t) { return t == T::INT64 || t == T::UINT64 || t == T::DOUBLE; };
  if (numeric(ta) && numeric(tb)) {
    if (ta == T::DOUBLE || tb == T::DOUBLE) return double(a.get_double()) == double(b.get_double());
    if (ta != tb) return false;
    return ta == T::INT64 ? int64_t(a) == int64_t(b) : uint64_t(a) == uint64_t(b);
  }
  if (ta != tb) return false;
  switch (ta) {
    case T::OBJECT: {
      simdjson::dom::object oa = a, ob = b;
      if (oa.size() != ob.size()) {
        path += " (object sizes differ)";
        return false;
      }
      for (auto [key, value] : oa) {
        simdjson::dom::element other;
        std::string sub = path + "." + std::string(key);
        if (ob.at_key(key).get(other)) {
          path = sub + " (missing)";
          return false;
        }
        if (!equal(value, other, sub)) {
          path = sub;
          return false;
        }
      }
      return true;
    }
    case T::ARRAY: {
      simdjson::dom::array xa = a, xb = b;
      if (xa.size() != xb.size()) {
        path += " (array sizes differ)";
        return false;
      }
      size_t i = 0;
      auto ib = xb.begin();
      for (auto va : xa) {
        std::string sub = path + "[" + std::to_string(i++) + "]";
        if (!equal(va, *ib, sub)) {
          path = sub;
          return false;
        }
        ++ib;
      }
      return true;
    }
    case T::STRING:
      return std::string_view(a) == std::string_view(b);
    case T::BOOL:
      return bool(a) == bool(b);
    default:
      return true;  // null
  }
}

}  // namespace detail

// Compares two JSON texts by meaning: key order and number spelling do not matter.
inline ::testing::AssertionResult json_equivalent(std::string_view actual,
                                                  std::string_view expected) {
  simdjson::dom::parser pa, pb;
  simdjson::dom::element a, b;
  if (pa.parse(actual.data(), actual.size()).get(a)) {
    return ::testing::AssertionFailure() << "actual is not JSON: " << actual;
  }
  if (pb.parse(expected.data(), expected.size()).get(b)) {
    return ::testing::AssertionFailure() << "expected is not JSON: " << expected;
  }
  std::string path = "$";
  if (detail::equal(a, b, path)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "differs at " << path << "\n  actual:   " << actual << "\n  expected: " << expected;
}

struct SseRecord {
  std::string event;
  std::string data;
};

inline std::vector<SseRecord> parse_sse(std::string_view text) {
  protocol::SseFramer framer;
  std::vector<SseRecord> events;
  framer.feed(text, [&](const protocol::SseEvent& e) {
    events.push_back({std::string(e.event), std::string(e.data)});
  });
  return events;
}

// Event names must match exactly, data by JSON meaning ([DONE] literally).
inline ::testing::AssertionResult sse_equivalent(std::string_view actual,
                                                 std::string_view expected) {
  auto a = parse_sse(actual), b = parse_sse(expected);
  if (a.size() != b.size()) {
    return ::testing::AssertionFailure()
           << a.size() << " events, expected " << b.size() << "\nactual:\n"
           << actual;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].event != b[i].event) {
      return ::testing::AssertionFailure()
             << "event " << i << " is '" << a[i].event << "', expected '" << b[i].event << "'";
    }
    if (b[i].data == "[DONE]" || a[i].data == "[DONE]") {
      if (a[i].data != b[i].data) {
        return ::testing::AssertionFailure() << "event " << i << " data '" << a[i].data << "'";
      }
      continue;
    }
    auto r = json_equivalent(a[i].data, b[i].data);
    if (!r) return ::testing::AssertionFailure() << "event " << i << ": " << r.message();
  }
  return ::testing::AssertionSuccess();
}

// Feeds `input` to a fresh framer in pieces cut at `cuts` (sorted offsets), hands each event to
// the translator as it completes, then ends the stream. Returns everything the translator wrote.
template <class Stream>
std::string run_stream(Stream& stream, std::string_view input, const std::vector<size_t>& cuts) {
  protocol::SseFramer framer;
  std::string out;
  size_t begin = 0;
  auto feed = [&](std::string_view piece) {
    framer.feed(piece, [&](const protocol::SseEvent& e) { stream.on_event(e.event, e.data, out); });
  };
  for (size_t cut : cuts) {
    if (cut <= begin || cut >= input.size()) continue;
    feed(input.substr(begin, cut - begin));
    begin = cut;
  }
  feed(input.substr(begin));
  stream.finish(out);
  return out;
}

}  // namespace ringgate::providers::testing
