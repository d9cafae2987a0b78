#include "cache/canonical_request.h"

#include <openssl/evp.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

namespace ringgate::cache {
namespace {

constexpr std::string_view kIgnoredFields[] = {
    "model",
    "prompt_cache_key",
    "prompt_cache_retention",
    "metadata",
    "safety_identifier",
    "service_tier",
    "store",
    "stream",
    "stream_options",
    "user",
};
constexpr int kMaxDepth = 64;
constexpr size_t kFlushBytes = 16 << 10;

// Tags of the canonical encoding; each value is tag + payload, strings and containers carry
// their length or count, so no two different trees encode to the same bytes.
enum Tag : char {
  kNull = 'n',
  kFalse = 'f',
  kTrue = 't',
  kInt = 'i',
  kUint = 'u',
  kDouble = 'd',
  kString = 's',
  kArray = 'a',
  kObject = 'o',
  kField = 'F',
};

// Feeds the canonical bytes into SHA-256 through a small buffer.
class Hasher {
 public:
  Hasher() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    ok_ = ctx_ && EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) == 1;
  }
  void bytes(const void* data, size_t size) {
    buffer_.append(static_cast<const char*>(data), size);
    if (buffer_.size() >= kFlushBytes) flush();
  }
  void tag(Tag t) { buffer_.push_back(static_cast<char>(t)); }
  void u64(uint64_t v) {
    uint8_t le[8];
    for (int i = 0; i < 8; ++i) le[i] = static_cast<uint8_t>(v >> (8 * i));
    bytes(le, sizeof le);
  }
  void string(std::string_view s) {
    tag(kString);
    u64(s.size());
    bytes(s.data(), s.size());
  }
  std::optional<CacheKey> finish() {
    flush();
    CacheKey key;
    unsigned int size = 0;
    if (!ok_ || EVP_DigestFinal_ex(ctx_.get(), key.bytes.data(), &size) != 1 || size != 32)
      return std::nullopt;
    return key;
  }

 private:
  void flush() {
    if (ok_ && !buffer_.empty()) ok_ = EVP_DigestUpdate(ctx_.get(), buffer_.data(), buffer_.size());
    buffer_.clear();
  }
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
  std::string buffer_;
  bool ok_ = false;
};

bool ignored(std::string_view key) {
  return std::find(std::begin(kIgnoredFields), std::end(kIgnoredFields), key) !=
         std::end(kIgnoredFields);
}

void encode_number(Hasher& h, double d) {
  if (d == 0) d = 0;  // -0.0 == 0.0
  if (std::nearbyint(d) == d && d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
    h.tag(kInt);
    h.u64(static_cast<uint64_t>(static_cast<int64_t>(d)));
  } else if (std::nearbyint(d) == d && d >= 0 && d < 18446744073709551616.0) {
    h.tag(kUint);
    h.u64(static_cast<uint64_t>(d));
  } else {
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    h.tag(kDouble);
    h.u64(bits);
  }
}

void encode_unsigned(Hasher& h, uint64_t v) {
  if (v <= static_cast<uint64_t>(INT64_MAX)) {
    h.tag(kInt);
  } else {
    h.tag(kUint);
  }
  h.u64(v);
}

bool encode(Hasher& h, simdjson::dom::element value, int depth);

// Sorted by decoded key; false on a duplicate key. top_level drops kIgnoredFields.
bool encode_object(Hasher& h, simdjson::dom::object object, int depth, bool top_level) {
  std::vector<std::pair<std::string_view, simdjson::dom::element>> fields;
  for (auto field : object) {
    if (top_level && ignored(field.key)) continue;
    fields.emplace_back(field.key, field.value);
  }
  std::sort(fields.begin(), fields.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 1; i < fields.size(); ++i) {
    if (fields[i].first == fields[i - 1].first) return false;
  }
  h.tag(kObject);
  h.u64(fields.size());
  for (const auto& [key, value] : fields) {
    h.string(key);
    if (!encode(h, value, depth + 1)) return false;
  }
  return true;
}

