#include "providers/batch_results_url.h"

#include <gtest/gtest.h>

#include <string>

namespace ringgate::providers {
namespace {

std::string rewritten(std::string_view json) {
  std::string out = "untouched";
  return relative_results_urls(json, out) ? out : "unchanged";
}

TEST(BatchResultsUrl, AbsoluteUrlsBecomePathsInABatchAndAList) {
  EXPECT_EQ(
      rewritten(
          R"({"id":"b1","results_url":"https://api.anthropic.com/v1/messages/batches/b1/results"})"),
      R"({"id":"b1","results_url":"/v1/messages/batches/b1/results"})");
  EXPECT_EQ(rewritten(R"({"data":[{"results_url" : "http://h:1/v1/x?a=1"},{"results_url":null},)"
                      R"({"results_url":"https://h/v1/y"}],"has_more":false})"),
            R"({"data":[{"results_url" : "/v1/x?a=1"},{"results_url":null},)"
            R"({"results_url":"/v1/y"}],"has_more":false})");
}

TEST(BatchResultsUrl, EscapedSlashesStayValidJson) {
  EXPECT_EQ(rewritten(R"({"results_url":"https:\/\/api.anthropic.com\/v1\/r"})"),
            R"({"results_url":"\/v1\/r"})");
}

TEST(BatchResultsUrl, OnlyTheKeysValueAndOnlyAbsoluteUrlsWithAPath) {
  // The key's name inside a string value, a relative URL already, no path, another key.
  EXPECT_EQ(rewritten(R"({"note":"\"results_url\":\"https://h/v1/r\""})"), "unchanged");
  EXPECT_EQ(rewritten(R"({"results_url":"/v1/r"})"), "unchanged");
  EXPECT_EQ(rewritten(R"({"results_url":"https://h"})"), "unchanged");
  EXPECT_EQ(rewritten(R"({"other_url":"https://h/v1/r"})"), "unchanged");
  EXPECT_EQ(rewritten(R"({"results_url":["https://h/v1/r"]})"), "unchanged");
  EXPECT_EQ(rewritten(R"({"results_url":"https://h/v1/r)"), "unchanged");  // cut short
  EXPECT_EQ(rewritten(""), "unchanged");
}

TEST(BatchResultsUrl, TheBatchEndpointsCarryIt) {
  EXPECT_TRUE(carries_results_url("/messages/batches"));
  EXPECT_TRUE(carries_results_url("/messages/batches/b1"));
  EXPECT_TRUE(carries_results_url("/messages/batches/b1/cancel"));
  EXPECT_FALSE(carries_results_url("/messages/batches/b1/results"));
  EXPECT_FALSE(carries_results_url("/messages"));
  EXPECT_FALSE(carries_results_url("/messages/batchesx"));
}

}  // namespace
}  // namespace ringgate::providers
