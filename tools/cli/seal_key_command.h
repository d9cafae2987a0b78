#pragma once

#include <string>

namespace ringgate::cli {

struct SealKeyOptions {
  std::string key_id;  // the [[keys]] id the sealed key belongs to (the AAD)
  std::string config;  // take [byok] master_key from this config file
  std::string master;  // or this reference, "env:NAME" / "file:PATH"
};

// `ringgate seal-key`: reads a provider key from stdin, prints "rgk1:..." for provider_keys.
int seal_key_command(const SealKeyOptions& options);

}  // namespace ringgate::cli
