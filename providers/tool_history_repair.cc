// Tool-call history repair, see the header for the policy. One plan pass reads the history
// (turns, calls, results, what needs changing) into thread-local scratch, which a warm shard
// reuses without allocating; only a history that needs repair is written again.
#include "providers/tool_history_repair.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "providers/json_access.h"
#include "providers/json_writer.h"

namespace ringgate::providers {
namespace {

using json::array;
using json::element;
using json::object;

using u128 = unsigned __int128;
// FNV-1a with the 128-bit parameters: stable across builds, processes and nodes.
constexpr u128 kFnvOffset = (u128(0x6C62272E07BB0142ull) << 64) | 0x62B821756295C58Dull;
constexpr u128 kFnvPrime = (u128(1) << 88) | 0x13B;

u128 fnv1a(u128 h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}

// FNV-1a alone barely changes the high digits for a change in the last byte ("f:0", "f:1"):
// each 64-bit half goes through splitmix64's finalizer, the other half mixed in, so similar ids
// get unrelated names.
uint64_t fmix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

u128 finish(u128 h) {
  uint64_t hi = uint64_t(h >> 64), lo = uint64_t(h);
  lo = fmix64(lo ^ hi);
  hi = fmix64(hi ^ lo);
  return (u128(hi) << 64) | lo;
}

bool ascii_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// The kinds of repair, in the order the header lists them.
enum Kind { kMapped, kOrphan, kDuplicate, kMoved, kAdded, kEmptyArguments, kKinds };
constexpr std::string_view kKindNames[kKinds] = {
    "mapped_id",    "dropped_orphan_result", "dropped_duplicate_result",
    "moved_result", "added_missing_result",  "empty_arguments"};

constexpr std::string_view kNoResultText = "No result was provided for this tool call.";

void append_escaped_id(std::string& out, std::string_view id) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : id) {
    if (ascii_alnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
}

// The header's items, deduplicated per kind, within kMaxHeaderBytes.
class RepairLog {
 public:
  void clear() {
    for (auto& list : items_) list.clear();
    bytes_ = 0;
    more_ = 0;
  }

  void add(Kind kind, std::string_view id, std::string_view mapped = {}) {
    item_.clear();
    append_escaped_id(item_, id);
    if (kind == kMapped) {
      item_ += '>';
      item_ += mapped;  // portable: needs no escaping
    }
    std::vector<std::string>& list = items_[kind];
    if (std::find(list.begin(), list.end(), item_) != list.end()) return;
    // "; name=" before a kind's first item, "," before the others; room kept for "; more=N".
    const size_t cost = item_.size() + (list.empty() ? kKindNames[kind].size() + 3 : 1);
    if (more_ > 0 || bytes_ + cost > kMaxHeaderBytes - 16) {
      ++more_;
      return;
    }
    bytes_ += cost;
    list.push_back(item_);
  }

  std::string header() const {
    std::string out;
    for (int k = 0; k < kKinds; ++k) {
      if (items_[k].empty()) continue;
      if (!out.empty()) out += "; ";
      out += kKindNames[k];
      out += '=';
      for (size_t i = 0; i < items_[k].size(); ++i) {
        if (i) out += ',';
        out += items_[k][i];
      }
    }
    if (more_ > 0) {
      if (!out.empty()) out += "; ";
      out += "more=" + std::to_string(more_);
    }
    return out;
  }

 private:
  std::vector<std::string> items_[kKinds];
  std::string item_;
  size_t bytes_ = 0, more_ = 0;
};

constexpr uint32_t kNone = UINT32_MAX;

struct Call {
  uint32_t msg = 0, run = 0;
  std::string_view id;
  bool answered = false;
  bool empty_arguments = false;  // OpenAI only
  bool remapped = false;
  MappedToolId mapped;
  std::string_view sent_id() const { return remapped ? mapped.view() : id; }
};

enum class Fate : uint8_t { kKeep, kOrphan, kDuplicate };

struct Result {
  uint32_t msg = 0, block = 0;  // block: index in the message's content array (Anthropic)
  uint32_t run = kNone;         // the turn whose segment holds it; kNone before any turn
  std::string_view id;
  Fate fate = Fate::kOrphan;
  uint32_t call = kNone;  // the call it answers, when kept
  bool out_of_place = false;
};

// An assistant turn: its consecutive assistant messages [first, end) and the messages after it up
// to the next assistant message, [end, segment_end), which hold its results.
struct Run {
  uint32_t first = 0, end = 0, segment_end = 0;
  uint32_t calls_begin = 0, calls_end = 0;
};

struct MessageInfo {
  uint32_t results_begin = 0, results_count = 0;
  uint32_t calls_begin = 0, calls_count = 0;
  bool is_result_message = false;  // OpenAI: a tool message
};

// The plan of one history, shared by both formats: fill messages, runs, calls and results while
// walking, then decide().
struct Plan {
  std::vector<MessageInfo> messages;
  std::vector<Run> runs;
  std::vector<Call> calls;
  std::vector<Result> results;
  std::vector<uint32_t> by_id;  // call indices sorted by (id, position)
  RepairLog log;
  bool malformed = false;

  void clear() {
    messages.clear();
    runs.clear();
    calls.clear();
    results.clear();
    by_id.clear();
    log.clear();
    malformed = false;
  }

  // Message `i` is an assistant message: it starts a turn or extends the one just before it.
  void assistant_message(uint32_t i) {
    if (runs.empty() || runs.back().end != i) {
      Run r;
      r.first = i;
      r.calls_begin = r.calls_end = uint32_t(calls.size());
      runs.push_back(r);
    }
    runs.back().end = runs.back().segment_end = i + 1;
  }
  // Message `i` is not: it belongs to the last turn's segment, if there is a turn.
  uint32_t other_message(uint32_t i) {
    if (runs.empty()) return kNone;
    runs.back().segment_end = i + 1;
    return uint32_t(runs.size() - 1);
  }
  void add_call(uint32_t msg, std::string_view id) {
    Call c;
    c.msg = msg;
    c.run = uint32_t(runs.size() - 1);
    c.id = id;
    calls.push_back(c);
    runs.back().calls_end = uint32_t(calls.size());
  }

  // Ids, pairing and what is missing; true when the history needs writing again.
  bool decide() {
    by_id.resize(calls.size());
    for (uint32_t i = 0; i < by_id.size(); ++i) by_id[i] = i;
    std::sort(by_id.begin(), by_id.end(), [this](uint32_t a, uint32_t b) {
      return calls[a].id != calls[b].id ? calls[a].id < calls[b].id : a < b;
    });
    bool changed = false;
    uint32_t occurrence = 0;
    for (size_t k = 0; k < by_id.size(); ++k) {
      Call& c = calls[by_id[k]];
      occurrence = k > 0 && calls[by_id[k - 1]].id == c.id ? occurrence + 1 : 0;
      if (occurrence > 0 || !is_portable_tool_id(c.id)) {
        c.mapped = map_tool_id(c.id, occurrence);
        c.remapped = true;
      }
    }
    for (Result& r : results) {
      if (r.run == kNone) continue;
      auto [lo, hi] = std::equal_range(by_id.begin(), by_id.end(), r.id,
                                       [this](auto a, auto b) { return key(a) < key(b); });
      bool seen = false;
      for (auto it = lo; it != hi; ++it) {
        Call& c = calls[*it];
        if (c.run != r.run) continue;
        seen = true;
        if (c.answered) continue;
        c.answered = true;
        r.fate = Fate::kKeep;
        r.call = *it;
        break;
      }
      if (r.fate != Fate::kKeep && seen) r.fate = Fate::kDuplicate;
    }
    // The log, in history order within each kind.
    for (const Call& c : calls) {
      if (c.remapped) log.add(kMapped, c.id, c.mapped.view()), changed = true;
    }
    for (const Result& r : results) {
      if (r.fate == Fate::kOrphan) log.add(kOrphan, r.id), changed = true;
    }
    for (const Result& r : results) {
      if (r.fate == Fate::kDuplicate) log.add(kDuplicate, r.id), changed = true;
    }
    for (const Result& r : results) {
      if (r.fate == Fate::kKeep && r.out_of_place) log.add(kMoved, r.id), changed = true;
    }
    for (const Call& c : calls) {
      if (!c.answered) log.add(kAdded, c.id), changed = true;
    }
    for (const Call& c : calls) {
      if (c.empty_arguments) log.add(kEmptyArguments, c.id), changed = true;
    }
    return changed;
  }

  std::string_view sent_id(const Result& r) const { return calls[r.call].sent_id(); }

 private:
  // Heterogeneous keys for equal_range: a call index or the id looked for.
  std::string_view key(uint32_t call) const { return calls[call].id; }
  static std::string_view key(std::string_view id) { return id; }
};

Plan& thread_plan() {
  thread_local Plan plan;
  plan.clear();
  return plan;
}

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// Nested objects may repeat keys (only the request's top level is checked for that): a key the
// plan reads and the writer rewrites must occur once, or the two would disagree.
bool at_most_once(object o, std::string_view key) {
  int n = 0;
  for (auto [k, v] : o) n += k == key;
  return n <= 1;
}

// The request object again, with `messages` written by `write_messages`.
template <class WriteMessages>
ToolHistoryRepair rewrite(object root, size_t size_hint, const Plan& plan,
                          WriteMessages&& write_messages) {
  ToolHistoryRepair out;
  out.repaired = true;
  out.body.reserve(size_hint + 256);
  JsonWriter w(out.body);
  w.begin_object();
  for (auto [key, value] : root) {
    w.key(key);
    if (key == "messages") {
      write_messages(w, json::as_array(value));
    } else {
      w.element(value);
    }
  }
  w.end_object();
  out.header = plan.log.header();
  return out;
}

// Only the outer object's size is known cheaply; a repaired body is about as long as the original.
size_t estimate_size(array messages) { return messages.size() * 256; }

// ---------------------------------------------------------------------------------------------
// OpenAI chat: assistant messages carry tool_calls[{id, function: {name, arguments}}]; a result
// is a {role: "tool", tool_call_id} message.

bool plan_chat(array messages, Plan& plan) {
  uint32_t i = 0;
  bool segment_has_other = false;  // a user message already stands between a turn and a result
  for (element m : messages) {
    object msg;
    if (m.get_object().get(msg)) return false;
    MessageInfo info;
    const std::string_view role = json::field_string(msg, "role");
    if (!at_most_once(msg, "tool_calls") || !at_most_once(msg, "tool_call_id")) return false;
    if (role == "assistant") {
      plan.assistant_message(i);
      segment_has_other = false;
      info.calls_begin = uint32_t(plan.calls.size());
      element calls_el;
      if (json::field(msg, "tool_calls", calls_el)) {
        array calls;
        if (calls_el.get_array().get(calls)) return false;
        for (element c : calls) {
          object call, fn;
          element fn_el;
          if (c.get_object().get(call) || !json::field(call, "function", fn_el) ||
              fn_el.get_object().get(fn) || !at_most_once(call, "function") ||
              !at_most_once(call, "id") || !at_most_once(fn, "arguments")) {
            return false;
          }
          const std::string_view id = json::field_string(call, "id");
          if (id.empty()) return false;
          plan.add_call(i, id);
          element args;
          plan.calls.back().empty_arguments = !json::field(fn, "arguments", args) ||
                                              (json::is_string(args) && blank(json::str(args)));
        }
      }
      info.calls_count = uint32_t(plan.calls.size()) - info.calls_begin;
    } else {
      const uint32_t run = plan.other_message(i);
      if (role == "tool") {
        const std::string_view id = json::field_string(msg, "tool_call_id");
        if (id.empty()) return false;
        info.is_result_message = true;
        info.results_begin = uint32_t(plan.results.size());
        info.results_count = 1;
        Result r;
        r.msg = i;
        r.run = run;
        r.id = id;
        r.out_of_place = segment_has_other;
        plan.results.push_back(r);
      } else if (role != "system" && role != "developer") {
        // The translator lifts system messages out of the turns, so only user content counts.
        segment_has_other = true;
      }
    }
    plan.messages.push_back(info);
    ++i;
  }
  return true;
}

void write_chat_assistant(JsonWriter& w, element m, const MessageInfo& info, const Plan& plan) {
  if (info.calls_count == 0) {
    w.element(m);
    return;
  }
  w.begin_object();
  for (auto [key, value] : json::as_object(m)) {
    w.key(key);
    if (key != "tool_calls") {
      w.element(value);
      continue;
    }
    w.begin_array();
    uint32_t k = info.calls_begin;
    for (element c : json::as_array(value)) {
      const Call& call = plan.calls[k++];
      w.begin_object();
      bool wrote_arguments = false;
      for (auto [ck, cv] : json::as_object(c)) {
        w.key(ck);
        if (ck == "id") {
          w.string(call.sent_id());
        } else if (ck == "function") {
          w.begin_object();
          for (auto [fk, fv] : json::as_object(cv)) {
            if (fk == "arguments") {
              wrote_arguments = true;
              w.key(fk);
              call.empty_arguments ? w.string("{}") : w.element(fv);
            } else {
              w.key(fk).element(fv);
            }
          }
          if (!wrote_arguments && call.empty_arguments) w.key("arguments").string("{}");
          w.end_object();
        } else {
          w.element(cv);
        }
      }
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
}

void write_chat_result(JsonWriter& w, object msg, std::string_view sent_id) {
  w.begin_object();
  for (auto [key, value] : msg) {
    w.key(key);
    key == "tool_call_id" ? w.string(sent_id) : w.element(value);
  }
  w.end_object();
}

void write_chat_messages(JsonWriter& w, array messages, const Plan& plan) {
  std::vector<element> all;  // random access by index: simdjson arrays only iterate
  all.reserve(plan.messages.size());
  for (element m : messages) all.push_back(m);
  auto result_of = [&](uint32_t i) -> const Result* {
    const MessageInfo& info = plan.messages[i];
    return info.is_result_message ? &plan.results[info.results_begin] : nullptr;
  };
  w.begin_array();
  const uint32_t first_turn = plan.runs.empty() ? uint32_t(all.size()) : plan.runs[0].first;
  for (uint32_t i = 0; i < first_turn; ++i) {
    if (!result_of(i)) w.element(all[i]);  // a result before any call is an orphan
  }
  for (const Run& run : plan.runs) {
    for (uint32_t i = run.first; i < run.end; ++i) {
      write_chat_assistant(w, all[i], plan.messages[i], plan);
    }
    for (uint32_t i = run.end; i < run.segment_end; ++i) {
      const Result* r = result_of(i);
      if (r && r->fate == Fate::kKeep)
        write_chat_result(w, json::as_object(all[i]), plan.sent_id(*r));
    }
    for (uint32_t c = run.calls_begin; c < run.calls_end; ++c) {
      const Call& call = plan.calls[c];
      if (call.answered) continue;
      w.begin_object().key("role").string("tool").key("tool_call_id").string(call.sent_id());
      w.key("content").begin_string().string_piece("Error: ").string_piece(kNoResultText);
      w.end_string().end_object();
    }
    for (uint32_t i = run.end; i < run.segment_end; ++i) {
      if (!result_of(i)) w.element(all[i]);
    }
  }
  w.end_array();
}

// ---------------------------------------------------------------------------------------------
// Anthropic Messages: tool_use blocks in assistant messages, tool_result blocks (tool_use_id) in
// user messages.

bool plan_messages(array messages, Plan& plan) {
  uint32_t i = 0;
  for (element m : messages) {
    object msg;
    if (m.get_object().get(msg)) return false;
    const std::string_view role = json::field_string(msg, "role");
    element content;
    if ((role != "user" && role != "assistant") || !json::field(msg, "content", content) ||
        (!json::is_string(content) && !json::is_array(content)) || !at_most_once(msg, "content")) {
      return false;
    }
    MessageInfo info;
    if (role == "assistant") {
      plan.assistant_message(i);
      info.calls_begin = uint32_t(plan.calls.size());
    } else {
      info.results_begin = uint32_t(plan.results.size());
    }
    const uint32_t run = role == "user" ? plan.other_message(i) : kNone;
    // Results belong first, in the segment's first message, ahead of any other block.
    const bool first_in_segment = run != kNone && plan.runs[run].end == i;
    bool other_before = !first_in_segment;
    if (json::is_array(content)) {  // a string content holds no blocks
      uint32_t j = 0;
      for (element b : json::as_array(content)) {
        object block;
        if (b.get_object().get(block) || !at_most_once(block, "type") ||
            !at_most_once(block, "id") || !at_most_once(block, "tool_use_id")) {
          return false;
        }
        const std::string_view type = json::field_string(block, "type");
        if (role == "assistant" && type == "tool_use") {
          const std::string_view id = json::field_string(block, "id");
          if (id.empty()) return false;
          plan.add_call(i, id);
        } else if (role == "user" && type == "tool_result") {
          const std::string_view id = json::field_string(block, "tool_use_id");
          if (id.empty()) return false;
          Result r;
          r.msg = i;
          r.block = j;
          r.run = run;
          r.id = id;
          r.out_of_place = other_before;
          plan.results.push_back(r);
        } else if (role == "user") {
          other_before = true;
        }
        ++j;
      }
    }
    if (role == "assistant") {
      info.calls_count = uint32_t(plan.calls.size()) - info.calls_begin;
    } else {
      info.results_count = uint32_t(plan.results.size()) - info.results_begin;
    }
    plan.messages.push_back(info);
    ++i;
  }
  return true;
}

void write_messages_result(JsonWriter& w, object block, std::string_view sent_id) {
  w.begin_object();
  for (auto [key, value] : block) {
    w.key(key);
    key == "tool_use_id" ? w.string(sent_id) : w.element(value);
  }
  w.end_object();
}

void write_messages_assistant(JsonWriter& w, element m, const MessageInfo& info, const Plan& plan) {
  bool remapped = false;
  for (uint32_t c = info.calls_begin; c < info.calls_begin + info.calls_count; ++c) {
    remapped = remapped || plan.calls[c].remapped;
  }
  if (!remapped) {
    w.element(m);
    return;
  }
  w.begin_object();
  for (auto [key, value] : json::as_object(m)) {
    w.key(key);
    if (key != "content") {
      w.element(value);
      continue;
    }
    w.begin_array();
    uint32_t c = info.calls_begin;
    for (element b : json::as_array(value)) {
      object block = json::as_object(b);
      if (json::field_string(block, "type") != "tool_use") {
        w.element(b);
        continue;
      }
      const Call& call = plan.calls[c++];
      w.begin_object();
      for (auto [bk, bv] : block) {
        w.key(bk);
        bk == "id" ? w.string(call.sent_id()) : w.element(bv);
      }
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
}

// The message's blocks other than tool results (a string content as one text block); false when
// there are none.
bool has_other_content(element content) {
  if (json::is_string(content)) return !json::str(content).empty();
  for (element b : json::as_array(content)) {
    if (json::field_string(json::as_object(b), "type") != "tool_result") return true;
  }
  return false;
}

void write_other_blocks(JsonWriter& w, element content) {
  if (json::is_string(content)) {
    if (!json::str(content).empty()) {
      w.begin_object().key("type").string("text").key("text").string(json::str(content));
      w.end_object();
    }
    return;
  }
  for (element b : json::as_array(content)) {
    if (json::field_string(json::as_object(b), "type") != "tool_result") w.element(b);
  }
}

// A user message without its tool results (all of them dropped or moved); nothing when no
// content is left, since neither API takes an empty message.
void write_user_without_results(JsonWriter& w, element m, const MessageInfo& info) {
  if (info.results_count == 0) {
    w.element(m);
    return;
  }
  object msg = json::as_object(m);
  if (!has_other_content(msg["content"].value_unsafe())) return;
  w.begin_object();
  for (auto [key, value] : msg) {
    w.key(key);
    if (key == "content") {
      w.begin_array();
      write_other_blocks(w, value);
      w.end_array();
    } else {
      w.element(value);
    }
  }
  w.end_object();
}

void write_missing_results(JsonWriter& w, const Run& run, const Plan& plan) {
  for (uint32_t c = run.calls_begin; c < run.calls_end; ++c) {
    const Call& call = plan.calls[c];
    if (call.answered) continue;
    w.begin_object().key("type").string("tool_result").key("tool_use_id").string(call.sent_id());
    w.key("content").string(kNoResultText).key("is_error").boolean(true).end_object();
  }
}

void write_messages_messages(JsonWriter& w, array messages, const Plan& plan) {
  std::vector<element> all;
  all.reserve(plan.messages.size());
  for (element m : messages) all.push_back(m);
  // The block elements of a message's content, by index.
  auto blocks_of = [&](uint32_t i, std::vector<element>& out) {
    out.clear();
    element content = json::as_object(all[i])["content"].value_unsafe();
    if (json::is_array(content)) {
      for (element b : json::as_array(content)) out.push_back(b);
    }
  };
  std::vector<element> blocks;
  w.begin_array();
  const uint32_t first_turn = plan.runs.empty() ? uint32_t(all.size()) : plan.runs[0].first;
  for (uint32_t i = 0; i < first_turn; ++i) {
    write_user_without_results(w, all[i], plan.messages[i]);
  }
  for (const Run& run : plan.runs) {
    for (uint32_t i = run.first; i < run.end; ++i) {
      write_messages_assistant(w, all[i], plan.messages[i], plan);
    }
    bool kept = false, missing = false;
    for (uint32_t i = run.end; i < run.segment_end; ++i) {
      const MessageInfo& info = plan.messages[i];
      for (uint32_t r = info.results_begin; r < info.results_begin + info.results_count; ++r) {
        kept = kept || plan.results[r].fate == Fate::kKeep;
      }
    }
    for (uint32_t c = run.calls_begin; c < run.calls_end; ++c) {
      missing = missing || !plan.calls[c].answered;
    }
    if (!kept && !missing) {
      for (uint32_t i = run.end; i < run.segment_end; ++i) {
        write_user_without_results(w, all[i], plan.messages[i]);
      }
      continue;
    }
    // The turn's results, then the first message's other content.
    auto write_results = [&] {
      for (uint32_t i = run.end; i < run.segment_end; ++i) {
        const MessageInfo& info = plan.messages[i];
        if (info.results_count == 0) continue;
        blocks_of(i, blocks);
        for (uint32_t r = info.results_begin; r < info.results_begin + info.results_count; ++r) {
          const Result& res = plan.results[r];
          if (res.fate == Fate::kKeep) {
            write_messages_result(w, json::as_object(blocks[res.block]), plan.sent_id(res));
          }
        }
      }
      write_missing_results(w, run, plan);
    };
    if (run.segment_end == run.end) {
      w.begin_object().key("role").string("user").key("content").begin_array();
      write_results();
      w.end_array().end_object();
      continue;
    }
    w.begin_object();
    for (auto [key, value] : json::as_object(all[run.end])) {
      w.key(key);
      if (key == "content") {
        w.begin_array();
        write_results();
        write_other_blocks(w, value);
        w.end_array();
      } else {
        w.element(value);
      }
    }
    w.end_object();
    for (uint32_t i = run.end + 1; i < run.segment_end; ++i) {
      write_user_without_results(w, all[i], plan.messages[i]);
    }
  }
  w.end_array();
}

template <class PlanFn, class WriteFn>
ToolHistoryRepair repair(element request, PlanFn&& plan_fn, WriteFn&& write_fn) {
  object root;
  element messages_el;
  array messages;
  if (request.get_object().get(root) || !json::field(root, "messages", messages_el) ||
      messages_el.get_array().get(messages)) {
    return {};
  }
  // A second "messages" is the gateway's 400 (duplicate keys); here it must not be written from
  // the first one's plan.
  size_t messages_keys = 0;
  for (auto [key, value] : root) messages_keys += key == "messages";
  if (messages_keys != 1) return {};
  Plan& plan = thread_plan();
  if (!plan_fn(messages, plan) || !plan.decide()) return {};
  return rewrite(root, estimate_size(messages), plan,
                 [&](JsonWriter& w, array m) { write_fn(w, m, plan); });
}

}  // namespace

bool is_portable_tool_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxPortableToolIdBytes) return false;
  for (unsigned char c : id) {
    if (!ascii_alnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

MappedToolId map_tool_id(std::string_view id, uint32_t occurrence) {
  u128 h = fnv1a(kFnvOffset, id);
  if (occurrence > 0) {
    char digits[16];
    digits[0] = '#';
    const auto [end, ec] = std::to_chars(digits + 1, digits + sizeof digits, occurrence);
    h = fnv1a(h, std::string_view(digits, size_t(end - digits)));
  }
  h = finish(h);
  MappedToolId out;
  static constexpr char kHex[] = "0123456789abcdef";
  out.text_[0] = 'r';
  out.text_[1] = 'g';
  out.text_[2] = '_';
  for (int i = 0; i < 32; ++i) out.text_[3 + i] = kHex[unsigned(h >> (124 - 4 * i)) & 15];
  return out;
}

std::string_view portable_tool_id(std::string_view id, MappedToolId& storage) {
  if (is_portable_tool_id(id)) return id;
  storage = map_tool_id(id);
  return storage.view();
}

ToolHistoryRepair repair_chat_tool_history(simdjson::dom::element request) {
  return repair(request, plan_chat, write_chat_messages);
}

ToolHistoryRepair repair_messages_tool_history(simdjson::dom::element request) {
  return repair(request, plan_messages, write_messages_messages);
}

}  // namespace ringgate::providers
