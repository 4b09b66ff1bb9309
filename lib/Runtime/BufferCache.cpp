//===- BufferCache.cpp - Reused large buffers for JIT-compiled code -------===//

#include "hdp/Runtime/BufferCache.h"

#include <cstdlib>
#include <malloc.h>
#include <mutex>
#include <unordered_map>
#include <vector>

using namespace hdp::runtime;

namespace {
/// Large blocks handed out, with their sizes (any thread may free them).
struct Live {
  std::mutex mutex;
  std::unordered_map<void *, std::size_t> sizes;
};

Live &live() {
  // Never destroyed: JIT code may free after static destructors ran.
  static Live *l = new Live;
  return *l;
}

/// The freed large blocks of one thread, by size: a thread takes back the
/// blocks it freed, whose lines are still in its core's caches (a block
/// freed by another thread would bring the other core's lines along).
struct Idle {
  std::unordered_map<std::size_t, std::vector<void *>> blocks;
  std::size_t bytes = 0;
  ~Idle() {
    for (auto &[size, list] : blocks)
      for (void *p : list)
        std::free(p);
  }
};

Idle &idle() {
  thread_local Idle i;
  return i;
}
} // namespace

void *hdp::runtime::cachedMalloc(std::size_t size) {
  if (size < kMinCachedBytes)
    return std::malloc(size);
  void *p = nullptr;
  Idle &mine = idle();
  auto it = mine.blocks.find(size);
  if (it != mine.blocks.end() && !it->second.empty()) {
    p = it->second.back();
    it->second.pop_back();
    mine.bytes -= size;
  } else {
    p = std::malloc(size);
    if (!p)
      return nullptr;
  }
  Live &l = live();
  std::lock_guard<std::mutex> lock(l.mutex);
  l.sizes.emplace(p, size);
  return p;
}

void hdp::runtime::cachedFree(void *pointer) {
  if (!pointer)
    return;
  // Small blocks (most frees: per-tile lists and scratch) never take the
  // lock: a block the cache handed out has room for kMinCachedBytes.
  if (malloc_usable_size(pointer) < kMinCachedBytes) {
    std::free(pointer);
    return;
  }
  std::size_t size = 0;
  {
    Live &l = live();
    std::lock_guard<std::mutex> lock(l.mutex);
    auto it = l.sizes.find(pointer);
    if (it != l.sizes.end()) {
      size = it->second;
      l.sizes.erase(it);
    }
  }
  Idle &mine = idle();
  if (size && mine.bytes + size <= kMaxIdleBytes) {
    mine.blocks[size].push_back(pointer);
    mine.bytes += size;
    return;
  }
  std::free(pointer);
}

std::size_t hdp::runtime::cachedIdleBytes() { return idle().bytes; }
