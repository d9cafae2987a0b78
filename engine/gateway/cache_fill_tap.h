// The exact cache's fill: a copy of a cacheable miss's upstream body, kept on the shard while it
// is relayed, bounded so an answer too big to keep stops being copied at once (the copy is
// dropped, the relay is never held up). The session stores it when the relay ended complete.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "engine/pipeline/body_tap.h"

namespace ringgate::gateway {

class CacheFillTap final : public pipeline::BodyTap {
 public:
  void begin(size_t limit) {
    bytes_.clear();
    limit_ = limit;
    open_ = true;
    too_large_ = false;
  }
  // Never refuses: a fill is an optimisation, its loss is not a tap drop of the record's.
  bool offer(std::span<const std::string_view> pieces) override {
    if (!open_) return true;
    size_t n = 0;
    for (std::string_view p : pieces) n += p.size();
    if (bytes_.size() + n > limit_) {
      too_large_ = true;
      open_ = false;
      std::string().swap(bytes_);
      return true;
    }
    for (std::string_view p : pieces) bytes_.append(p);
    return true;
  }
  bool active() const { return open_ || too_large_; }
  bool too_large() const { return too_large_; }
  // Ends this fill; the copy stays readable until the next begin().
  void close() { open_ = too_large_ = false; }
  std::string& bytes() { return bytes_; }
  // A big answer's buffer is not kept for the connection's life.
  void trim() {
    if (bytes_.capacity() > kKeep) std::string().swap(bytes_);
  }

 private:
  static constexpr size_t kKeep = 65536;
  std::string bytes_;
  size_t limit_ = 0;
  bool open_ = false, too_large_ = false;
};

}  // namespace ringgate::gateway
