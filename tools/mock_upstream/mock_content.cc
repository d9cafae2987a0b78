#include "tools/mock_upstream/mock_content.h"

#include <atomic>
#include <cmath>
#include <cstdio>

#include "tools/mock_upstream/json_text.h"

namespace ringgate::mock_upstream {
namespace {

constexpr std::string_view kWords[] = {
    "lorem",  "ipsum",  "dolor",  "sit",     "amet",        "consectetur", "adipiscing",
    "elit",   "sed",    "do",     "eiusmod", "tempor",      "incididunt",  "ut",
    "labore", "et",     "dolore", "magna",   "aliqua",      "enim",        "ad",
    "minim",  "veniam", "quis",   "nostrud", "exercitation"};

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t Fnv1a64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

size_t CountChars(simdjson::dom::element value) {
  std::string_view text;
  if (value.get(text) == simdjson::SUCCESS) return text.size();
  size_t total = 0;
  simdjson::dom::array items;
  if (value.get(items) == simdjson::SUCCESS) {
    for (simdjson::dom::element item : items) total += CountChars(item);
    return total;
  }
  simdjson::dom::object fields;
  if (value.get(fields) == simdjson::SUCCESS) {
    for (simdjson::dom::key_value_pair field : fields) total += CountChars(field.value);
  }
  return total;
}

void AppendSampleValue(std::string& out, simdjson::dom::element property, bool& used_city) {
  simdjson::dom::array choices;
  if (property["enum"].get(choices) == simdjson::SUCCESS && choices.size() > 0) {
    out += simdjson::minify(choices.at(0).value_unsafe());
    return;
  }
  std::string_view type;
  if (property["type"].get(type) != simdjson::SUCCESS) type = "string";
  if (type == "integer") {
    out += "1";
  } else if (type == "number") {
    out += "1.5";
  } else if (type == "boolean") {
    out += "true";
  } else if (type == "array") {
    out += "[]";
  } else if (type == "object") {
    out += "{}";
  } else if (type == "null") {
    out += "null";
  } else {
    out += used_city ? "\"mock\"" : "\"Paris\"";
    used_city = true;
  }
}

}  // namespace

std::string MockToken(int index) {
  std::string token;
  if (index > 0) token.push_back(' ');
  token.append(kWords[index % std::size(kWords)]);
  return token;
}

std::string MockText(int tokens) {
  std::string text;
  for (int i = 0; i < tokens; ++i) text += MockToken(i);
  return text;
}

std::vector<std::string> MockReasoning(std::string_view effort) {
  return {"Thinking", " at", " " + std::string(effort), " effort."};
}

int EstimateTokens(simdjson::dom::element value) {
  return static_cast<int>((CountChars(value) + 3) / 4);
}

int EstimateTokens(simdjson::dom::array values) {
  size_t chars = 0;
  for (simdjson::dom::element value : values) chars += CountChars(value);
  return static_cast<int>((chars + 3) / 4);
}

std::string ToolArguments(simdjson::dom::element schema, bool has_schema) {
  simdjson::dom::object properties;
  if (!has_schema || schema["properties"].get(properties) != simdjson::SUCCESS) {
    return "{\"location\":\"Paris\"}";
  }
  std::string out = "{";
  bool used_city = false;
  size_t count = 0;
  for (simdjson::dom::key_value_pair field : properties) {
    if (count++ == 16) break;
    if (out.size() > 1) out += ',';
    AppendJsonString(out, field.key);
    out += ':';
    AppendSampleValue(out, field.value, used_city);
  }
  out += '}';
  return out;
}

std::vector<std::string_view> SplitText(std::string_view text, size_t size) {
  std::vector<std::string_view> pieces;
  while (!text.empty()) {
    size_t take = std::min(size, text.size());
    while (take < text.size() && (static_cast<unsigned char>(text[take]) & 0xC0) == 0x80) ++take;
    pieces.push_back(text.substr(0, take));
    text.remove_prefix(take);
  }
  return pieces;
}

std::string NewId(std::string_view prefix) {
  static std::atomic<uint64_t> next{1};
  char digits[17];
  std::snprintf(digits, sizeof(digits), "%016llx",
                static_cast<unsigned long long>(next.fetch_add(1, std::memory_order_relaxed)));
  std::string id(prefix);
  id += "mock";
  id += digits;
  return id;
}

std::vector<float> EmbeddingFor(std::string_view input, int dims) {
  uint64_t seed = Fnv1a64(input);
  std::vector<float> v(dims);
  double norm = 0;
  for (int i = 0; i < dims; ++i) {
    uint64_t bits = SplitMix64(seed + static_cast<uint64_t>(i));
    double x = static_cast<double>(bits >> 11) / static_cast<double>(1ull << 53) * 2.0 - 1.0;
    v[i] = static_cast<float>(x);
    norm += x * x;
  }
  norm = std::sqrt(norm);
  if (norm > 0) {
    for (float& x : v) x = static_cast<float>(x / norm);
  }
  return v;
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto at = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < bytes.size()) {
    uint32_t n = at(i) << 16;
    if (i + 1 < bytes.size()) n |= at(i + 1) << 8;
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace ringgate::mock_upstream
