// One HTTP/1.1 POST of a JSON body, with a deadline: what the budget alert webhook sends, and
// the remote embedder's call (which reads the whole answer). Plain
// blocking-style sockets (non-blocking underneath, waited on with poll so the deadline holds),
// for a thread of its own, never a shard's. https verifies the peer against the system trust
// store (SSL_CERT_FILE and SSL_CERT_DIR are honoured, as OpenSSL does) and the host name.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <string_view>

#include "engine/config/alerts_config.h"

namespace ringgate::telemetry {

struct PostResult {
  int status = 0;     // of the response's status line; 0: none came
  std::string error;  // why, when status is 0; never the URL (it may hold a token)
  bool delivered() const { return status >= 200 && status < 300; }
};

// A whole response: status and de-framed body (Content-Length, chunked or until close).
struct HttpReply {
  int status = 0;  // 0: no complete response came
  bool timed_out = false;
  std::string body;
  std::string error;  // why, when status is 0; never the URL nor a header
};

class HttpPoster {
 public:
  // The deadline covers everything from the connect to the status line, but the name lookup
  // (getaddrinfo), which has none of its own.
  PostResult post(const config::WebhookTarget& target, std::string_view body, int timeout_ms);

  // The same POST with extra header lines (each ending in CRLF, e.g. an Authorization), reading
  // the whole response, at most max_body_bytes of body, within the same deadline.
  HttpReply post_for_reply(const config::WebhookTarget& target, std::string_view extra_headers,
                           std::string_view body, int timeout_ms, size_t max_body_bytes);

 private:
  SSL_CTX* tls_context(std::string& err);

  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx_{nullptr, SSL_CTX_free};
};

}  // namespace ringgate::telemetry
