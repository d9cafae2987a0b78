// Reading Responses input items. Item `id`, `status`, and content parts' `annotations` and
// `logprobs` mean nothing to an upstream and are ignored; everything that would change what the
// model is asked is either read or refused here.
#include "providers/responses_input_items.h"

#include "providers/json_access.h"

namespace ringgate::providers::responses {
namespace {

using json::array;
using json::element;
using json::object;

std::string at(std::string_view base, size_t i, std::string_view tail = {}) {
  std::string s(base);
  s += '[';
  s += std::to_string(i);
  s += ']';
  if (!tail.empty()) {
    s += '.';
    s += tail;
  }
  return s;
}

// "'name'" followed by `tail`.
std::string quoted(std::string_view name, std::string_view tail) {
  std::string s = "'";
  s += name;
  s += '\'';
  s += tail;
  return s;
}

class Reader {
 public:
  Reader(Items& out, ItemError& error, const object* referenced)
      : out_(out), error_(error), referenced_(referenced) {}

  bool item(element value, const std::string& param) {
    object o;
    if (value.get_object().get(o)) return fail("input items must be objects", param);
    std::string_view type = json::field_string(o, "type");
    if (type.empty() && !json::field_string(o, "role").empty()) type = "message";
    if (type == "message") return message(o, param);
    if (type == "function_call" || type == "custom_tool_call") return call(o, type, param);
    if (type == "function_call_output" || type == "custom_tool_call_output") {
      return call_output(o, type == "custom_tool_call_output", param);
    }
    if (type == "reasoning") return reasoning(o, param);
    if (type == "item_reference") {
      element target;
      // A stored item is never a reference itself (the gateway stores them resolved).
      if (resolve_reference(value, referenced_, target) &&
          json::field_string(json::as_object(target), "type") != "item_reference") {
        return item(target, param);
      }
      return fail(
          "'item_reference' names no item this gateway node keeps for your key (it keeps the "
          "items of translated responses while their conversation is stored); send the "
          "referenced item itself",
          param + ".type");
    }
    return fail(
        "input item type \"" + std::string(type) + "\" is not supported toward this upstream",
        param + ".type");
  }

  bool fail(std::string message, std::string param) {
    error_.message = std::move(message);
    error_.param = std::move(param);
    return false;
  }

 private:
  bool message(object o, const std::string& param) {
    Item item;
    item.kind = Item::Kind::kMessage;
    item.role = json::field_string(o, "role");
    if (item.role == "developer") item.role = "system";
    if (item.role != "user" && item.role != "assistant" && item.role != "system") {
      return fail("message role must be user, assistant, system or developer", param + ".role");
    }
    element content;
    if (!json::field(o, "content", content)) return fail("message needs 'content'", param);
    item.parts_begin = out_.parts.size();
    if (!parts(content, param + ".content", item.role != "user")) return false;
    item.parts_end = out_.parts.size();
    out_.items.push_back(std::move(item));
    return true;
  }

  // A string or an array of parts. Assistant and system content is text only.
  bool parts(element content, const std::string& param, bool text_only) {
    if (json::is_string(content)) {
      out_.parts.push_back(Part{Part::Kind::kText, json::str(content), {}, {}, {}});
      return true;
    }
    array a;
    if (content.get_array().get(a)) return fail("'content' must be a string or an array", param);
    size_t j = 0;
    for (element p : a) {
      if (!part(p, at(param, j), text_only)) return false;
      ++j;
    }
    return true;
  }

  bool part(element value, const std::string& param, bool text_only) {
    object p;
    if (value.get_object().get(p)) return fail("content parts must be objects", param);
    const auto type = json::field_string(p, "type");
    if (type == "input_text" || type == "output_text" || type == "text") {
      out_.parts.push_back(Part{Part::Kind::kText, json::field_string(p, "text"), {}, {}, {}});
      return true;
    }
    if (type == "refusal") {
      out_.parts.push_back(Part{Part::Kind::kText, json::field_string(p, "refusal"), {}, {}, {}});
      return true;
    }
    if (type == "input_image" && !text_only) return image(p, param);
    if (type == "input_file") {
      return fail("'input_file' parts are not supported toward this upstream", param + ".type");
    }
    return fail("content part type \"" + std::string(type) + "\" is not supported here",
                param + ".type");
  }

