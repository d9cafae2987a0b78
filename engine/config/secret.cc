#include "engine/config/secret.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace ringgate::config {
namespace {

constexpr std::string_view kEnvPrefix = "env:";
constexpr std::string_view kFilePrefix = "file:";
// Keys are a few hundred bytes at most; the cap keeps a mistaken path (a log, a device) from
// being slurped into memory.
constexpr size_t kMaxSecretFileBytes = 64 * 1024;

bool is_env_name(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Variables are conventionally named in upper case; a name that is not (lower-case hex, say) may
// be a key pasted after "env:", so messages leave it out.
bool is_conventional_env_name(std::string_view name) {
  for (char c : name) {
    if (c >= 'a' && c <= 'z') return false;
  }
  return true;
}

// A secret ends up in an HTTP header; control characters there would let a file or variable with
// a stray newline inject headers into every upstream request.
bool has_control_chars(std::string_view value) {
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// `relative_to` is the folder a relative path was joined to ("" otherwise).
std::optional<std::string> read_secret_file(const std::string& path, std::string_view relative_to,
                                            std::string& err) {
  // O_NONBLOCK: a FIFO or a terminal named by mistake must not hang start-up.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    // Until it opens, the path is only text someone wrote after "file:", perhaps the key itself.
    err = "cannot open the file named after \"file:\" (";
    err += std::strerror(errno);
    if (!relative_to.empty()) {
      err += "; relative to ";
      err += relative_to;
    }
    err += "); the path is not shown since it may be the key itself";
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    err = "secret file " + path + " is not a regular file";
    return std::nullopt;
  }
  std::string content;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      ::close(fd);
      err = "cannot read secret file " + path + ": " + std::strerror(saved);
      return std::nullopt;
    }
    if (n == 0) break;
    content.append(buf, static_cast<size_t>(n));
    if (content.size() > kMaxSecretFileBytes) {
      ::close(fd);
      err = "secret file " + path + " is larger than " + std::to_string(kMaxSecretFileBytes) +
            " bytes";
      return std::nullopt;
    }
  }
  ::close(fd);
  return content;
}

}  // namespace

bool is_secret_ref(std::string_view ref) {
  return ref.starts_with(kEnvPrefix) || ref.starts_with(kFilePrefix);
}

std::optional<std::string> resolve_secret(std::string_view ref, std::string& err,
                                          std::string_view base_dir) {
  std::string value;
  std::string origin;  // names where the value came from, for messages
  if (ref.starts_with(kEnvPrefix)) {
    std::string name(ref.substr(kEnvPrefix.size()));
    // Not a name: most likely the key itself (OpenAI and Anthropic keys hold '-'), never shown.
    if (!is_env_name(name)) {
      err =
          "the text after \"env:\" is not an environment variable name (letters, digits and _, "
          "not starting with a digit); it is not shown since it may be the key itself";
      return std::nullopt;
    }
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) {
      err = is_conventional_env_name(name)
                ? "environment variable " + name + " is not set"
                : "the environment variable named after \"env:\" is not set (the name is not "
                  "shown: it is not an upper-case NAME and may be the key itself)";
      return std::nullopt;
    }
    value = v;
    origin = "environment variable " + name;
  } else if (ref.starts_with(kFilePrefix)) {
    std::string path(ref.substr(kFilePrefix.size()));
    if (path.empty()) {
      err = "empty path in \"file:\" secret reference";
      return std::nullopt;
    }
    std::string_view relative_to;
    if (path[0] != '/' && !base_dir.empty()) {
      relative_to = base_dir;
      std::string joined(base_dir);
      if (joined.back() != '/') joined += '/';
      path = joined + path;
    }
    auto content = read_secret_file(path, relative_to, err);
    if (!content) return std::nullopt;
    value = std::move(*content);
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    origin = "secret file " + path;
  } else {
    err = "a secret must be a reference, \"env:NAME\" or \"file:PATH\", not the value itself";
    return std::nullopt;
  }
  if (value.empty()) {
    err = origin + " is empty";
    return std::nullopt;
  }
  if (has_control_chars(value)) {
    err = origin + " contains control characters (a line break inside the key?)";
    return std::nullopt;
  }
  return value;
}

std::string redact(std::string_view secret) {
  return "<redacted len=" + std::to_string(secret.size()) + ">";
}

}  // namespace ringgate::config
