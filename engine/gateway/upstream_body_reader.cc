#include "engine/gateway/upstream_body_reader.h"

#include "engine/gateway/clock.h"

namespace ringgate::gateway {

using pipeline::BodyRead;

io::Task<BodyRead> UpstreamBodyReader::read(std::vector<std::string_view>& pieces) {
  const int rc = co_await conn_->read_some(ring_, buf_.data(), buf_.size(),
                                           deadline_within(d_.idle_ms, d_.total_deadline));
  pieces.clear();
  if (client_gone_) co_return BodyRead::kClientGone;
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
