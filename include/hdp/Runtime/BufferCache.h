//===- BufferCache.h - Reused large buffers for JIT-compiled code -*- C++
//-*-===//
//
// The malloc and free of the code hdp JIT-compiles. A compiled attention
// allocates the same large buffers on every call (its outputs, the split
// Q and K, per-tile scratch); glibc hands large freed blocks back to the
// kernel, so each call paid page faults and page clearing for them again
// (about a fifth of the time of hdp-cpu at N = M = 2048). Blocks of at
// least kMinCachedBytes are kept by the thread that frees them and handed
// out again for its next request of the same size (a thread's own blocks
// are still in its core's caches); the rest is plain malloc/free.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_RUNTIME_BUFFERCACHE_H
#define HDP_RUNTIME_BUFFERCACHE_H

#include <cstddef>

namespace hdp::runtime {

/// Smallest block the cache keeps.
constexpr std::size_t kMinCachedBytes = std::size_t(64) << 10;
/// Most bytes the cache keeps idle per thread (freed blocks beyond it go
/// back to libc).
constexpr std::size_t kMaxIdleBytes = std::size_t(256) << 20;

/// malloc for JIT-compiled code (thread-safe).
void *cachedMalloc(std::size_t size);
/// free for JIT-compiled code and for buffers it returned (thread-safe);
/// any other malloc'ed pointer is passed to free.
void cachedFree(void *pointer);
/// Bytes the calling thread keeps idle now (for tests).
std::size_t cachedIdleBytes();

} // namespace hdp::runtime

#endif // HDP_RUNTIME_BUFFERCACHE_H