bool encode(Hasher& h, simdjson::dom::element value, int depth) {
  if (depth > kMaxDepth) return false;
  using Type = simdjson::dom::element_type;
  switch (value.type()) {
    case Type::OBJECT:
      return encode_object(h, value.get_object().value_unsafe(), depth, false);
    case Type::ARRAY: {
      auto array = value.get_array().value_unsafe();
      h.tag(kArray);
      h.u64(array.size());
      for (auto item : array) {
        if (!encode(h, item, depth + 1)) return false;
      }
      return true;
    }
    case Type::STRING:
      h.string(value.get_string().value_unsafe());
      return true;
    case Type::INT64: {
      const int64_t v = value.get_int64().value_unsafe();
      h.tag(kInt);
      h.u64(static_cast<uint64_t>(v));
      return true;
    }
    case Type::UINT64:
      encode_unsigned(h, value.get_uint64().value_unsafe());
      return true;
    case Type::DOUBLE:
      encode_number(h, value.get_double().value_unsafe());
      return true;
    case Type::BOOL:
      h.tag(value.get_bool().value_unsafe() ? kTrue : kFalse);
      return true;
    case Type::NULL_VALUE:
      h.tag(kNull);
      return true;
  }
  return false;
}

void encode_field(Hasher& h, std::string_view value) {
  h.tag(kField);
  h.string(value);
}

std::optional<double> number_field(simdjson::dom::object object, std::string_view name) {
  double d;
  if (object[name].get_double().get(d) == simdjson::SUCCESS) return d;
  return std::nullopt;
}

}  // namespace

std::string CacheKey::hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

size_t CacheKeyHash::operator()(const CacheKey& key) const {
  size_t h;
  std::memcpy(&h, key.bytes.data(), sizeof h);
  return h;
}

std::span<const std::string_view> ignored_fields() { return kIgnoredFields; }

std::optional<CanonicalKeyResult> canonical_request_key(const CanonicalRequest& request) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(request.body.data(), request.body.size()).get_object().get(object) !=
      simdjson::SUCCESS)
    return std::nullopt;
  Hasher h;
  h.string("ringgate-exact-cache-v1");  // versioned: a change of encoding changes every key
  encode_field(h, request.scope);
  encode_field(h, request.front);
  encode_field(h, request.endpoint);
  encode_field(h, request.model);
  if (!encode_object(h, object, 0, true)) return std::nullopt;
  auto key = h.finish();
  if (!key) return std::nullopt;
  return CanonicalKeyResult{*key, number_field(object, "temperature")};
}

std::optional<CachePolicy> parse_cache_policy(std::string_view name) {
  if (name == "never") return CachePolicy::kNever;
  if (name == "temperature_zero") return CachePolicy::kTemperatureZero;
  if (name == "always") return CachePolicy::kAlways;
  return std::nullopt;
}

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether a comma-separated Cache-Control value holds `directive` (arguments ignored).
bool has_directive(std::string_view value, std::string_view directive) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    item = trim(item.substr(0, item.find('=')));
    if (iequals(item, directive)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

CacheDecision decide_cache(CachePolicy policy, std::optional<double> temperature,
                           const CacheRequestHeaders& headers) {
  bool allowed = policy == CachePolicy::kAlways ||
                 (policy == CachePolicy::kTemperatureZero && temperature && *temperature == 0);
  if (iequals(trim(headers.x_ringgate_cache), "no")) allowed = false;
  if (has_directive(headers.cache_control, "no-store")) allowed = false;
  CacheDecision decision{allowed, allowed, {}};
  if (has_directive(headers.cache_control, "no-cache")) decision.lookup = false;
  if (!decision.lookup) decision.header = "bypass";
  return decision;
}

}  // namespace ringgate::cache
