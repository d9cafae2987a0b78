// Coroutine frames come and go with every awaited operation; this per-thread free list by size
// class makes a warmed-up shard allocate none of them from the heap. Frames are freed on the
// thread that allocated them (a shard's coroutines never migrate), so no locking is needed.
#pragma once

#include <cstddef>
#include <new>

namespace ringgate::io {

class FrameAllocator {
 public:
  static void* allocate(size_t n) {
    size_t cls = kPooling ? size_class(n) : kClasses;
    if (cls >= kClasses) return ::operator new(n);
    Node*& head = free_lists()[cls];
    if (head) {
      Node* node = head;
      head = node->next;
      return node;
    }
    return ::operator new((cls + 1) * kGranule);
  }
  static void deallocate(void* p, size_t n) {
    size_t cls = kPooling ? size_class(n) : kClasses;
    if (cls >= kClasses) {
      ::operator delete(p);
      return;
    }
    Node*& head = free_lists()[cls];
    auto* node = static_cast<Node*>(p);
    node->next = head;
    head = node;
  }

 private:
  struct Node {
    Node* next;
  };
#if defined(__SANITIZE_ADDRESS__)
  static constexpr bool kPooling = false;  // let ASan see every frame's lifetime
#else
  static constexpr bool kPooling = true;
#endif
  static constexpr size_t kGranule = 64;
  static constexpr size_t kClasses = 64;  // frames up to 4 KiB are pooled
  static size_t size_class(size_t n) { return (n + kGranule - 1) / kGranule - 1; }
  static Node** free_lists() {
    thread_local Node* lists[kClasses] = {};
    return lists;
  }
};

}  // namespace ringgate::io
