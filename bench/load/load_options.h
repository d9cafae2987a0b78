#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ringgate::bench {

struct LoadOptions {
  std::string url;
  int connections = 10;
  int threads = 1;
  double duration_s = 0;  // 0 with requests == 0 means the default 10 s
  uint64_t requests = 0;  // 0 = bounded by duration only
  double warmup_s = 0;
  double rate = 0;  // requests/s over all threads; 0 = closed loop
  std::string body_file;
  std::string data;  // inline body template, alternative to body_file
  std::vector<std::string> headers;
  std::string method;  // default: POST with a body, GET without
  bool stream = false;
  bool json = false;
  uint32_t timeout_ms = 5000;
  bool allow_remote = false;
};

// Parses the command line. Returns -1 to continue, otherwise the exit code (help printed or
// error reported on stderr).
int parse_load_options(int argc, char** argv, LoadOptions& options);

// "10", "10s", "500ms", "2m" -> seconds. Returns false on bad input.
bool parse_duration(const std::string& text, double& seconds);

}  // namespace ringgate::bench
