#include "engine/gateway/upstream_body_reader.h"

#include "engine/gateway/clock.h"

namespace ringgate::gateway {

using pipeline::BodyRead;

io::Task<BodyRead> UpstreamBodyReader::read(std::vector<std::string_view>& pieces,
                                            uint32_t heartbeat_ms) {
  // The same deadline heap as every other timer of the shard: the read is cancelled at the
  // earlier of its idle deadline and the heartbeat, and issued again after a heartbeat.
  if (!after_heartbeat_) idle_deadline_ = deadline_within(d_.idle_ms, d_.total_deadline);
  after_heartbeat_ = false;
  const uint64_t now = now_ms();
  const bool beat = heartbeat_ms > 0 && now + heartbeat_ms < idle_deadline_;
  const uint64_t beat_at = now + heartbeat_ms;
  const int rc =
      co_await conn_->read_some(ring_, buf_.data(), buf_.size(), beat ? beat_at : idle_deadline_);
  pieces.clear();
  if (client_gone_ && !(keep_ && keep_())) co_return BodyRead::kClientGone;
  // Only the heartbeat's own deadline (same clock as the ring's heap) makes a heartbeat; any
  // other cancel (a draining shard's abort) is what it was before.
  if (rc < 0 && beat && is_timeout(rc) && now_ms() >= beat_at && now_ms() < idle_deadline_) {
    // A cancelled receive consumed nothing (TLS keeps what it had), so the body goes on.
    after_heartbeat_ = true;
    co_return BodyRead::kHeartbeat;
  }
  if (rc < 0) co_return classify(rc);
  const protocol::ParseStatus st =
      rc > 0 ? rp_.feed(std::string_view(buf_.data(), size_t(rc)), pieces) : rp_.finish_eof();
  if (st == protocol::ParseStatus::kError) {
    co_return rp_.body_too_large() ? BodyRead::kTooLarge : BodyRead::kMalformed;
  }
  park_if_done();
  co_return BodyRead::kData;
}

BodyRead UpstreamBodyReader::classify(int rc) const {
  if (!is_timeout(rc)) return BodyRead::kConnectionFailed;
  return remaining_ms(d_.total_deadline) <= 1 ? BodyRead::kTotalTimeout : BodyRead::kIdleTimeout;
}

void UpstreamBodyReader::park_if_done() {
  if (conn_ && rp_.connection_reusable()) {
    upstream_fd_ = -1;
    conn_->requests++;
    pool_.park(std::move(conn_), now_ms());
  }
}

}  // namespace ringgate::gateway
