//===- BufferCacheTest.cpp - malloc/free of JIT-compiled code -------------===//

#include "hdp/Runtime/BufferCache.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

using namespace hdp::runtime;

namespace {

TEST(BufferCache, ReusesFreedLargeBlockOfTheSameSize) {
  const std::size_t size = kMinCachedBytes + 4096;
  void *first = cachedMalloc(size);
  ASSERT_NE(first, nullptr);
  std::memset(first, 1, size); // the whole block is usable
  std::size_t idleBefore = cachedIdleBytes();
  cachedFree(first);
  EXPECT_EQ(cachedIdleBytes(), idleBefore + size);
  // Another size does not take it; the same size does.
  void *other = cachedMalloc(size + 64);
  EXPECT_NE(other, first);
  void *again = cachedMalloc(size);
  EXPECT_EQ(again, first);
  EXPECT_EQ(cachedIdleBytes(), idleBefore);
  cachedFree(other);
  cachedFree(again);
}

TEST(BufferCache, LiveBlocksAreDistinct) {
  const std::size_t size = kMinCachedBytes * 2;
  void *a = cachedMalloc(size);
  void *b = cachedMalloc(size);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a, b);
  cachedFree(a);
  void *c = cachedMalloc(size);
  EXPECT_EQ(c, a);
  EXPECT_NE(c, b);
  cachedFree(b);
  cachedFree(c);
}

TEST(BufferCache, SmallAndForeignBlocksGoToLibc) {
  std::size_t idle = cachedIdleBytes();
  void *small = cachedMalloc(kMinCachedBytes - 1);
  ASSERT_NE(small, nullptr);
  cachedFree(small);
  // A large block from libc's own malloc is freed, not kept.
  void *foreign = std::malloc(kMinCachedBytes * 3);
  ASSERT_NE(foreign, nullptr);
  cachedFree(foreign);
  cachedFree(nullptr);
  EXPECT_EQ(cachedIdleBytes(), idle);
}

TEST(BufferCache, ThreadsNeverShareABlock) {
  const std::size_t size = kMinCachedBytes + 128;
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        auto *p = static_cast<std::uint8_t *>(cachedMalloc(size));
        std::memset(p, t + 1, size);
        for (std::size_t j = 0; j < size; j += 4096)
          failures[t] += p[j] != t + 1;
        cachedFree(p);
      }
    });
  for (std::thread &t : threads)
    t.join();
  for (int f : failures)
    EXPECT_EQ(f, 0);
}

} // namespace
