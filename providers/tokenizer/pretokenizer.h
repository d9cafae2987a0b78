#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "providers/tokenizer/encoding.h"

namespace ringgate::providers::tokenizer {

// tiktoken's pre-tokenization, by hand: the text is cut into pieces exactly where tiktoken's
// pat_str regex (run by fancy-regex, leftmost-first alternation, greedy with backtracking) would
// cut it, and each piece is then BPE-merged on its own.
//
// cl100k_base:
//   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|
//   \s*[\r\n]+|\s+(?!\S)|\s+
// o200k_base:
//   [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|
//   [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|
//   \p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
//
// Unicode general categories and White_Space come from ICU (a 64 KiB table for the BMP built at
// start, ICU itself above it; ASCII by a 128-entry table). Debian 12's ICU 72 stops at Unicode
// 15.0 while tiktoken's Rust regex knows 16.0, so the letters, marks and numbers of 15.1 and 16.0
// come from a generated table (unicode_after_icu72.inc) wherever ICU says unassigned.
//
// (?i:'s) also takes "'ſ" (U+017F folds to s under Unicode simple case folding, which the Rust
// regex applies); no token joins ſ to a neighbour, so the ids are the same either way.
//
// Input need not be valid UTF-8: every byte that does not start a well-formed sequence (overlong,
// surrogate, above U+10FFFF, truncated) is one character of its own that is neither letter,
// number nor space, like punctuation. tiktoken's JS and Python bindings only ever see valid text,
// so that case has no reference; this rule keeps encode total and lossless.

// The end of the piece that starts at pos (pos < text.size()); always > pos.
size_t cl100k_piece_end(std::string_view text, size_t pos);
size_t o200k_piece_end(std::string_view text, size_t pos);

inline size_t piece_end(Encoding e, std::string_view text, size_t pos) {
  return e == Encoding::kCl100kBase ? cl100k_piece_end(text, pos) : o200k_piece_end(text, pos);
}

// All pieces of text, for tests and tools.
void split_pieces(Encoding e, std::string_view text, std::vector<std::string_view>& out);

}  // namespace ringgate::providers::tokenizer
