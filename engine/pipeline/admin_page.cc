#include "engine/pipeline/admin_page.h"

#include "engine/pipeline/admin_page_assets.h"

namespace ringgate::pipeline {

namespace {

// Script and style only from the gateway itself (no inline code, nothing from elsewhere), calls
// only to it, never framed: a page that handles the admin key runs nothing it did not ship.
constexpr std::string_view kPageHeaders =
    "Cache-Control: no-store\r\n"
    "Content-Security-Policy: default-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: no-referrer\r\n";

constexpr std::string_view kPageAllowHeaders = "Allow: GET, HEAD\r\n";

const AdminAsset* find_asset(std::string_view path) {
  if (path == "/admin" || path == "/admin/") path = "/admin/index.html";
  for (const AdminAsset& a : admin_assets()) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

}  // namespace

bool is_admin_page_request(const RequestContext& rq) {
  const std::string_view path = rq.http->path;
  // index.html is only served as /admin/: the page has one address.
  return path != "/admin/index.html" && find_asset(path) != nullptr;
}

Verdict admin_page(RequestContext& rq) {
  const protocol::HttpRequest& req = *rq.http;
  if (req.method != "GET" && req.method != "HEAD") {
    return Verdict::error(
        {405, "the operator console accepts GET only", protocol::ErrorCode::kMethodNotAllowed},
        kPageAllowHeaders);
  }
  const AdminAsset* a = find_asset(req.path);
  return Verdict::local(200, a->content_type, a->body, kPageHeaders);
}

}  // namespace ringgate::pipeline
