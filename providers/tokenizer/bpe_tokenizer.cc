#include "providers/tokenizer/bpe_tokenizer.h"

#include <functional>
#include <queue>

#include "providers/tokenizer/pretokenizer.h"

namespace ringgate::providers::tokenizer {
namespace {

// Pieces up to this many bytes merge with the quadratic scan on stack arrays.
constexpr size_t kShortPiece = 128;

struct CountSink {
  size_t n = 0;
  void operator()(uint32_t) { ++n; }
};

struct VectorSink {
  std::vector<uint32_t>& out;
  void operator()(uint32_t id) { out.push_back(id); }
};

}  // namespace

std::unique_ptr<BpeTokenizer> BpeTokenizer::load(Encoding encoding, std::string_view rank_file_path,
                                                 std::string* error) {
  std::unique_ptr<BpeTokenizer> t(new BpeTokenizer(encoding));
  if (!t->ranks_.load_file(rank_file_path, error)) return nullptr;
  return t;
}

std::string BpeTokenizer::rank_file_name(Encoding encoding) {
  return std::string(encoding_name(encoding)) + ".tiktoken";
}

size_t BpeTokenizer::count(std::string_view text) const {
  CountSink sink;
  run(text, sink);
  return sink.n;
}

void BpeTokenizer::encode(std::string_view text, std::vector<uint32_t>& out) const {
  VectorSink sink{out};
  run(text, sink);
}

bool BpeTokenizer::decode(std::span<const uint32_t> ids, std::string& out) const {
  for (uint32_t id : ids) {
    std::string_view b = ranks_.bytes_of(id);
    if (b.empty()) return false;
    out.append(b);
  }
  return true;
}

template <class Sink>
void BpeTokenizer::run(std::string_view text, Sink& sink) const {
  const uint8_t* s = reinterpret_cast<const uint8_t*>(text.data());
  if (encoding_ == Encoding::kO200kBase) {
    for (size_t pos = 0; pos < text.size();) {
      size_t end = o200k_piece_end(text, pos);
      piece(s + pos, end - pos, sink);
      pos = end;
    }
  } else {
    for (size_t pos = 0; pos < text.size();) {
      size_t end = cl100k_piece_end(text, pos);
      piece(s + pos, end - pos, sink);
      pos = end;
    }
  }
}

template <class Sink>
void BpeTokenizer::piece(const uint8_t* p, size_t n, Sink& sink) const {
  if (n == 1) {
    sink(ranks_.byte_rank(p[0]));
    return;
  }
  if (n <= kShortPiece) {
    // A copy with 8 bytes of slack, so every lookup may load 8 bytes whatever its length.
    uint8_t buf[kShortPiece + 8];
    std::memcpy(buf, p, n);
    std::memset(buf + n, 0, 8);
    // Most pieces are whole tokens: one lookup, no merging.
    if (uint32_t r = ranks_.find_padded(buf, n); r != kNoRank) {
      sink(r);
      return;
    }
    merge_short(buf, n, sink);
    return;
  }
  std::vector<uint8_t> buf(p, p + n);
  buf.resize(n + 8, 0);
  if (n <= BpeRanks::kMaxTokenBytes) {
    if (uint32_t r = ranks_.find_padded(buf.data(), n); r != kNoRank) {
      sink(r);
      return;
    }
  }
  merge_long(buf.data(), n, sink);
}

// tiktoken's byte_pair_merge: repeatedly merge the adjacent pair whose concatenation has the
// lowest rank (the leftmost among equals) until no adjacent pair is a token.
template <class Sink>
void BpeTokenizer::merge_short(const uint8_t* buf, size_t n, Sink& sink) const {
  uint32_t start[kShortPiece + 1];  // part i is buf[start[i], start[i+1])
  uint32_t pair[kShortPiece];       // rank of part i joined with part i+1
  uint32_t tok[kShortPiece];        // rank of part i itself
  size_t m = n;
  for (size_t i = 0; i <= n; ++i) start[i] = uint32_t(i);
  for (size_t i = 0; i < n; ++i) tok[i] = ranks_.byte_rank(buf[i]);
  for (size_t i = 0; i + 1 < n; ++i) pair[i] = ranks_.find_padded(buf + i, 2);
  pair[n - 1] = kNoRank;
  auto joined = [&](size_t i) {  // rank of parts i and i+1 joined (i+1 < m)
    return ranks_.find_padded(buf + start[i], start[i + 2] - start[i]);
  };
  for (;;) {
    uint32_t best = kNoRank;
    size_t at = 0;
    for (size_t i = 0; i + 1 < m; ++i) {
      if (pair[i] < best) {
        best = pair[i];
        at = i;
      }
    }
    if (best == kNoRank) break;
    tok[at] = best;
    // Drop part at+1.
    for (size_t i = at + 1; i < m; ++i) start[i] = start[i + 1];
    for (size_t i = at + 1; i + 1 < m; ++i) {
      pair[i] = pair[i + 1];
      tok[i] = tok[i + 1];
    }
    --m;
    pair[at] = at + 1 < m ? joined(at) : kNoRank;
    if (at > 0) pair[at - 1] = joined(at - 1);
  }
  for (size_t i = 0; i < m; ++i) sink(tok[i]);
}

// The same merge order in O(n log n) for long pieces: a min-heap of (rank, start) over a linked
// list of parts. Entries that no longer describe a live pair are skipped when popped.
template <class Sink>
void BpeTokenizer::merge_long(const uint8_t* buf, size_t n, Sink& sink) const {
  constexpr uint32_t kDead = 0;  // next[i] of a merged-away part (a live part's next is > i)
  std::vector<uint32_t> next(n), prev(n), pair(n), tok(n);
  auto pair_rank = [&](uint32_t a) {
    uint32_t b = next[a];
    if (b >= n) return kNoRank;
    size_t len = next[b] - a;
    return len <= BpeRanks::kMaxTokenBytes ? ranks_.find_padded(buf + a, len) : kNoRank;
  };
  std::vector<uint64_t> heap_store;
  heap_store.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    next[i] = i + 1;
    prev[i] = i - 1;  // prev[0] wraps; never read
    tok[i] = ranks_.byte_rank(buf[i]);
  }
  for (uint32_t i = 0; i < n; ++i) {
    pair[i] = pair_rank(i);
    if (pair[i] != kNoRank) heap_store.push_back(uint64_t(pair[i]) << 32 | i);
  }
  std::priority_queue<uint64_t, std::vector<uint64_t>, std::greater<uint64_t>> heap(
      std::greater<uint64_t>(), std::move(heap_store));
  while (!heap.empty()) {
    uint64_t top = heap.top();
    heap.pop();
    uint32_t a = uint32_t(top);
    uint32_t rank = uint32_t(top >> 32);
    if (next[a] == kDead || pair[a] != rank) continue;
    uint32_t b = next[a];
    tok[a] = rank;
    next[a] = next[b];
    if (next[a] < n) prev[next[a]] = a;
    next[b] = kDead;
    pair[a] = pair_rank(a);
    if (pair[a] != kNoRank) heap.push(uint64_t(pair[a]) << 32 | a);
    if (a > 0) {
      uint32_t p = prev[a];
      pair[p] = pair_rank(p);
      if (pair[p] != kNoRank) heap.push(uint64_t(pair[p]) << 32 | p);
    }
  }
  for (uint32_t a = 0; a < n; a = next[a]) sink(tok[a]);
}

}  // namespace ringgate::providers::tokenizer
