// Helpers shared by the config tests.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "engine/config/config.h"

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

// A scratch directory, removed with its contents at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string templ =
        (std::filesystem::temp_directory_path() / "ringgate-config-XXXXXX").string();
    if (mkdtemp(templ.data()) != nullptr) path_ = templ;
    EXPECT_FALSE(path_.empty());
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

  // Writes name (relative to the directory) and returns its full path.
  std::string write(const std::string& name, std::string_view content) const {
    std::string full = path_ + "/" + name;
    std::ofstream out(full, std::ios::binary);
    out << content;
    EXPECT_TRUE(out.good()) << full;
    return full;
  }

 private:
  std::string path_;
};

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
