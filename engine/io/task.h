// Coroutine types for the shard loop. A connection is one coroutine: sequential code that
// suspends on io_uring completions, so state machines stay readable. Exceptions never cross
// the loop (errors are values); an escaping exception terminates, loudly.
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <utility>

#include "engine/io/frame_allocator.h"

namespace ringgate::io {

// Lazily started coroutine returning T; awaiting it runs it and resumes the awaiter on completion
// (symmetric transfer, so deep chains do not grow the stack).
template <class T = void>
class Task;

namespace detail {
struct PromiseBase {
  static void* operator new(size_t n) { return FrameAllocator::allocate(n); }
  static void operator delete(void* p, size_t n) { FrameAllocator::deallocate(p, n); }
  std::coroutine_handle<> continuation;
  std::suspend_always initial_suspend() noexcept { return {}; }
  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      auto c = h.promise().continuation;
      return c ? c : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { std::terminate(); }
};
}  // namespace detail

template <class T>
class [[nodiscard]] Task {
 public:
  struct promise_type : detail::PromiseBase {
    T value{};
    Task get_return_object() {
      return Task(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    void return_value(T v) { value = std::move(v); }
  };
  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task(const Task&) = delete;
  ~Task() {
    if (h_) h_.destroy();
  }
  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> c) noexcept {
    h_.promise().continuation = c;
    return h_;
  }
  T await_resume() { return std::move(h_.promise().value); }

 private:
  explicit Task(std::coroutine_handle<promise_type> h) : h_(h) {}
  std::coroutine_handle<promise_type> h_;
};

template <>
class [[nodiscard]] Task<void> {
 public:
  struct promise_type : detail::PromiseBase {
    Task get_return_object() {
      return Task(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    void return_void() {}
  };
  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task(const Task&) = delete;
  ~Task() {
    if (h_) h_.destroy();
  }
  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> c) noexcept {
    h_.promise().continuation = c;
    return h_;
  }
  void await_resume() noexcept {}

 private:
  explicit Task(std::coroutine_handle<promise_type> h) : h_(h) {}
  std::coroutine_handle<promise_type> h_;
};

// A fire-and-forget coroutine: starts at once and frees itself when done. Used for one
// connection's lifetime; its owner tracks liveness through counters, not the handle.
struct Detached {
  struct promise_type {
    static void* operator new(size_t n) { return FrameAllocator::allocate(n); }
    static void operator delete(void* p, size_t n) { FrameAllocator::deallocate(p, n); }
    Detached get_return_object() noexcept { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
  };
};

}  // namespace ringgate::io
