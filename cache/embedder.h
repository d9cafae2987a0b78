// Embedder: turns text into a unit vector for the semantic cache, in one of two call shapes so
// that a shard never blocks on it.
//
// - Inline embedders (LocalEmbedder: microseconds, no I/O) answer embed_now() on the caller's
//   thread; inline() is true.
// - Asynchronous embedders (RemoteEmbedder: an HTTP call) answer submit(): it queues the text and
//   returns at once; the callback runs later ON THE EMBEDDER'S WORKER THREAD, exactly once, by the
//   deadline (plus scheduling slack). The engine's callback only posts a wake to the shard that
//   asked; it must not touch shard state itself.
//
// Failure of any kind (no features, full queue, late, remote error) is a miss, never an error:
// embed_now returns false, the callback gets ok = false.
//
// name() is part of every semantic cache namespace, so vectors of two embedders (or of one
// embedder with another model or dimension) never meet in one index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace ringgate::cache {

// ok false: a miss; `vector` is then empty. The span is only valid during the call.
using EmbedCallback = std::function<void(bool ok, std::span<const float> vector)>;

class Embedder {
 public:
  virtual ~Embedder() = default;
  virtual size_t dim() const = 0;
  // Names the embedder in namespaces and thresholds; changes when its output would.
  virtual const std::string& name() const = 0;
  // True when embed_now() answers; false when only submit() does.
  virtual bool inline_embedder() const = 0;

  // Inline only: writes a unit vector (or all zeros when the text has no features) into `out`,
  // which must hold dim() floats. False: no embedding (a miss). Asynchronous embedders: false.
  virtual bool embed_now(std::string_view text, std::span<float> out) = 0;

  // Asynchronous: queues the text; the callback runs once on the worker thread by deadline_ms
  // (steady-clock milliseconds, see steady_now_ms()). Returns false, without calling the
  // callback, when the embedding was refused at once (full queue, stopped): a miss.
  // The default runs embed_now() inline and calls the callback on the caller's thread.
  virtual bool submit(std::string text, int64_t deadline_ms, EmbedCallback callback);
};

// Milliseconds of the steady clock: the time base of submit()'s deadline.
int64_t steady_now_ms();

}  // namespace ringgate::cache
