#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

extern char** environ;

namespace ringgate::mock_upstream {
namespace {

// The built binary, handed over by meson (see meson.build).
const char* MockBinary() { return std::getenv("RINGGATE_MOCK_UPSTREAM"); }

// Reads one line from `fd`, giving up after `timeout_ms`.
std::string ReadLine(int fd, int timeout_ms) {
  std::string line;
  char c;
  while (true) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0 || read(fd, &c, 1) != 1 || c == '\n') return line;
    line.push_back(c);
  }
}

std::string Get(uint16_t port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string received;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    std::string request = "GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) > 0) {
      char buffer[4096];
      ssize_t n;
      while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) received.append(buffer, n);
    }
  }
  close(fd);
  return received;
}

TEST(MockProcessTest, PrintsItsPortServesAndStopsCleanlyOnSigterm) {
  ASSERT_NE(MockBinary(), nullptr) << "RINGGATE_MOCK_UPSTREAM is not set";
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::vector<std::string> args = {MockBinary(), "--listen", "127.0.0.1:0", "--threads", "2"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid;
  ASSERT_EQ(posix_spawn(&pid, MockBinary(), &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);

  std::string line = ReadLine(out[0], 10000);
  const std::string prefix = "listening on 127.0.0.1:";
  ASSERT_TRUE(line.starts_with(prefix)) << line;
  int port = std::atoi(line.c_str() + prefix.size());
  EXPECT_GT(port, 0);
  std::string health = Get(static_cast<uint16_t>(port), "/health");
  EXPECT_TRUE(health.starts_with("HTTP/1.1 200 OK")) << health;
  EXPECT_NE(health.find("{\"status\":\"ok\"}"), std::string::npos);

  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  close(out[0]);
}

TEST(MockProcessTest, RejectsUnknownFlagsWithUsageError) {
  ASSERT_NE(MockBinary(), nullptr);
  pid_t pid;
  std::vector<std::string> args = {MockBinary(), "--no-such-flag"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  ASSERT_EQ(posix_spawn(&pid, MockBinary(), &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace
}  // namespace ringgate::mock_upstream
