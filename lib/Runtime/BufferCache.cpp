//===- BufferCache.cpp - Reused large buffers for JIT-compiled code -------===//

#include "hdp/Runtime/BufferCache.h"

#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

using namespace hdp::runtime;

namespace {
struct Cache {
  std::mutex mutex;
  /// Large blocks handed out, with their sizes.
  std::unordered_map<void *, std::size_t> live;
  /// Freed large blocks by size.
  std::unordered_map<std::size_t, std::vector<void *>> idle;
  std::size_t idleBytes = 0;
};

Cache &cache() {
  // Never destroyed: JIT code may free after static destructors ran.
  static Cache *c = new Cache;
  return *c;
}
} // namespace

void *hdp::runtime::cachedMalloc(std::size_t size) {
  if (size < kMinCachedBytes)
    return std::malloc(size);
  Cache &c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    auto it = c.idle.find(size);
    if (it != c.idle.end() && !it->second.empty()) {
      void *p = it->second.back();
      it->second.pop_back();
      c.idleBytes -= size;
      c.live.emplace(p, size);
      return p;
    }
  }
  void *p = std::malloc(size);
  if (p) {
    std::lock_guard<std::mutex> lock(c.mutex);
    c.live.emplace(p, size);
  }
  return p;
}

void hdp::runtime::cachedFree(void *pointer) {
  if (!pointer)
    return;
  Cache &c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    auto it = c.live.find(pointer);
    if (it != c.live.end()) {
      std::size_t size = it->second;
      c.live.erase(it);
      if (c.idleBytes + size <= kMaxIdleBytes) {
        c.idle[size].push_back(pointer);
        c.idleBytes += size;
        return;
      }
    }
  }
  std::free(pointer);
}

std::size_t hdp::runtime::cachedIdleBytes() {
  Cache &c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.idleBytes;
}
