#include "providers/tokenizer/pretokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ringgate::providers::tokenizer {
namespace {

std::vector<std::string> pieces(Encoding e, std::string_view text) {
  std::vector<std::string_view> v;
  split_pieces(e, text, v);
  return {v.begin(), v.end()};
}

using V = std::vector<std::string>;
constexpr Encoding kCl = Encoding::kCl100kBase;
constexpr Encoding kO2 = Encoding::kO200kBase;

TEST(Cl100kPieces, WordsSpacesAndPunctuation) {
  EXPECT_EQ(pieces(kCl, "Hello world, it's me!"),
            (V{"Hello", " world", ",", " it", "'s", " me", "!"}));
  EXPECT_EQ(pieces(kCl, "THEY'RE x'LL"), (V{"THEY", "'RE", " x", "'LL"}));
  EXPECT_EQ(pieces(kCl, "'sup"), (V{"'s", "up"}));  // the contraction alternative comes first
  EXPECT_EQ(pieces(kCl, "'hello"), (V{"'hello"}));
  EXPECT_EQ(pieces(kCl, " ...\n\nx"), (V{" ...\n\n", "x"}));
}

TEST(Cl100kPieces, NumbersInThrees) {
  EXPECT_EQ(pieces(kCl, "1234567"), (V{"123", "456", "7"}));
  EXPECT_EQ(pieces(kCl, "x1"), (V{"x", "1"}));
  EXPECT_EQ(pieces(kCl, "\xd9\xa3\xd9\xa4"), (V{"\xd9\xa3\xd9\xa4"}));  // Arabic-Indic digits
}

TEST(Cl100kPieces, WhitespaceBacktracking) {
  // \s+(?!\S) leaves the last space of a run to the word after it.
  EXPECT_EQ(pieces(kCl, "a   b"), (V{"a", "  ", " b"}));
  EXPECT_EQ(pieces(kCl, "a   "), (V{"a", "   "}));  // at the end, all of it
  EXPECT_EQ(pieces(kCl, "a \tb"), (V{"a", " ", "\tb"}));
  // \s*[\r\n]+ ends at the run's last newline.
  EXPECT_EQ(pieces(kCl, "  \n  x"), (V{"  \n", " ", " x"}));
  EXPECT_EQ(pieces(kCl, "\n \n\r\n  "), (V{"\n \n\r\n", "  "}));
  // One space before a non-letter non-space goes with it; before a digit it stands alone.
  EXPECT_EQ(pieces(kCl, " !"), (V{" !"}));
  EXPECT_EQ(pieces(kCl, " 1"), (V{" ", "1"}));
  // U+3000 IDEOGRAPHIC SPACE is \s and may lead a word.
  EXPECT_EQ(pieces(kCl, "\xe3\x80\x80x"), (V{"\xe3\x80\x80x"}));
}

TEST(O200kPieces, CaseRunsAndContractions) {
  EXPECT_EQ(pieces(kO2, "HelloWorld"), (V{"Hello", "World"}));
  EXPECT_EQ(pieces(kO2, "HTTPRequest"), (V{"HTTPRequest"}));  // [Up]* takes all, then [Low]+
  EXPECT_EQ(pieces(kO2, "iPhone XML"), (V{"i", "Phone", " XML"}));
  EXPECT_EQ(pieces(kO2, "don't DON'T"), (V{"don't", " DON'T"}));
  EXPECT_EQ(pieces(kO2, "'s"), (V{"'s"}));  // the lead character, then a lower-case word
  EXPECT_EQ(pieces(kO2, " 's"), (V{" '", "s"}));
  EXPECT_EQ(pieces(kO2, "a/b//\n/c"), (V{"a", "/b", "//\n/", "c"}));
}

TEST(O200kPieces, MarksBelongToBothWordClasses) {
  // "e" + U+0301: a lower-case run with its mark.
  EXPECT_EQ(pieces(kO2, "e\xcc\x81x"), (V{"e\xcc\x81x"}));
  // U+0301 then "A": [Up]* takes both, gives the mark back to [Low]+, so the mark is alone.
  EXPECT_EQ(pieces(kO2,
                   "\xcc\x81"
                   "A"),
            (V{"\xcc\x81", "A"}));
}

TEST(Pieces, InvalidUtf8BytesAreSingleCharacters) {
  // 0xFF and a lone continuation byte are punctuation-like (a run of them stops at a letter, one
  // alone may lead a word); an overlong "/" (C0 AF) is two characters.
  EXPECT_EQ(pieces(kCl, "a\xff\x80z"), (V{"a", "\xff\x80", "z"}));
  EXPECT_EQ(pieces(kCl, "a \xffz"), (V{"a", " \xff", "z"}));
  EXPECT_EQ(pieces(kCl, "\xffz"), (V{"\xffz"}));
  EXPECT_EQ(pieces(kO2, "\xc0\xaf"), (V{"\xc0\xaf"}));
  EXPECT_EQ(pieces(kO2, "ab\xe2\x82"), (V{"ab", "\xe2\x82"}));        // truncated sequence
  EXPECT_EQ(pieces(kCl, "\xed\xa0\x80x"), (V{"\xed\xa0\x80", "x"}));  // a surrogate's bytes
}

TEST(Pieces, CoverTheInputExactly) {
  std::string text;
  for (int i = 0; i < 4096; ++i) text += char((i * 7919) & 0xff);
  for (Encoding e : {kCl, kO2}) {
    std::vector<std::string_view> v;
    split_pieces(e, text, v);
    std::string joined;
    for (auto p : v) {
      ASSERT_FALSE(p.empty());
      joined += p;
    }
    EXPECT_EQ(joined, text);
  }
}

}  // namespace
}  // namespace ringgate::providers::tokenizer
