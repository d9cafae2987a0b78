#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

namespace ringgate::io {

// What [server.tls] asks of the client listener's TLS (plain values: io knows nothing of config).
struct TlsServerOptions {
  std::string cert_file;             // PEM: the certificate first, then its chain
  std::string key_file;              // PEM private key, unencrypted; refused if others may read it
  std::string client_ca_file;        // "" = no client certificates asked for
  bool client_cert_required = true;  // with client_ca_file: refuse a client that sends none
  bool tls13_only = false;           // min_version = "1.3"
};

// The client listener's TLS configuration: one per load (start and every SIGHUP), shared by every
// shard. OpenSSL reference counts the SSL_CTX and every session holds it, so connections made on
// an old certificate keep it after a reload until they end. Stateless session tickets (no
// server-side cache, so no lock shared between shards), keys made fresh at each load.
class TlsServerContext {
 public:
  // TLS 1.2 (ECDHE with AEAD ciphers only) and 1.3, ALPN http/1.1 only, no renegotiation.
  // Null with `err` saying why (a path and OpenSSL's reason; never any key material).
  static std::shared_ptr<TlsServerContext> create(const TlsServerOptions& options,
                                                  std::string& err);

  ~TlsServerContext();
  TlsServerContext(const TlsServerContext&) = delete;
  TlsServerContext& operator=(const TlsServerContext&) = delete;

  SSL_CTX* get() { return ctx_; }
  // The served certificate's subject and serial, for the start and reload logs.
  const std::string& description() const { return description_; }
  bool asks_client_certificates() const { return asks_client_certs_; }

 private:
  explicit TlsServerContext(SSL_CTX* ctx) : ctx_(ctx) {}
  bool load_identity(const TlsServerOptions& options, std::string& err);
  bool load_client_ca(const TlsServerOptions& options, std::string& err);

  SSL_CTX* ctx_;
  std::string description_;
  bool asks_client_certs_ = false;
};

// Reads a private key file whose permissions let no other user (world) read or anyone but its
// owner write it; `contents` gets the bytes (the caller cleanses them). False with `err` saying
// which permission is wrong.
bool read_private_key_file(const std::string& path, std::string& contents, std::string& err);

}  // namespace ringgate::io
