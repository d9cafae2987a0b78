#include "providers/models_translator.h"

#include <charconv>
#include <vector>

#include "providers/json_access.h"
#include "providers/json_writer.h"
#include "providers/response_headers.h"

namespace ringgate::providers {

using protocol::ApiFront;

namespace {

void write_model(JsonWriter& w, ApiFront to, const ModelEntry& m) {
  w.begin_object();
  if (to == ApiFront::kAnthropic) {
    w.key("type").string("model").key("id").string(m.id);
    w.key("display_name").string(m.display_name.empty() ? m.id : m.display_name);
    std::string at;
    append_rfc3339(at, m.created_unix_s);
    w.key("created_at").string(at);
  } else {
    w.key("id").string(m.id).key("object").string("model");
    w.key("created").integer(m.created_unix_s);
    w.key("owned_by").string(m.owned_by.empty() ? "system" : m.owned_by);
  }
  w.end_object();
}

// One model object of `from`'s shape; false without a string id.
bool read_model(json::element e, ApiFront from, ModelEntry& m) {
  if (!json::is_object(e)) return false;
  json::object o = json::as_object(e);
  m = {};
  m.id = json::field_string(o, "id");
  if (m.id.empty()) return false;
  if (from == ApiFront::kAnthropic) {
    m.display_name = json::field_string(o, "display_name");
    int64_t ms = 0;
    if (parse_rfc3339(json::field_string(o, "created_at"), ms)) m.created_unix_s = ms / 1000;
    m.owned_by = "anthropic";
  } else {
    m.created_unix_s = json::field_integer(o, "created");
    if (m.created_unix_s < 0) m.created_unix_s = 0;
  }
  return true;
}

TranslateResult unreadable() {
  TranslateResult r;
  r.status = 502;
  r.error_message = "upstream model list could not be read";
  return r;
}

}  // namespace

ModelPage parse_model_page(std::string_view query) {
  ModelPage page;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = param.find('=');
    const std::string_view name = param.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : param.substr(eq + 1);
    if (name == "limit") {
      size_t n = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc() || ptr != value.data() + value.size() || n < 1 ||
          n > 1000) {
        page.ok = false;
        page.error = "limit must be an integer from 1 to 1000";
        return page;
      }
      page.limit = n;
    } else if (name == "after_id") {
      page.after_id = value;
    } else if (name == "before_id") {
      page.before_id = value;
    }
  }
  return page;
}

void render_model(ApiFront to, const ModelEntry& model, std::string& out) {
  JsonWriter w(out);
  write_model(w, to, model);
}

void render_model_list(ApiFront to, std::span<const ModelEntry> models, const ModelPage& page,
                       std::string& out) {
  JsonWriter w(out);
  if (to == ApiFront::kOpenAi) {
    w.begin_object().key("object").string("list").key("data").begin_array();
    for (const ModelEntry& m : models) write_model(w, to, m);
    w.end_array().end_object();
    return;
  }
  auto index_of = [&](std::string_view id) {
    for (size_t i = 0; i < models.size(); ++i)
      if (models[i].id == id) return i;
    return models.size();
  };
  size_t begin = 0, end = models.size();
  if (!page.after_id.empty()) begin = std::min(models.size(), index_of(page.after_id) + 1);
  if (!page.before_id.empty()) end = index_of(page.before_id);
  if (begin > end) begin = end;
  bool has_more = false;
  if (page.limit > 0 && end - begin > page.limit) {
    has_more = true;
    if (!page.before_id.empty() && page.after_id.empty()) {
      begin = end - page.limit;  // the page right before before_id
    } else {
      end = begin + page.limit;
    }
  }
  w.begin_object().key("data").begin_array();
  for (size_t i = begin; i < end; ++i) write_model(w, to, models[i]);
  w.end_array().key("has_more").boolean(has_more);
  if (begin < end) {
    w.key("first_id").string(models[begin].id).key("last_id").string(models[end - 1].id);
  } else {
    w.key("first_id").null().key("last_id").null();
  }
  w.end_object();
}

TranslateResult translate_models_response(ApiFront from, ApiFront to, std::string_view body,
                                          bool single, const ModelPage& page) {
  json::element root;
  if (!json::parse(json::ParserSlot::kDocument, body, root)) return unreadable();
  TranslateResult r;
  if (single) {
    ModelEntry m;
    if (!read_model(root, from, m)) return unreadable();
    render_model(to, m, r.body);
    r.ok = true;
    r.status = 200;
    return r;
  }
  json::element data;
  if (!json::is_object(root) || !json::field(json::as_object(root), "data", data) ||
      !json::is_array(data)) {
    return unreadable();
  }
  std::vector<ModelEntry> models;
  for (json::element e : json::as_array(data)) {
    ModelEntry m;
    if (read_model(e, from, m)) models.push_back(m);
  }
  render_model_list(to, models, page, r.body);
  r.ok = true;
  r.status = 200;
  return r;
}

}  // namespace ringgate::providers
