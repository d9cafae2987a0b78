// Reading TOML tables with positioned diagnostics: the helpers every part of the config loader
// shares (config_loader.cc, admission_loader.cc). Internal to engine/config; the rest of the engine
// sees only Config and ConfigError.
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ringgate::config {

// "a table", "an integer", ...: the words messages use for a TOML value's type.
std::string_view type_name(toml::node_type t);

// "source:line:column".
std::string position(std::string_view source, const toml::source_position& p);

// Control characters as \n or \xNN, so every message stays one line per problem.
std::string escaped(std::string_view text);

// Every problem found in one file, rendered sorted by position (all at once, so one edit-run cycle
// fixes a whole config).
class Diagnostics {
 public:
  explicit Diagnostics(std::string source) : source_(std::move(source)) {}

  void add(const toml::source_region& where, std::string text) {
    problems_.push_back({where.begin, escaped(text)});  // names and keys come from the file
  }
  bool empty() const { return problems_.empty(); }
  const std::string& source() const { return source_; }

  std::string render();

 private:
  struct Problem {
    toml::source_position where;
    std::string text;
  };
  std::string source_;
  std::vector<Problem> problems_;
};

// Reads one TOML table. Every key the schema knows is asked for by name; whatever is left at
// finish() is a key nobody asked for, which is reported instead of ignored so a typo like
// `max_body_byte` can't silently leave a default in force.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string path, Diagnostics& diag)
      : table_(table), path_(std::move(path)), diag_(diag) {}

  const toml::table& table() const { return table_; }
  std::string key_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  // The node under key, or nullptr; marks key as known either way.
  const toml::node* node(std::string_view key) {
    known_.emplace_back(key);
    return table_.get(key);
  }

  // The node under key when it has type want; a node of another type is reported.
  const toml::node* typed(std::string_view key, toml::node_type want);

  const toml::value<std::string>* string(std::string_view key) {
    const toml::node* n = typed(key, toml::node_type::string);
    return n ? n->as_string() : nullptr;
  }

  // A sub-table, written as [path.key] or inline as key = { ... }.
  const toml::table* table(std::string_view key) {
    const toml::node* n = typed(key, toml::node_type::table);
    return n ? n->as_table() : nullptr;
  }

  bool read_string(std::string_view key, std::string& out) {
    const auto* v = string(key);
    if (v) out = v->get();
    return v != nullptr;
  }

  bool read_bool(std::string_view key, bool& out) {
    const toml::node* n = typed(key, toml::node_type::boolean);
    if (n) out = n->as_boolean()->get();
    return n != nullptr;
  }

  template <typename T>
  bool read_int(std::string_view key, int64_t min, int64_t max, T& out) {
    const toml::node* n = typed(key, toml::node_type::integer);
    if (n == nullptr) return false;
    int64_t v = n->as_integer()->get();
    if (v < min || v > max) {
      diag_.add(n->source(), key_path(key) + " must be between " + std::to_string(min) + " and " +
                                 std::to_string(max) + ", not " + std::to_string(v));
      return false;
    }
    out = static_cast<T>(v);
    return true;
  }

  // Entries with their index in the file, so messages name the entry the user sees.
  using Entries = std::vector<std::pair<size_t, const toml::table*>>;
  // The tables of [[key]]; anything else under key is reported.
  Entries array_of_tables(std::string_view key);

  using Strings = std::vector<std::pair<size_t, const toml::value<std::string>*>>;
  // The strings of key = ["...", ...]; a non-string element is reported and skipped.
  Strings string_array(std::string_view key);

  void require(std::string_view key);

  // Reports every key of the table that nothing asked for.
  void finish();

 private:
  const toml::table& table_;
  std::string path_;
  Diagnostics& diag_;
  std::vector<std::string> known_;
};

}  // namespace ringgate::config
