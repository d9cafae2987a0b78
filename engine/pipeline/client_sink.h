// The client connection as ResponseWriter sees it: where bytes go and the few facts of the
// connection that shape a head. The session implements it on the ring; tests implement it on a
// string, so the writer and the body relay run without a ring.
#pragma once

#include <sys/uio.h>

#include "engine/io/task.h"

namespace ringgate::pipeline {

class ClientSink {
 public:
  // Sends every byte of the vectors (it may advance them). False: the client is gone.
  virtual io::Task<bool> send(iovec* iov, int iovcnt) = 0;
  // The response being written is the connection's last one (its head says Connection: close).
  virtual bool closing() const = 0;
  // The connection ends after this response (a body delimited by the close, a broken stream).
  virtual void close_after_response() = 0;
  // The client can read a chunked body (HTTP/1.1); an HTTP/1.0 one reads to the close.
  virtual bool reads_chunked() const = 0;
  // The request was HEAD: an answer is its head alone.
  virtual bool head_request() const = 0;
  // A response with this status begins (the shard counts responses by class).
  virtual void count_response(int status) = 0;

 protected:
  ~ClientSink() = default;
};

}  // namespace ringgate::pipeline
