// `ringgate seal-key`: the only way a BYOK provider key gets into a config, sealed. The key comes
// from stdin (never argv, which other users can read in /proc), the master key from a reference.
#include "tools/cli/seal_key_command.h"

#include <openssl/crypto.h>
#include <toml++/toml.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <optional>

#include "engine/config/byok_seal.h"
#include "engine/config/name_rules.h"
#include "engine/config/secret.h"

namespace ringgate::cli {
namespace {

int fail(const std::string& why) {
  std::fprintf(stderr, "ringgate seal-key: %s\n", why.c_str());
  return 2;
}

// The [byok] master_key reference of a config file, read alone (nothing else is resolved), and
// the folder its file: paths are relative to.
std::optional<std::string> master_ref_of(const std::string& path, std::string& base_dir,
                                         std::string& why) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    why = path + ": " + std::string(e.description());
    return std::nullopt;
  }
  std::optional<std::string> ref = root["byok"]["master_key"].value<std::string>();
  if (!ref) why = path + " has no [byok] master_key";
  base_dir = std::filesystem::path(path).parent_path().string();
  return ref;
}

}  // namespace

int seal_key_command(const SealKeyOptions& o) {
  if (!config::valid_id(o.key_id)) return fail("--key-id " + std::string(config::kIdRule));
  if (o.config.empty() == o.master.empty()) return fail("give --config FILE or --master REF");
  std::string why, base_dir;
  std::optional<std::string> ref = o.master;
  if (!o.config.empty()) ref = master_ref_of(o.config, base_dir, why);
  if (!ref) return fail(why);
  if (!config::is_secret_ref(*ref))
    return fail("the master key must be \"env:NAME\" or \"file:PATH\"");
  std::optional<std::string> text = config::resolve_secret(*ref, why, base_dir);
  if (!text) return fail("master key: " + why);
  std::optional<config::MasterKey> master = config::parse_master_key(*text);
  OPENSSL_cleanse(text->data(), text->size());
  if (!master) return fail("the master key must be 32 bytes as 64 hex digits or base64");

  std::string key((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  bool control = false;
  for (unsigned char c : key) control |= c < 0x20 || c == 0x7f;
  if (key.empty() || control) {
    return fail("stdin must hold the provider key: one line, no control characters");
  }
  std::optional<std::string> sealed = config::seal_provider_key(*master, o.key_id, key);
  OPENSSL_cleanse(key.data(), key.size());
  OPENSSL_cleanse(master->data(), master->size());
  if (!sealed) return fail("OpenSSL failed to seal the key");
  std::printf("%s\n", sealed->c_str());
  return 0;
}

}  // namespace ringgate::cli
