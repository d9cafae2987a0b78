// A scratch directory for a unit test, removed with its contents when the test ends. Its name
// shares no 6 characters with the tests' fake secrets (config_secret_test looks for fragments).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

namespace ringgate::testing {

class TempDir {
 public:
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "ringgate-scratch-XXXXXX").string();
    if (mkdtemp(t.data()) != nullptr) path_ = t;
    EXPECT_FALSE(path_.empty());
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // The full path of `name` inside the directory.
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Writes `name` (relative to the directory) and returns its full path.
  std::string write(const std::string& name, std::string_view content) const {
    const std::string full = file(name);
    std::ofstream out(full, std::ios::binary);
    out << content;
    EXPECT_TRUE(out.good()) << full;
    return full;
  }

 private:
  std::string path_;
};

}  // namespace ringgate::testing
