// The lease script's wire form: its Redis key, EVALSHA versus EVAL, and reading its replies.
#include "engine/cluster/lease_script.h"

#include <gtest/gtest.h>

namespace ringgate::cluster {
namespace {

using protocol::ParseStatus;
using protocol::RespReader;
using protocol::RespValue;

TEST(LeaseScript, KeyNamesScopeAndWindowStart) {
  EXPECT_EQ(lease_key("key:alice:rpm", 29'559'600, 60), "rg:{key:alice:rpm}:1773576000");
  EXPECT_EQ(lease_script_sha1().size(), 40u);
}

TEST(LeaseScript, CallIsEvalshaOrEvalWithTheSameArguments) {
  LeaseCall call{"team:r:rph", 10, 3600, "node-a", -3, 500, 7};
  std::string by_sha, by_text;
  append_lease_call(by_sha, call, true);
  append_lease_call(by_text, call, false);
  // Read the commands back with the reply reader: both are arrays of bulk strings.
  for (const std::string* wire : {&by_sha, &by_text}) {
    RespReader r;
    r.feed(*wire);
    RespValue v;
    ASSERT_EQ(r.next(v), ParseStatus::kComplete);
    ASSERT_EQ(v.elements.size(), 9u);
    EXPECT_EQ(v.elements[0].text, wire == &by_sha ? "EVALSHA" : "EVAL");
    EXPECT_EQ(v.elements[1].text,
              wire == &by_sha ? lease_script_sha1() : std::string(lease_script()));
    EXPECT_EQ(v.elements[3].text, "rg:{team:r:rph}:36000");
    EXPECT_EQ(v.elements[4].text, "node-a");
    EXPECT_EQ(v.elements[5].text, "-3");
    EXPECT_EQ(v.elements[6].text, "500");
    EXPECT_EQ(v.elements[7].text, "7200000") << "kept a window past its end";
    EXPECT_EQ(v.elements[8].text, "7");
  }
}

TEST(LeaseScript, CalendarWindowsAreNamedByNumberWithTheirOwnTtl) {
  // A monthly budget: window_s 1 names the month's number; the TTL is two nominal months.
  LeaseCall call{"budget:team:lab:monthly", 683, 1, "node-a", 5000, 1'000'000, -1, 62 * 86'400};
  std::string wire;
  append_lease_call(wire, call, true);
  RespReader r;
  r.feed(wire);
  RespValue v;
  ASSERT_EQ(r.next(v), ParseStatus::kComplete);
  EXPECT_EQ(v.elements[3].text, "rg:{budget:team:lab:monthly}:683");
  EXPECT_EQ(v.elements[7].text, "5356800000");
}

LeaseReply reply_to(const std::string& wire) {
  RespReader r;
  r.feed(wire);
  RespValue v;
  EXPECT_EQ(r.next(v), ParseStatus::kComplete);
  return parse_lease_reply(v);
}

TEST(LeaseScript, RepliesAreRead) {
  const LeaseReply ok = reply_to("*2\r\n:4\r\n:36\r\n");
  EXPECT_TRUE(ok.ok);
  EXPECT_EQ(ok.granted, 4);
  EXPECT_EQ(ok.fleet_used, 36);
  const LeaseReply noscript = reply_to("-NOSCRIPT No matching script. Please use EVAL.\r\n");
  EXPECT_FALSE(noscript.ok);
  EXPECT_TRUE(noscript.noscript);
  const LeaseReply other = reply_to("-ERR wrong number of arguments\r\n");
  EXPECT_FALSE(other.ok || other.noscript);
  EXPECT_FALSE(reply_to("*1\r\n:4\r\n").ok);
  EXPECT_FALSE(reply_to("*2\r\n$1\r\n4\r\n:36\r\n").ok);
}

}  // namespace
}  // namespace ringgate::cluster