  bool image(object p, const std::string& param) {
    if (!json::field_string(p, "file_id").empty()) {
      return fail(
          "input_image 'file_id' needs files stored by the server, which ringgate does not keep "
          "for this upstream; send the image as an https or data: URL",
          param + ".file_id");
    }
    Part part;
    part.detail = json::field_string(p, "detail");
    const auto url = json::field_string(p, "image_url");
    if (split_data_url(url, part.media_type, part.data)) {
      part.kind = Part::Kind::kImageData;
    } else if (url.substr(0, 8) == "https://") {
      part.kind = Part::Kind::kImageUrl;
      part.text = url;
    } else {
      return fail("input_image 'image_url' must be an https URL or a base64 data: URL",
                  param + ".image_url");
    }
    out_.parts.push_back(part);
    return true;
  }

  bool call(object o, std::string_view type, const std::string& param) {
    Item item;
    item.kind = Item::Kind::kCall;
    item.custom = type == "custom_tool_call";
    item.call_id = json::field_string(o, "call_id");
    item.name = json::field_string(o, "name");
    if (item.call_id.empty() || item.name.empty()) {
      return fail(std::string(type) + " needs 'call_id' and 'name'", param);
    }
    item.ns = json::field_string(o, "namespace");
    element args;
    const std::string_view field = item.custom ? "input" : "arguments";
    if (json::field(o, field, args) && !json::is_string(args)) {
      return fail(quoted(field, " must be a string"), param + "." + std::string(field));
    }
    item.arguments = json::field_string(o, field);
    out_.items.push_back(item);
    return true;
  }

  bool call_output(object o, bool custom, const std::string& param) {
    Item item;
    item.kind = Item::Kind::kCallOutput;
    item.custom = custom;
    item.call_id = json::field_string(o, "call_id");
    if (item.call_id.empty()) return fail("tool call output needs 'call_id'", param + ".call_id");
    element output;
    item.parts_begin = out_.parts.size();
    if (json::field(o, "output", output)) {
      item.output_is_string = json::is_string(output);
      if (!parts(output, param + ".output", false)) return false;
    } else {
      item.output_is_string = true;
      out_.parts.push_back(Part{});
    }
    item.parts_end = out_.parts.size();
    out_.items.push_back(item);
    return true;
  }

  bool reasoning(object o, const std::string& param) {
    Item item;
    item.kind = Item::Kind::kReasoning;
    item.encrypted_content = json::field_string(o, "encrypted_content");
    element summary;
    if (json::field(o, "summary", summary)) {
      array a;
      if (summary.get_array().get(a)) return fail("'summary' must be an array", param + ".summary");
      for (element s : a) {
        if (!json::is_object(s)) return fail("summary parts must be objects", param + ".summary");
        if (!item.summary.empty()) item.summary += "\n\n";
        item.summary += json::field_string(json::as_object(s), "text");
      }
    }
    out_.items.push_back(std::move(item));
    return true;
  }

  Items& out_;
  ItemError& error_;
  const object* referenced_;
};

}  // namespace

bool split_data_url(std::string_view url, std::string_view& media_type, std::string_view& data) {
  if (url.substr(0, 5) != "data:") return false;
  const auto comma = url.find(',');
  if (comma == std::string_view::npos) return false;
  std::string_view meta = url.substr(5, comma - 5);
  constexpr std::string_view kBase64 = ";base64";
  if (meta.size() <= kBase64.size() || meta.substr(meta.size() - kBase64.size()) != kBase64) {
    return false;
  }
  media_type = meta.substr(0, meta.size() - kBase64.size());
  data = url.substr(comma + 1);
  return true;
}

bool resolve_reference(element value, const object* referenced, element& item) {
  if (!referenced || !json::is_object(value)) return false;
  const object o = json::as_object(value);
  if (json::field_string(o, "type") != "item_reference") return false;
  const std::string_view id = json::field_string(o, "id");
  return !id.empty() && json::field(*referenced, id, item) && json::is_object(item);
}

bool read_items(simdjson::dom::element input, std::string_view base, Items& out, ItemError& error,
                const object* referenced) {
  Reader reader(out, error, referenced);
  if (json::is_string(input)) {
    Item item;
    item.role = "user";
    item.parts_begin = out.parts.size();
    out.parts.push_back(Part{Part::Kind::kText, json::str(input), {}, {}, {}});
    item.parts_end = out.parts.size();
    item.source = base;
    out.items.push_back(item);
    return true;
  }
  array a;
  if (input.get_array().get(a)) {
    return reader.fail(quoted(base, " must be a string or an array of items"), std::string(base));
  }
  size_t i = 0;
  for (element value : a) {
    const size_t first = out.items.size();
    if (!reader.item(value, at(base, i))) return false;
    for (size_t k = first; k < out.items.size(); ++k) {
      out.items[k].source = base;
      out.items[k].index = i;
    }
    ++i;
  }
  return true;
}

}  // namespace ringgate::providers::responses
