#pragma once

#include <string>

#include "engine/io/tls_context.h"
#include "engine/io/tls_session.h"

namespace ringgate::io {

// The upstream side of TLS: a TlsSession in the client role, sending SNI and verifying the
// server's certificate against the context's trust store.
class TlsClientSession : public TlsSession {
 public:
  // `server_name` is sent as SNI (unless it is an IP literal, which SNI forbids) and checked
  // against the certificate (DNS name or IP address) when the context verifies.
  TlsClientSession(TlsContext& ctx, const std::string& server_name);
};

}  // namespace ringgate::io
