// UsageChunkFilter: the client's stream is the upstream's byte for byte, minus the usage chunk
// the gateway asked for on the accounting copy's behalf.
#include "engine/pipeline/usage_chunk_filter.h"

#include <gtest/gtest.h>

#include "engine/pipeline/body_relay.h"

namespace ringgate::pipeline {
namespace {

constexpr std::string_view kChunk1 =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}],\"usage\":null}\r\n\r\n";
constexpr std::string_view kChunk2 =
    "data: "
    "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n";
constexpr std::string_view kUsage =
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\n";
constexpr std::string_view kDone = "data: [DONE]\n\n";

std::string filtered(std::string_view stream, size_t piece) {
  simdjson::dom::parser json;
  UsageChunkFilter f(json, 1 << 20);
  std::string out;
  for (size_t at = 0; at < stream.size(); at += piece) {
    EXPECT_TRUE(f.feed(stream.substr(at, piece), out));
  }
  f.finish(out);
  return out;
}

TEST(UsageChunkFilter, DropsOnlyTheUsageChunkWhereverTheReadsSplit) {
  const std::string stream = std::string(kChunk1) + ": keep-alive\n\n" + std::string(kChunk2) +
                             std::string(kUsage) + std::string(kDone);
  const std::string want =
      std::string(kChunk1) + ": keep-alive\n\n" + std::string(kChunk2) + std::string(kDone);
  for (size_t piece = 1; piece <= stream.size(); ++piece) {
    ASSERT_EQ(filtered(stream, piece), want) << "pieces of " << piece;
  }
}

// vLLM, llama.cpp: usage on a chunk that has choices is the client's to see, as the server sent it.
TEST(UsageChunkFilter, UsageOnAChunkWithChoicesStays) {
  const std::string chunk =
      "data: {\"choices\":[{\"index\":0,\"delta\":{}}],\"usage\":{\"prompt_tokens\":3}}\n\n";
  EXPECT_EQ(filtered(chunk + std::string(kDone), 7), chunk + std::string(kDone));
}

TEST(UsageChunkFilter, AnUnfinishedLastEventGoesOutAsOnTheWholeEventsPath) {
  EXPECT_EQ(filtered(std::string(kChunk2) + "data: {\"tail\":1}", 5),
            std::string(kChunk2) + "data: {\"tail\":1}");
}

TEST(UsageChunkFilter, ABrokenStreamEndsWithTheRelaysReason) {
  simdjson::dom::parser json;
  UsageChunkFilter f(json, 64);
  std::string out;
  EXPECT_TRUE(f.feed(kDone, out));
  EXPECT_FALSE(f.feed(std::string("data: ") + std::string(100, 'x'), out));
  EXPECT_NE(out.find(kSseEventTooLarge), std::string::npos) << out;
  EXPECT_EQ(out.find(kDone), 0u);
  const size_t size = out.size();
  f.fail(out, "later");  // one error end only
  f.finish(out);
  EXPECT_EQ(out.size(), size);

  UsageChunkFilter cut(json, 1 << 20);
  std::string cut_out;
  cut.feed(kChunk1, cut_out);
  cut.fail(cut_out, "upstream stream went idle for too long");
  EXPECT_NE(cut_out.find("went idle"), std::string::npos) << cut_out;
}

}  // namespace
}  // namespace ringgate::pipeline
