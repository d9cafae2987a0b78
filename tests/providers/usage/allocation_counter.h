#pragma once

// Counts heap allocations (operator new, which libstdc++'s array and nothrow forms go through)
// made while an AllocationCounter lives, to prove that warm code allocates nothing. The
// replacement operators live in allocation_counter.cc, linked only into the tests that use it.

#include <cstddef>

namespace ringgate::providers::testing {

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
