#pragma once

// Counts heap allocations (operator new, which libstdc++'s array and nothrow forms go through)
// made while an AllocationCounter lives, to prove that warm code allocates nothing. The
// replacement operators live in allocation_counter.cc, linked only into the tests that use it.

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define RINGGATE_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define RINGGATE_SANITIZED 1
#endif
#endif
#ifndef RINGGATE_SANITIZED
#define RINGGATE_SANITIZED 0
#endif

namespace ringgate::providers::testing {

// False under sanitizers, which keep their own operator new: nothing is counted there.
inline constexpr bool kCountsAllocations = !RINGGATE_SANITIZED;

extern bool g_count_allocations;
extern size_t g_allocations;

class AllocationCounter {
 public:
  AllocationCounter() {
    g_allocations = 0;
    g_count_allocations = true;
  }
  ~AllocationCounter() { g_count_allocations = false; }
  size_t allocations() const { return g_allocations; }
};

}  // namespace ringgate::providers::testing
