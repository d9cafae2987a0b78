#pragma once

#include <string>

#include "engine/io/tls_server_context.h"
#include "engine/io/tls_session.h"

namespace ringgate::io {

// The client listener's side of TLS: a TlsSession in the server role on one accepted connection.
// The session holds a reference to the context's SSL_CTX, so a reload that replaces the context
// leaves this connection on the certificate it was accepted with.
class TlsServerSession : public TlsSession {
 public:
  explicit TlsServerSession(TlsServerContext& ctx);

  // The verified client certificate's subject in RFC 2253 form ("CN=svc-a,O=Example"), empty
  // when the client sent none (or the handshake is not done).
  std::string peer_subject() const;
};

}  // namespace ringgate::io
