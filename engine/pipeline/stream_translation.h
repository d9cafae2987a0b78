// Translation of an SSE stream into the client's API, as a BodyRelay transform: the framer cuts
// the upstream bytes into events, the provider's stream translator turns each into the client's.
#pragma once

#include "engine/pipeline/body_transform.h"
#include "protocol/sse_framer.h"
#include "providers/provider_adapter.h"

namespace ringgate::pipeline {

class StreamTranslation final : public BodyTransform {
 public:
  StreamTranslation(providers::Translation t, providers::StreamOptions options,
                    size_t max_event_bytes)
      : stream_(t, std::move(options)), framer_(max_event_bytes) {}

  bool feed(std::string_view bytes, std::string& out) override;
  void finish(std::string& out) override { stream_.finish(out); }
  const providers::StreamTranslator& translator() const { return stream_; }

 private:
  providers::StreamTranslator stream_;
  protocol::SseFramer framer_;
  bool event_lost_ = false;
};

}  // namespace ringgate::pipeline
