// Provider keys are never written in a config file or on a command line (seed-defect 004-P11):
// the config holds a reference, resolved once at load time, before anything is served
// (seed-defect 002-9).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ringgate::config {

// True when ref has the shape of a secret reference: "env:NAME" or "file:PATH".
bool is_secret_ref(std::string_view ref);

// Resolves "env:NAME" (the variable's value) or "file:PATH" (the file's contents, trailing CR/LF
// removed). A relative PATH is taken relative to base_dir when base_dir is not empty.
// On failure returns nullopt and sets err to a message that never contains any part of the secret
// value, nor the text after the prefix unless it is shown to be a reference (seed-defect 004-P4):
// an upper-case variable NAME, or a path that opened. Text that is neither may be a pasted key.
std::optional<std::string> resolve_secret(std::string_view ref, std::string& err,
                                          std::string_view base_dir = {});

// What may be logged in place of a secret: its length only, never any of its characters.
std::string redact(std::string_view secret);

}  // namespace ringgate::config
