// ringgate-mock-upstream: a fake OpenAI + Anthropic server for tests and benchmarks.

#include <pthread.h>
#include <signal.h>

#include <cstdio>

#include "tools/mock_upstream/mock_options.h"
#include "tools/mock_upstream/mock_server.h"
#include "tools/mock_upstream/request_router.h"

int main(int argc, char** argv) {
  using namespace ringgate::mock_upstream;
  ParsedArgs args;
  if (auto error = ParseMockArgs(argc, argv, args)) {
    std::fprintf(stderr, "ringgate-mock-upstream: %s\n", error->c_str());
    return 2;
  }
  if (args.help) {
    std::fputs(MockUsage().c_str(), stdout);
    return 0;
  }
  // Workers inherit this mask, so SIGTERM/SIGINT are taken only by sigwait below.
  signal(SIGPIPE, SIG_IGN);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  RequestRouter::UptimeMs();  // the start-up delay counts from here
  MockServer server(args.options);
  if (auto error = server.Start()) {
    std::fprintf(stderr, "ringgate-mock-upstream: %s\n", error->c_str());
    return 1;
  }
  std::printf("listening on %s\n", server.address().c_str());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  server.Stop();
  return 0;
}
