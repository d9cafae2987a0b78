// pipeline::UpstreamBody over a pooled upstream connection: reads into the session's buffer,
// de-frames through the response parser, and parks the connection in its pool as soon as the
// body is whole, before the last bytes reach the client, so the next request can reuse it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "engine/gateway/buffer_pool.h"
#include "engine/gateway/upstream_connection.h"
#include "engine/gateway/upstream_pool.h"
#include "engine/pipeline/upstream_body.h"
#include "protocol/http_response_parser.h"

namespace ringgate::gateway {

struct UpstreamBodyDeadlines {
  uint32_t idle_ms = 0;         // between reads
  uint64_t total_deadline = 0;  // the request's end (now_ms() clock)
};

class UpstreamBodyReader final : public pipeline::UpstreamBody {
 public:
  // `upstream_fd` is the session's record of the socket a hangup cancels (-1 once parked);
  // `client_gone` is the session's flag, set by its hangup watch.
  UpstreamBodyReader(io::Ring& ring, protocol::HttpResponseParser& rp, RawBuffer& buf,
                     std::unique_ptr<UpstreamConnection>& conn, UpstreamPool& pool,
                     int& upstream_fd, const bool& client_gone, UpstreamBodyDeadlines d)
      : ring_(ring),
        rp_(rp),
        buf_(buf),
        conn_(conn),
        pool_(pool),
        upstream_fd_(upstream_fd),
        client_gone_(client_gone),
        d_(d) {}

  io::Task<pipeline::BodyRead> read(std::vector<std::string_view>& pieces,
                                    uint32_t heartbeat_ms) override;
  bool complete() const override { return rp_.complete(); }
  // A single flight's leader whose client left goes on reading while `keep` says followers wait
  // for its answer (seed-defect 004-P14); without it a gone client ends the read.
  void keep_reading_when_client_gone(std::function<bool()> keep) { keep_ = std::move(keep); }
  // Gives the connection back to its pool when its response is whole and it may carry another.
  void park_if_done();

 private:
  pipeline::BodyRead classify(int rc) const;

  io::Ring& ring_;
  protocol::HttpResponseParser& rp_;
  RawBuffer& buf_;
  std::unique_ptr<UpstreamConnection>& conn_;
  UpstreamPool& pool_;
  int& upstream_fd_;
  const bool& client_gone_;
  std::function<bool()> keep_;
  UpstreamBodyDeadlines d_;
  // The idle deadline of the read in progress: set when a read starts, kept across the
  // heartbeats that interrupt it (they are the client's, not the upstream's).
  uint64_t idle_deadline_ = 0;
  bool after_heartbeat_ = false;
};

}  // namespace ringgate::gateway
