#include "engine/config/webhook_url.h"

#include "engine/config/upstream_url.h"

namespace ringgate::config {
namespace {

// RFC 3986 query characters: visible ASCII but '#' (a fragment never reaches the server).
bool valid_query(std::string_view q) {
  for (char c : q) {
    if (c <= 0x20 || c >= 0x7f || c == '#') return false;
  }
  return true;
}

}  // namespace

bool parse_webhook_url(std::string_view url, WebhookTarget& out, std::string& err) {
  const size_t q = url.find('?');
  const std::string_view base = url.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? "" : url.substr(q);
  if (!valid_query(query)) {
    err = "URL query must be visible ASCII characters without '#'";
    return false;
  }
  std::optional<UpstreamUrl> parsed = parse_upstream_url(base, err);
  if (!parsed) return false;
  // The path as written (the upstream rules drop a trailing '/', which a webhook may need).
  const size_t scheme_end = base.find("://");
  const size_t path_at = base.find('/', scheme_end == std::string_view::npos ? 0 : scheme_end + 3);
  std::string path(path_at == std::string_view::npos ? "/" : base.substr(path_at));
  out.tls = parsed->tls;
  out.host = parsed->host;
  out.port = parsed->port;
  out.authority = parsed->authority();
  out.target = path + std::string(query);
  return true;
}

}  // namespace ringgate::config
