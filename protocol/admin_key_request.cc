#include "protocol/admin_key_request.h"

namespace ringgate::protocol {

namespace {

bool fail(AdminKeyRequestError& err, std::string message, std::string_view param = {}) {
  err.message = std::move(message);
  err.param = param;
  return false;
}

bool id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

bool valid_admin_key_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxAdminKeyIdLength) return false;
  for (char c : id) {
    if (!id_char(c)) return false;
  }
  return true;
}

bool parse_admin_key_request(simdjson::dom::parser& parser, std::string_view body, int64_t now_s,
                             AdminKeyRequest& out, AdminKeyRequestError& err) {
  out = AdminKeyRequest{};
  if (body.size() > kMaxAdminKeyBodyBytes) {
    return fail(err, "the body is larger than " + std::to_string(kMaxAdminKeyBodyBytes) + " bytes");
  }
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) {
    return fail(err, "the body is not valid JSON");
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) {
    return fail(err, "the body must be a JSON object");
  }
  bool seen_id = false, seen_team = false, seen_expiry = false;
  for (auto [key, value] : obj) {
    if (key == "id" || key == "team") {
      bool& seen = key == "id" ? seen_id : seen_team;
      const std::string param(key);
      if (seen) return fail(err, "'" + param + "' is given twice", param);
      seen = true;
      std::string_view s;
      if (value.get_string().get(s) != simdjson::SUCCESS) {
        return fail(err, "'" + param + "' must be a string", param);
      }
      (key == "id" ? out.id : out.team) = s;
    } else if (key == "expires_at") {
      if (seen_expiry) return fail(err, "'expires_at' is given twice", "expires_at");
      seen_expiry = true;
      int64_t t = 0;
      if (value.get_int64().get(t) != simdjson::SUCCESS) {
        return fail(err, "'expires_at' must be an integer (unix seconds)", "expires_at");
      }
      if (t <= now_s) return fail(err, "'expires_at' must be in the future", "expires_at");
      out.expires_at = t;
    } else {
      std::string name(key.substr(0, 64));
      return fail(err, "unknown member '" + name + "' (allowed: id, team, expires_at)");
    }
  }
  if (!seen_id) return fail(err, "'id' is required", "id");
  if (!valid_admin_key_id(out.id)) {
    return fail(err, "'id' must be 1 to 64 characters of A-Z a-z 0-9 . _ -", "id");
  }
  if (seen_team && (out.team.empty() || out.team.size() > 256)) {
    return fail(err, "'team' must be a non-empty team name", "team");
  }
  return true;
}

}  // namespace ringgate::protocol
