#include "engine/config/toml_reader.h"

#include <algorithm>

namespace ringgate::config {
namespace {

// Enough problems to fix in one go; more is usually one mistake echoing.
constexpr size_t kMaxReportedProblems = 50;

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string_view type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

std::string position(std::string_view source, const toml::source_position& p) {
  // Nodes always carry a position; 1:1 is a fallback so every message keeps the same shape.
  uint32_t line = p.line ? p.line : 1, column = p.line ? p.column : 1;
  return std::string(source) + ":" + std::to_string(line) + ":" + std::to_string(column);
}

// toml++ quotes the character it choked on, which may be a line break or other control
// character; escaping it keeps every message one line per problem.
std::string escaped(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string Diagnostics::render() {
  std::stable_sort(problems_.begin(), problems_.end(),
                   [](const Problem& a, const Problem& b) { return a.where < b.where; });
  std::string out;
  size_t shown = std::min(problems_.size(), kMaxReportedProblems);
  for (size_t i = 0; i < shown; ++i) {
    if (i) out += '\n';
    out += position(source_, problems_[i].where) + ": " + problems_[i].text;
  }
  if (problems_.size() > shown) {
    out += '\n';
    out += position(source_, problems_[shown].where);
    out += ": and " + std::to_string(problems_.size() - shown) + " more problems from here on";
  }
  return out;
}

const toml::node* TableReader::typed(std::string_view key, toml::node_type want) {
  const toml::node* n = node(key);
  if (n == nullptr) return nullptr;
  if (n->type() != want) {
    diag_.add(n->source(), key_path(key) + " must be " + std::string(type_name(want)) + ", not " +
                               std::string(type_name(n->type())));
    return nullptr;
  }
  return n;
}

TableReader::Entries TableReader::array_of_tables(std::string_view key) {
  Entries out;
  const toml::node* n = node(key);
  if (n == nullptr) return out;
  const toml::array* arr = n->as_array();
  if (arr == nullptr) {
    diag_.add(n->source(), key_path(key) + " must be an array of tables: write [[" + key_path(key) +
                               "]] for each entry");
    return out;
  }
  for (size_t i = 0; i < arr->size(); ++i) {
    const toml::node& e = *arr->get(i);
    if (const toml::table* t = e.as_table()) {
      out.emplace_back(i, t);
    } else {
      diag_.add(e.source(), key_path(key) + "[" + std::to_string(i) + "] must be a table, not " +
                                std::string(type_name(e.type())));
    }
  }
  return out;
}

TableReader::Strings TableReader::string_array(std::string_view key) {
  Strings out;
  const toml::node* n = typed(key, toml::node_type::array);
  if (n == nullptr) return out;
  const toml::array& arr = *n->as_array();
  for (size_t i = 0; i < arr.size(); ++i) {
    const toml::node& e = *arr.get(i);
    if (const auto* s = e.as_string()) {
      out.emplace_back(i, s);
    } else {
      diag_.add(e.source(), key_path(key) + "[" + std::to_string(i) + "] must be a string, not " +
                                std::string(type_name(e.type())));
    }
  }
  return out;
}

void TableReader::require(std::string_view key) {
  if (table_.get(key) == nullptr) {
    diag_.add(table_.source(), (path_.empty() ? std::string("config") : path_) +
                                   " is missing required key '" + std::string(key) + "'");
  }
}

void TableReader::finish() {
  for (const auto& [key, value] : table_) {
    std::string_view k = key.str();
    if (std::find(known_.begin(), known_.end(), k) != known_.end()) continue;
    std::string msg = "unknown key '" + key_path(k) + "'";
    std::string_view best;
    size_t best_distance = 3;  // suggest only close misspellings
    for (const auto& known : known_) {
      size_t d = edit_distance(k, known);
      if (d < best_distance) best_distance = d, best = known;
    }
    if (!best.empty()) {
      msg += " (did you mean '" + key_path(best) + "'?)";
    } else {
      msg += " (expected one of:";
      for (size_t i = 0; i < known_.size(); ++i) msg += (i ? ", " : " ") + known_[i];
      msg += ")";
    }
    diag_.add(key.source(), std::move(msg));
  }
}

}  // namespace ringgate::config
