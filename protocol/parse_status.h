#pragma once

namespace ringgate::protocol {

// Shared outcome of every incremental parser in this layer.
enum class ParseStatus { kNeedMore, kComplete, kError };

}  // namespace ringgate::protocol
