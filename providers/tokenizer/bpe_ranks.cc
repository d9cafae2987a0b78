#include "providers/tokenizer/bpe_ranks.h"

#include <charconv>
#include <fstream>
#include <sstream>

namespace ringgate::providers::tokenizer {
namespace {

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Standard base64 with '=' padding, as tiktoken writes it. False on anything else.
bool base64_decode(std::string_view in, std::string& out) {
  out.clear();
  if (in.size() % 4 != 0) return false;
  for (size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = in[i + k];
      if (c == '=' && i + 4 == in.size() && k >= 2) {
        v[k] = 0;
        ++pad;
      } else {
        if (pad) return false;  // data after '='
        v[k] = base64_value(c);
        if (v[k] < 0) return false;
      }
    }
    uint32_t bits = uint32_t(v[0]) << 18 | uint32_t(v[1]) << 12 | uint32_t(v[2]) << 6 | v[3];
    out.push_back(char(bits >> 16));
    if (pad < 2) out.push_back(char(bits >> 8));
    if (pad < 1) out.push_back(char(bits));
  }
  return true;
}

}  // namespace

bool BpeRanks::load_file(std::string_view path, std::string* error) {
  std::ifstream in{std::string(path), std::ios::binary};
  if (!in) {
    if (error) *error = "cannot open rank file " + std::string(path);
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (!parse(text.str(), error)) {
    if (error) *error = std::string(path) + ": " + *error;
    return false;
  }
  return true;
}

bool BpeRanks::parse(std::string_view text, std::string* error) {
  auto fail = [&](size_t line, std::string why) {
    if (error) *error = "line " + std::to_string(line) + ": " + why;
    return false;
  };
  // Count lines first so the table is sized once.
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  size_t cap = 16;
  while (cap < 2 * (lines + 1)) cap <<= 1;
  slots_.assign(cap, Slot{});
  mask_ = cap - 1;
  arena_.clear();
  arena_.reserve(text.size());
  by_rank_.clear();
  count_ = 0;

  std::string bytes;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return fail(line_no, "expected \"base64 rank\"");
    if (!base64_decode(line.substr(0, sp), bytes)) return fail(line_no, "bad base64");
    if (bytes.empty() || bytes.size() > kMaxTokenBytes) return fail(line_no, "bad token length");
    std::string_view num = line.substr(sp + 1);
    uint32_t rank = 0;
    auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), rank);
    if (ec != std::errc() || end != num.data() + num.size() || rank == kNoRank) {
      return fail(line_no, "bad rank");
    }
    if (!insert(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), rank, error)) {
      return fail(line_no, *error);
    }
  }
  arena_.resize(arena_.size() + 8, 0);  // find_padded may read 8 bytes past any key
  for (int b = 0; b < 256; ++b) {
    uint8_t key[16] = {uint8_t(b)};
    byte_rank_[b] = find_padded(key, 1);
    if (byte_rank_[b] == kNoRank) return fail(line_no, "no token for byte " + std::to_string(b));
  }
  return true;
}

bool BpeRanks::insert(const uint8_t* p, size_t n, uint32_t rank, std::string* error) {
  uint8_t key[kMaxTokenBytes + 8] = {};
  std::memcpy(key, p, n);
  if (find_padded(key, n) != kNoRank) {
    if (error) *error = "duplicate token";
    return false;
  }
  if (rank < by_rank_.size() && by_rank_[rank] != UINT32_MAX) {
    if (error) *error = "duplicate rank";
    return false;
  }
  if (arena_.size() >= (size_t{1} << 24) - n) {
    if (error) *error = "rank file too large";
    return false;
  }
  uint64_t head;
  uint64_t h = key_hash(key, n, head);
  uint32_t off_len = uint32_t(arena_.size()) << 8 | uint32_t(n);
  arena_.insert(arena_.end(), p, p + n);
  size_t i = h & mask_;
  while (slots_[i].rank != kNoRank) i = (i + 1) & mask_;
  slots_[i] = Slot{head, rank, off_len};
  if (rank >= by_rank_.size()) by_rank_.resize(size_t(rank) + 1, UINT32_MAX);
  by_rank_[rank] = off_len;
  ++count_;
  return true;
}

uint32_t BpeRanks::find(std::string_view bytes) const {
  if (bytes.size() > kMaxTokenBytes || bytes.empty()) return kNoRank;
  uint8_t key[kMaxTokenBytes + 8] = {};
  std::memcpy(key, bytes.data(), bytes.size());
  return find_padded(key, bytes.size());
}

}  // namespace ringgate::providers::tokenizer
