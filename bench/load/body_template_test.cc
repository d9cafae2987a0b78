#include "bench/load/body_template.h"

#include <gtest/gtest.h>

namespace ringgate::bench {
namespace {

std::string render(const BodyTemplate& t, uint64_t seq, uint64_t rand) {
  std::string out;
  t.render(seq, rand, out);
  return out;
}

TEST(BodyTemplate, PlainBodyRendersToItself) {
  const BodyTemplate t(R"({"model":"m","messages":[{"role":"user","content":"hi {x}"}]})");
  EXPECT_FALSE(t.has_placeholders());
  EXPECT_EQ(render(t, 5, 6), t.text());
}

TEST(BodyTemplate, ReplacesSeqAndRandEverywhere) {
  const BodyTemplate t(R"({"a":"{{seq}}","b":"{{rand}}","c":"{{seq}}{{seq}}"})");
  EXPECT_TRUE(t.has_placeholders());
  EXPECT_EQ(render(t, 42, 0xabcdef), R"({"a":"42","b":"0000000000abcdef","c":"4242"})");
  EXPECT_EQ(render(t, 0, UINT64_MAX), R"({"a":"0","b":"ffffffffffffffff","c":"00"})");
}

TEST(BodyTemplate, UnknownAndBrokenPlaceholdersStayLiteral) {
  const BodyTemplate t("{{nope}} {{seq} {{{seq}}}} {{");
  EXPECT_EQ(render(t, 7, 0), "{{nope}} {{seq} {7}} {{");
}

TEST(BodyTemplate, PlaceholderAtEdges) {
  EXPECT_EQ(render(BodyTemplate("{{seq}}"), 123, 0), "123");
  EXPECT_EQ(render(BodyTemplate("x{{rand}}"), 0, 1), "x0000000000000001");
  EXPECT_EQ(render(BodyTemplate(""), 1, 1), "");
}

TEST(BodyTemplate, RenderAppends) {
  const BodyTemplate t("<{{seq}}>");
  std::string out = "head:";
  t.render(9, 0, out);
  EXPECT_EQ(out, "head:<9>");
}

}  // namespace
}  // namespace ringgate::bench
