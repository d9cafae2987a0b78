#include "tests/providers/usage/allocation_counter.h"

#include <cstdlib>
#include <new>

namespace ringgate::providers::testing {
bool g_count_allocations = false;
size_t g_allocations = 0;
}  // namespace ringgate::providers::testing

// Under ASan its own operators stay: memory allocated through them (in shared libraries) must
// not be released through ours.
#if !RINGGATE_SANITIZED
void* operator new(size_t n) {
  if (ringgate::providers::testing::g_count_allocations) {
    ++ringgate::providers::testing::g_allocations;
  }
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
#endif
