// Helpers shared by the config tests.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "engine/config/config.h"
#include "tests/temp_dir.h"

namespace ringgate::config::testing {

// A valid upstream and model, appended to snippets that exercise other tables.
inline constexpr std::string_view kRouting = R"(
[[upstreams]]
name = "mock"
url = "http://127.0.0.1:9099/v1"

[[models]]
name = "m"
upstream = "mock"
)";

inline std::string with_routing(std::string_view head) {
  return std::string(head) + std::string(kRouting);
}

// A config must say who may call; snippets that exercise other tables say open access, at the
// end so the line numbers their expectations name stay as written.
inline std::string open_access(std::string_view toml) {
  return std::string(toml) + "\n[auth]\nmode = \"none\"\n";
}

// Loads toml as "t.toml" and returns the error message; fails the test if it loaded.
inline std::string load_error_as_written(std::string_view toml) {
  ConfigError err;
  auto config = load_config_string(toml, "t.toml", err);
  EXPECT_FALSE(config.has_value()) << "expected an error for:\n" << toml;
  return err.message;
}

// The same, for a snippet about something else than who may call (see open_access).
inline std::string load_error(std::string_view toml) {
  return load_error_as_written(open_access(toml));
}

using ::ringgate::testing::TempDir;

// Sets an environment variable for the scope and removes it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~ScopedEnv() { unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

}  // namespace ringgate::config::testing
