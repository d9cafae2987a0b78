// The state directory's records and the /proc/PID/stat fields that prove a pid is still the
// child a record names (004-P1: a restart reaps only what is provably its own).
#include "engine/managed/state_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "engine/managed/child_process.h"

namespace ringgate::managed {
namespace {

StateRecord sample() {
  StateRecord r;
  r.owner_pid = 4242;
  r.owner_start = 987654321;
  r.pid = 5151;
  r.start = 123456789;
  r.deployment = "local-llama";
  r.cmdline = std::string(
      "llama-server\0--port\0"
      "18600\0",
      26);
  return r;
}

TEST(StateFile, RoundTrips) {
  const StateRecord r = sample();
  const auto back = parse_state(format_state(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, r);
}

TEST(StateFile, RefusesTornAndForeignFiles) {
  const std::string whole = format_state(sample());
  // Every strict prefix is a torn write: never a record.
  for (size_t n = 0; n < whole.size(); ++n) {
    EXPECT_FALSE(parse_state(whole.substr(0, n))) << n;
  }
  EXPECT_FALSE(parse_state("hello\n"));
  EXPECT_FALSE(parse_state(whole + "pid=1\n"));  // bytes after the end
}

TEST(StateFile, RefusesBadFields) {
  auto with = [](std::string_view key, std::string_view value) {
    std::string text = format_state(sample());
    const size_t at = text.find("\n" + std::string(key) + "=") + 1;
    const size_t end = text.find('\n', at);
    text.replace(at, end - at, std::string(key) + "=" + std::string(value));
    return text;
  };
  EXPECT_FALSE(parse_state(with("pid", "1")));  // init is never ours
  EXPECT_FALSE(parse_state(with("pid", "-5")));
  EXPECT_FALSE(parse_state(with("pid", "12x")));
  EXPECT_FALSE(parse_state(with("owner_pid", "0")));
  EXPECT_FALSE(parse_state(with("start", "")));
  EXPECT_FALSE(parse_state(with("cmdline", "abc")));  // odd hex
  EXPECT_FALSE(parse_state(with("cmdline", "zz")));
  EXPECT_FALSE(parse_state(with("cmdline", "")));
  EXPECT_FALSE(parse_state(with("deployment", "a/b")));  // names a file elsewhere
  std::string twice = format_state(sample());
  twice.insert(twice.find("pid="), "pid=77\n");
  EXPECT_FALSE(parse_state(twice));
}

TEST(ProcStat, CountsFieldsFromTheLastParenthesis) {
  // A command name with spaces and ')' in it must not shift the fields.
  std::string stat = "1234 (we) ird (name) S 1 777 777 0 -1 4194560";
  for (int f = 10; f <= 21; ++f) {
    stat += ' ';
    stat += std::to_string(f);
  }
  stat += " 55555 99 100\n";
  const auto st = parse_proc_stat(stat);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->pgid, 777);
  EXPECT_EQ(st->start, 55555u);
  EXPECT_FALSE(parse_proc_stat("1234 (short) S 1 2 3"));
  EXPECT_FALSE(parse_proc_stat("no parenthesis at all"));
  EXPECT_FALSE(
      parse_proc_stat("1 (x) S 1 notanumber 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20"));
}

TEST(ProcStat, ReadsThisProcess) {
  const auto st = read_proc_stat(getpid());
  ASSERT_TRUE(st);
  EXPECT_EQ(st->pgid, getpgrp());
  EXPECT_GT(st->start, 0u);
  EXPECT_TRUE(same_process(getpid(), st->start));
  EXPECT_FALSE(same_process(getpid(), st->start + 1));  // a reused pid starts later
  EXPECT_TRUE(group_alive(getpgrp()));
}

}  // namespace
}  // namespace ringgate::managed
