//===- Functional.cpp - Executing commands on simulated buffers -----------===//
//
// The functional model. Integer stages are exact. Floating stages perform
// the reference's operations in the reference's order (this file is built
// with -ffp-contract=off like lib/Reference), so outputs agree with
// hdp::ref::attention to the bit in practice and within 1e-5 by contract.
//
// Each command also reports how much work it did (Effect): the number of
// tile pairs the PE arrays ran given the block mask, the bytes a DMA moved
// given Fetch-Upon-Mask. Simulator.cpp turns that into cycles.
//
//===----------------------------------------------------------------------===//

#include "Machine.h"

#include "hdp/ISA/StreamBuilder.h"
#include "hdp/Semantics/FixedPoint.h"
#include "hdp/Semantics/RowKernels.h"

#include "llvm/ADT/Twine.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

using namespace llvm;
using namespace hdp::accel;

namespace hdp::sim::detail {

namespace {

using int128 = __int128;

Error fail(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

uint64_t ceilDiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

/// Exact dot product of two int16 vectors; Acc = int32_t when the caller
/// knows the sum cannot overflow (it vectorises much better).
template <typename Acc>
inline Acc dot(const int16_t *a, const int16_t *b, uint32_t n) {
  Acc acc = 0;
  for (uint32_t d = 0; d < n; ++d)
    acc += static_cast<Acc>(a[d]) * static_cast<Acc>(b[d]);
  return acc;
}

/// Split-quantize (docs/semantics.md step 1) of a whole tensor into the three
/// planes the simulated DRAM holds: hi, lo and raw = hi·2^F + lo.
void splitPlanes(const std::vector<float> &x, const AttentionParams &p,
                 std::vector<int16_t> &hi, std::vector<int16_t> &lo,
                 std::vector<int16_t> &raw) {
  hi.resize(x.size());
  lo.resize(x.size());
  raw.resize(x.size());
  for (size_t n = 0; n < x.size(); ++n) {
    fixed::SplitValue v =
        fixed::splitValue(x[n], p.intBits, p.fracBits, p.shift);
    hi[n] = static_cast<int16_t>(v.hi);
    lo[n] = static_cast<int16_t>(v.lo);
    raw[n] = static_cast<int16_t>(v.raw);
  }
}

std::string tagText(const Tag &tag, StringRef what) {
  if (!tag.valid)
    return "nothing";
  return (what + " " + Twine(tag.start) + "+" + Twine(tag.count) +
          " of (b=" + Twine(tag.b) + ", h=" + Twine(tag.h) + ")")
      .str();
}

Error wrongSlot(StringRef buffer, unsigned slot, const Tag &tag, StringRef what,
                const Command &c, uint64_t start, uint64_t count) {
  return fail("reads " + buffer + " slot " + Twine(slot) + ", which holds " +
              tagText(tag, what) + "; expected " + what + " " + Twine(start) +
              "+" + Twine(count) + " of (b=" + Twine(c.batch) +
              ", h=" + Twine(c.head) + ")");
}

} // namespace

//===----------------------------------------------------------------------===//
// Construction and results
//===----------------------------------------------------------------------===//

Machine::Machine(const Program &program, const AccelConfig &config,
                 const Inputs &inputs)
    : config(config), shape(program.shape), params(program.attention),
      vTensor(&inputs.v), maskTensor(inputs.mask ? &*inputs.mask : nullptr),
      cores(program.accel.cores) {
  numBlockRows = shape.blockRowsOf(params);
  numBlockCols = shape.blockColsOf(params);
  // |hi| <= 2^(I-1) and |raw| <= 2^(I+F-1): int32 sums are exact while
  // D·max² stays below 2^31.
  auto fits32 = [&](unsigned bits) {
    double maxProduct = std::ldexp(1.0, 2 * (int(bits) - 1));
    return double(shape.D) * maxProduct < std::ldexp(1.0, 31);
  };
  intDotFits32 = fits32(params.intBits);
  rawDotFits32 = fits32(params.intBits + params.fracBits);

  splitPlanes(inputs.q.data, params, qHi, qLo, qRaw);
  splitPlanes(inputs.k.data, params, kHi, kLo, kRaw);

  if (maskTensor) {
    // Broadcast by numpy rules: mask dim k lines up with score dim
    // 4 - rank + k; extent-1 dimensions get stride 0.
    const auto &ms = maskTensor->shape;
    uint64_t stride = 1;
    for (size_t k = ms.size(); k-- > 0;) {
      size_t target = 4 - ms.size() + k;
      maskStrides[target] = ms[k] == 1 ? 0 : stride;
      stride *= ms[k];
    }
    // The inputs were checked against the form (checkInputs).
    if (shape.maskForm != MaskForm::Additive)
      encodedMask = cantFail(encodeMask(*maskTensor, shape.maskForm));
  }

  const uint64_t bh = uint64_t(shape.B) * shape.H;
  blockMaskDram.assign(bh * numBlockRows * numBlockCols, 0);
  blockMaskWritten.assign(bh * numBlockRows, 0);
  outDram.assign(bh * shape.N * shape.Dv, 0.0f);
  thetaHDram.assign(bh, 0);
  headMaskDram.assign(bh, 0);
  headTableWritten.assign(shape.B, 0);
  thetaH.assign(bh, 0);
  headKeep.assign(bh, 0);
  decided.assign(shape.B, 0);
}

Outputs Machine::outputs() const {
  Outputs o;
  const int64_t B = shape.B, H = shape.H;
  o.out.shape = {B, H, shape.N, shape.Dv};
  o.out.data = outDram;
  o.blockMask.shape = {B, H, numBlockRows, numBlockCols};
  o.blockMask.data = blockMaskDram;
  o.headMask.shape = {B, H};
  o.headMask.data = headMaskDram;
  o.thetaH.shape = {B, H};
  o.thetaH.data = thetaHDram;
  o.blockMaskComplete =
      std::all_of(blockMaskWritten.begin(), blockMaskWritten.end(),
                  [](uint8_t w) { return w != 0; });
  o.headTableComplete =
      std::all_of(headTableWritten.begin(), headTableWritten.end(),
                  [](uint8_t w) { return w != 0; });
  return o;
}

uint64_t Machine::burstRound(uint64_t bytes) const {
  uint64_t burst = config.dramBurstBytes;
  return ceilDiv(bytes, burst) * burst;
}

uint64_t Machine::maskLoadBytesOf(const Command &c) const {
  return maskLoadBytes(shape.maskForm, maskStrides[2] ? c.rows : 1, c.col0,
                       c.cols, maskStrides[3] == 0);
}

uint32_t Machine::scoreWindowLo(const Command &c) const {
  for (const Operand &o : operandsOf(c))
    if (o.buffer == Buffer::Score)
      return cores[c.core].score[c.slots[o.slotIndex]].windowLo;
  return 0;
}

Error Machine::growWindow(ScoreSlot &s, uint32_t rows, uint32_t col0,
                          uint32_t cols, unsigned slotIndex) const {
  uint32_t lo = col0, hi = col0 + cols;
  if (s.windowHi > s.windowLo) {
    lo = std::min(lo, s.windowLo);
    hi = std::max(hi, s.windowHi);
  }
  s.windowLo = lo;
  s.windowHi = hi;
  std::fill_n(s.written.begin() + col0, cols, 1);
  uint64_t bytes = uint64_t(rows) * (hi - lo) * 4;
  uint64_t capacity = config.scoreBufferBytes / kSlotsPerBuffer;
  if (bytes > capacity)
    return fail("fills score slot " + Twine(slotIndex) + " with columns " +
                Twine(lo) + "+" + Twine(hi - lo) + " of " + Twine(rows) +
                " rows (" + Twine(bytes) + " bytes), but a slot holds " +
                Twine(capacity) + " bytes");
  return Error::success();
}

Expected<const BlockMaskSlot *> Machine::maskSlotFor(const Command &c,
                                                     unsigned slotIndex) const {
  const BlockMaskSlot &m = cores[c.core].blockMask[c.slots[slotIndex]];
  const uint32_t bm = params.blockRows;
  uint64_t br0 = c.row0 / bm, br1 = ceilDiv(uint64_t(c.row0) + c.rows, bm);
  if (!m.tag.valid || m.tag.b != c.batch || m.tag.h != c.head ||
      br0 < m.blockRow0 || br1 > uint64_t(m.blockRow0) + m.blockRows)
    return wrongSlot("blockmask", c.slots[slotIndex], m.tag, "rows", c, c.row0,
                     c.rows);
  return &m;
}

Expected<const BlockMaskSlot *>
Machine::keptBlocksFor(const Command &c, unsigned slotIndex) const {
  if (c.has(FlagDense))
    return nullptr;
  return maskSlotFor(c, slotIndex);
}

uint64_t Machine::keptKeysInRows(const BlockMaskSlot &m, uint64_t r0,
                                 uint64_t rn, uint32_t col0,
                                 uint32_t cols) const {
  const uint32_t bm = params.blockRows, bn = params.blockCols;
  uint64_t br0 = r0 / bm, br1 = ceilDiv(r0 + rn, bm);
  uint64_t c1 = uint64_t(col0) + cols;
  uint64_t keys = 0;
  for (uint64_t bj = col0 / bn; bj * bn < c1; ++bj) {
    bool kept = false;
    for (uint64_t bi = br0; bi < br1 && !kept; ++bi)
      kept = m.keep[(bi - m.blockRow0) * numBlockCols + bj] != 0;
    if (kept)
      keys += std::min<uint64_t>(c1, (bj + 1) * bn) -
              std::max<uint64_t>(col0, bj * bn);
  }
  return keys;
}

//===----------------------------------------------------------------------===//
// Dispatch
//===----------------------------------------------------------------------===//

Error Machine::execute(const Command &c, Effect &e) {
  if (c.has(FlagHeadPred)) {
    if (!decided[c.batch])
      return fail("is predicated on head (b=" + Twine(c.batch) +
                  ", h=" + Twine(c.head) +
                  ") but se.end_h has not decided "
                  "the heads of batch item " +
                  Twine(c.batch) + " yet");
    if (!headKeep[uint64_t(c.batch) * shape.H + c.head]) {
      e.skipped = true;
      if (c.opcode == Opcode::DmaLoad || c.opcode == Opcode::DmaStore) {
        // What the transfer would have cost without head pruning.
        uint64_t rows = c.rows, keys = c.cols;
        uint64_t bytes = 0;
        switch (c.tensor) {
        case Tensor::QInt:
          bytes = packedBytes(rows * shape.D, params.intBits);
          break;
        case Tensor::QFrac:
          bytes = packedBytes(rows * shape.D, params.fracBits);
          break;
        case Tensor::KInt:
          bytes = packedBytes(keys * shape.D, params.intBits);
          break;
        case Tensor::KFrac:
          bytes = packedBytes(keys * shape.D, params.fracBits);
          break;
        case Tensor::V:
          bytes = keys * shape.Dv * precisionBytes(config.vPrecision);
          break;
        case Tensor::Mask:
          bytes = maskLoadBytesOf(c);
          break;
        case Tensor::BlockMask:
          bytes = packedBytes((ceilDiv(c.row0 + rows, params.blockRows) -
                               c.row0 / params.blockRows) *
                                  numBlockCols,
                              1);
          break;
        case Tensor::Out:
          bytes = rows * shape.Dv * precisionBytes(config.outPrecision);
          break;
        default:
          break;
        }
        e.savedHead = bytes ? burstRound(bytes) : 0;
      }
      return Error::success();
    }
  }
  switch (c.opcode) {
#define HDP_COMMAND(Name, Code, Text, Unit, AllowedFlags, Handler)             \
  case Opcode::Name:                                                           \
    return Handler(c, e);
#include "hdp/ISA/Commands.def"
  }
  return fail("unknown opcode");
}

//===----------------------------------------------------------------------===//
// DMA
//===----------------------------------------------------------------------===//

Error Machine::dmaLoad(const Command &c, Effect &e) {
  CoreBuffers &cb = cores[c.core];
  const uint32_t D = shape.D, Dv = shape.Dv;
  const uint64_t bh = uint64_t(c.batch) * shape.H + c.head;

  switch (c.tensor) {
  case Tensor::QInt:
  case Tensor::QFrac: {
    QSlot &s = cb.q[c.slots[slot::DmaLoad::slot]];
    if (!s.tag.is(c.batch, c.head, c.row0, c.rows)) {
      s.tag = {true, c.batch, c.head, c.row0, c.rows};
      s.hasInt = s.hasFrac = false;
      s.hi.resize(uint64_t(c.rows) * D);
      s.lo.resize(uint64_t(c.rows) * D);
      s.raw.resize(uint64_t(c.rows) * D);
    }
    bool isInt = c.tensor == Tensor::QInt;
    uint64_t src = (bh * shape.N + c.row0) * D, n = uint64_t(c.rows) * D;
    const std::vector<int16_t> &plane = isInt ? qHi : qLo;
    std::copy_n(plane.begin() + src, n, (isInt ? s.hi : s.lo).begin());
    (isInt ? s.hasInt : s.hasFrac) = true;
    if (s.hasInt && s.hasFrac)
      std::copy_n(qRaw.begin() + src, n, s.raw.begin());
    uint64_t bytes = packedBytes(n, isInt ? params.intBits : params.fracBits);
    e.dramBytes = burstRound(bytes);
    e.sramWrite = bytes;
    return Error::success();
  }

  case Tensor::KInt:
  case Tensor::KFrac:
  case Tensor::V: {
    // Which keys to fetch: all, or (Fetch-Upon-Mask) those in block columns
    // with a kept block in the query rows the fetch serves.
    const uint32_t bm = params.blockRows, bn = params.blockCols;
    std::vector<uint8_t> needed(c.cols, 1);
    if (c.has(FlagFum)) {
      Expected<const BlockMaskSlot *> m = maskSlotFor(c, slot::DmaLoad::fum);
      if (!m)
        return m.takeError();
      uint64_t br0 = c.row0 / bm, br1 = ceilDiv(uint64_t(c.row0) + c.rows, bm);
      uint64_t c1 = uint64_t(c.col0) + c.cols;
      for (uint64_t bj = c.col0 / bn; bj * bn < c1; ++bj) {
        bool kept = false;
        for (uint64_t bi = br0; bi < br1 && !kept; ++bi)
          kept = (*m)->keep[(bi - (*m)->blockRow0) * numBlockCols + bj] != 0;
        if (kept)
          continue;
        uint64_t j0 = std::max<uint64_t>(c.col0, bj * bn);
        uint64_t j1 = std::min<uint64_t>(c1, (bj + 1) * bn);
        std::fill(needed.begin() + (j0 - c.col0),
                  needed.begin() + (j1 - c.col0), 0);
      }
    }
    const bool isV = c.tensor == Tensor::V;
    const bool isInt = c.tensor == Tensor::KInt;
    auto runBytes = [&](uint64_t keys) {
      if (isV)
        return keys * Dv * precisionBytes(config.vPrecision);
      return packedBytes(keys * D, isInt ? params.intBits : params.fracBits);
    };

    if (isV) {
      VSlot &s = cb.v[c.slots[slot::DmaLoad::slot]];
      if (!s.tag.is(c.batch, c.head, c.col0, c.cols)) {
        s.tag = {true, c.batch, c.head, c.col0, c.cols};
        s.fetched.assign(c.cols, 0);
        s.data.resize(uint64_t(c.cols) * Dv);
      }
    } else {
      KSlot &s = cb.k[c.slots[slot::DmaLoad::slot]];
      if (!s.tag.is(c.batch, c.head, c.col0, c.cols)) {
        s.tag = {true, c.batch, c.head, c.col0, c.cols};
        s.fetchedInt.assign(c.cols, 0);
        s.fetchedFrac.assign(c.cols, 0);
        s.hi.resize(uint64_t(c.cols) * D);
        s.lo.resize(uint64_t(c.cols) * D);
        s.raw.resize(uint64_t(c.cols) * D);
      }
    }

    // A top-up skips the keys the slot already holds (of this plane); the
    // load without the mask would have fetched all the others.
    uint64_t notHeld = c.cols;
    if (c.has(FlagTopUp)) {
      const std::vector<uint8_t> &held =
          isV     ? cb.v[c.slots[slot::DmaLoad::slot]].fetched
          : isInt ? cb.k[c.slots[slot::DmaLoad::slot]].fetchedInt
                  : cb.k[c.slots[slot::DmaLoad::slot]].fetchedFrac;
      notHeld = 0;
      for (uint32_t j = 0; j < c.cols; ++j) {
        if (held[j])
          needed[j] = 0;
        else
          ++notHeld;
      }
    }
    uint64_t fetchedBytes = 0, transferred = 0;
    for (uint32_t j = 0; j < c.cols;) {
      if (!needed[j]) {
        ++j;
        continue;
      }
      uint32_t runEnd = j;
      while (runEnd < c.cols && needed[runEnd])
        ++runEnd;
      uint64_t keys = runEnd - j;
      uint64_t key0 = uint64_t(c.col0) + j;
      if (isV) {
        VSlot &s = cb.v[c.slots[slot::DmaLoad::slot]];
        // DRAM holds V in precision.v (the host converted it).
        const float *src = &vTensor->data[(bh * shape.M + key0) * Dv];
        std::transform(src, src + keys * Dv, s.data.begin() + uint64_t(j) * Dv,
                       [&](float x) { return roundTo(config.vPrecision, x); });
        std::fill_n(s.fetched.begin() + j, keys, 1);
      } else {
        KSlot &s = cb.k[c.slots[slot::DmaLoad::slot]];
        uint64_t src = (bh * shape.M + key0) * D;
        const std::vector<int16_t> &plane = isInt ? kHi : kLo;
        std::copy_n(plane.begin() + src, keys * D,
                    (isInt ? s.hi : s.lo).begin() + uint64_t(j) * D);
        std::vector<uint8_t> &mine = isInt ? s.fetchedInt : s.fetchedFrac;
        const std::vector<uint8_t> &other =
            isInt ? s.fetchedFrac : s.fetchedInt;
        for (uint64_t t = j; t < runEnd; ++t) {
          mine[t] = 1;
          if (other[t])
            std::copy_n(kRaw.begin() + src + (t - j) * D, D,
                        s.raw.begin() + t * D);
        }
      }
      uint64_t bytes = runBytes(keys);
      fetchedBytes += bytes;
      transferred += bytes ? burstRound(bytes) : 0;
      j = runEnd;
    }
    uint64_t full = runBytes(notHeld);
    uint64_t fullTransferred = full ? burstRound(full) : 0;
    e.dramBytes = transferred;
    e.savedFum =
        fullTransferred > transferred ? fullTransferred - transferred : 0;
    e.sramWrite = fetchedBytes;
    return Error::success();
  }

  case Tensor::Mask: {
    MaskSlot &s = cb.mask[c.slots[slot::DmaLoad::slot]];
    s.tag = {true, c.batch, c.head, c.row0, c.rows};
    s.col0 = c.col0;
    s.cols = c.cols;
    s.data.resize(uint64_t(c.rows) * c.cols);
    const uint64_t base = c.batch * maskStrides[0] + c.head * maskStrides[1];
    for (uint32_t i = 0; i < c.rows; ++i) {
      const uint64_t row = base + uint64_t(c.row0 + i) * maskStrides[2];
      float *dst = &s.data[uint64_t(i) * c.cols];
      if (encodedMask) {
        // Bits and lengths hold removed-or-not: the values are 0 or -inf.
        const uint64_t maskRow = row / encodedMask->keysPerRow;
        for (uint32_t j = 0; j < c.cols; ++j)
          dst[j] = encodedMask->isRemoved(maskRow,
                                          uint64_t(c.col0 + j) * maskStrides[3])
                       ? -std::numeric_limits<float>::infinity()
                       : 0.0f;
      } else if (maskStrides[3] == 1) {
        std::copy_n(maskTensor->data.data() + row + c.col0, c.cols, dst);
      } else {
        for (uint32_t j = 0; j < c.cols; ++j)
          dst[j] =
              maskTensor->data[row + uint64_t(c.col0 + j) * maskStrides[3]];
      }
    }
    // Broadcast dimensions are read once and replicated on chip.
    e.dramBytes = burstRound(maskLoadBytesOf(c));
    e.sramWrite = maskTileBytes(shape.maskForm, c.rows, c.cols);
    return Error::success();
  }

  case Tensor::BlockMask: {
    BlockMaskSlot &s = cb.blockMask[c.slots[slot::DmaLoad::slot]];
    const uint32_t bm = params.blockRows;
    uint32_t br0 = c.row0 / bm;
    uint32_t nbr =
        static_cast<uint32_t>(ceilDiv(uint64_t(c.row0) + c.rows, bm) - br0);
    for (uint32_t r = 0; r < nbr; ++r)
      if (!blockMaskWritten[bh * numBlockRows + br0 + r])
        return fail("loads block row " + Twine(br0 + r) +
                    " of the block "
                    "mask of (b=" +
                    Twine(c.batch) + ", h=" + Twine(c.head) +
                    "), which no dma.store has written yet");
    s.tag = {true, c.batch, c.head, c.row0, c.rows};
    s.blockRow0 = br0;
    s.blockRows = nbr;
    s.keep.assign(
        blockMaskDram.begin() + (bh * numBlockRows + br0) * numBlockCols,
        blockMaskDram.begin() + (bh * numBlockRows + br0 + nbr) * numBlockCols);
    uint64_t bytes = packedBytes(uint64_t(nbr) * numBlockCols, 1);
    e.dramBytes = burstRound(bytes);
    e.sramWrite = bytes;
    return Error::success();
  }
  default:
    return fail("cannot load tensor " + tensorName(c.tensor));
  }
}

Error Machine::dmaStore(const Command &c, Effect &e) {
  CoreBuffers &cb = cores[c.core];
  const uint64_t bh = uint64_t(c.batch) * shape.H + c.head;
  switch (c.tensor) {
  case Tensor::BlockMask: {
    Expected<const BlockMaskSlot *> m = maskSlotFor(c, slot::DmaStore::slot);
    if (!m)
      return m.takeError();
    const uint32_t bm = params.blockRows;
    uint32_t br0 = c.row0 / bm;
    uint32_t nbr =
        static_cast<uint32_t>(ceilDiv(uint64_t(c.row0) + c.rows, bm) - br0);
    const uint8_t *src =
        &(*m)->keep[uint64_t(br0 - (*m)->blockRow0) * numBlockCols];
    std::copy_n(src, uint64_t(nbr) * numBlockCols,
                blockMaskDram.begin() +
                    (bh * numBlockRows + br0) * numBlockCols);
    std::fill_n(blockMaskWritten.begin() + bh * numBlockRows + br0, nbr, 1);
    uint64_t bytes = packedBytes(uint64_t(nbr) * numBlockCols, 1);
    e.dramBytes = burstRound(bytes);
    e.sramRead = bytes;
    return Error::success();
  }
  case Tensor::Out: {
    const OutSlot &o = cb.out[c.slots[slot::DmaStore::slot]];
    if (!o.tag.holds(c.batch, c.head, c.row0, c.rows))
      return wrongSlot("out", c.slots[slot::DmaStore::slot], o.tag, "rows", c,
                       c.row0, c.rows);
    const uint32_t Dv = shape.Dv;
    // The f32 accumulators leave in precision.out.
    auto src = o.data.begin() + uint64_t(c.row0 - o.tag.start) * Dv;
    std::transform(src, src + uint64_t(c.rows) * Dv,
                   outDram.begin() + (bh * shape.N + c.row0) * Dv,
                   [&](float x) { return roundTo(config.outPrecision, x); });
    uint64_t bytes =
        uint64_t(c.rows) * Dv * precisionBytes(config.outPrecision);
    e.dramBytes = burstRound(bytes);
    e.sramRead = uint64_t(c.rows) * Dv * 4;
    return Error::success();
  }
  case Tensor::HeadTable: {
    if (!decided[c.batch])
      return fail("stores the head table of batch item " + Twine(c.batch) +
                  " before se.end_h decided its heads");
    uint64_t base = uint64_t(c.batch) * shape.H;
    std::copy_n(thetaH.begin() + base, shape.H, thetaHDram.begin() + base);
    std::copy_n(headKeep.begin() + base, shape.H, headMaskDram.begin() + base);
    headTableWritten[c.batch] = 1;
    uint64_t bytes = uint64_t(shape.H) * 8 + packedBytes(shape.H, 1);
    e.dramBytes = burstRound(bytes);
    return Error::success();
  }
  default:
    return fail("cannot store tensor " + tensorName(c.tensor));
  }
}

//===----------------------------------------------------------------------===//
// PE arrays
//===----------------------------------------------------------------------===//

Error Machine::peInt(const Command &c, Effect &e) {
  CoreBuffers &cb = cores[c.core];
  const uint32_t D = shape.D, M = shape.M;
  const QSlot &q = cb.q[c.slots[slot::PeInt::q]];
  if (!q.tag.holds(c.batch, c.head, c.row0, c.rows) || !q.hasInt)
    return wrongSlot("q", c.slots[slot::PeInt::q], q.tag, "Int(Q) rows", c,
                     c.row0, c.rows);
  const KSlot &k = cb.k[c.slots[slot::PeInt::k]];
  if (!k.tag.holds(c.batch, c.head, c.col0, c.cols))
    return wrongSlot("k", c.slots[slot::PeInt::k], k.tag, "keys", c, c.col0,
                     c.cols);
  for (uint32_t j = c.col0; j < c.col0 + c.cols; ++j)
    if (!k.fetchedInt[j - k.tag.start])
      return fail("needs Int(K) of key " + Twine(j) + ", which k slot " +
                  Twine(int(c.slots[slot::PeInt::k])) + " did not fetch");
  ScoreSlot &s = cb.score[c.slots[slot::PeInt::score]];
  // A new strip starts a new window of columns; so does a key tile that
  // would not fit beside the columns the SE has already drained.
  bool restart = !(s.kind == ScoreSlot::Kind::SInt &&
                   s.tag.holds(c.batch, c.head, c.row0, c.rows));
  if (!restart) {
    bool drained =
        std::equal(s.written.begin(), s.written.end(), s.consumed.begin(),
                   [](uint8_t w, uint8_t r) { return !w || r; });
    uint64_t lo = std::min(s.windowLo, c.col0);
    uint64_t hi = std::max<uint64_t>(s.windowHi, uint64_t(c.col0) + c.cols);
    restart = drained && uint64_t(s.tag.count) * (hi - lo) * 4 >
                             config.scoreBufferBytes / kSlotsPerBuffer;
  }
  if (restart) {
    s.kind = ScoreSlot::Kind::SInt;
    s.tag = {true, c.batch, c.head, c.row0, c.rows};
    s.sInt.resize(uint64_t(c.rows) * M);
    s.written.assign(M, 0);
    s.consumed.assign(M, 0);
    s.windowLo = s.windowHi = 0;
  }
  if (Error err = growWindow(s, s.tag.count, c.col0, c.cols,
                             c.slots[slot::PeInt::score]))
    return err;
  e.scoreWindowLo = s.windowLo;

  for (uint32_t i = c.row0; i < c.row0 + c.rows; ++i) {
    const int16_t *qh = &q.hi[uint64_t(i - q.tag.start) * D];
    int64_t *dst = &s.sInt[uint64_t(i - s.tag.start) * M];
    for (uint32_t j = c.col0; j < c.col0 + c.cols; ++j) {
      const int16_t *kh = &k.hi[uint64_t(j - k.tag.start) * D];
      dst[j] = intDotFits32 ? dot<int32_t>(qh, kh, D) : dot<int64_t>(qh, kh, D);
    }
  }

  // Output-stationary arrays: row tiles spread over the arrays; per row tile
  // and depth tile one A-tile load, then one pair per B tile.
  const AccelConfig &a = config;
  uint64_t rowTiles = ceilDiv(c.rows, a.tileRows);
  uint64_t kTiles = ceilDiv(D, a.tileK);
  uint64_t colTiles = ceilDiv(c.cols, a.tileCols);
  uint64_t perRowTile =
      kTiles * (a.aTileLoadCycles + colTiles * a.intPairCycles);
  e.unitCycles =
      a.pePipelineCycles + ceilDiv(rowTiles, a.peArraysPerCore) * perRowTile;
  e.intMacs = rowTiles * kTiles * colTiles * a.tileRows * a.tileK * a.tileCols;
  e.sramRead = rowTiles * kTiles *
               (packedBytes(a.tileRows * a.tileK, params.intBits) +
                colTiles * packedBytes(a.tileK * a.tileCols, params.intBits));
  e.sramWrite = uint64_t(c.rows) * c.cols * accel::sIntBytes(shape, params);
  return Error::success();
}

Error Machine::peFrac(const Command &c, Effect &e) {
  CoreBuffers &cb = cores[c.core];
  const uint32_t D = shape.D, M = shape.M;
  const uint32_t bm = params.blockRows, bn = params.blockCols;
  const QSlot &q = cb.q[c.slots[slot::PeFrac::q]];
  if (!q.tag.holds(c.batch, c.head, c.row0, c.rows) || !q.hasInt || !q.hasFrac)
    return wrongSlot("q", c.slots[slot::PeFrac::q], q.tag,
                     "Int(Q) and Frac(Q) rows", c, c.row0, c.rows);
  const KSlot &k = cb.k[c.slots[slot::PeFrac::k]];
  if (!k.tag.holds(c.batch, c.head, c.col0, c.cols))
    return wrongSlot("k", c.slots[slot::PeFrac::k], k.tag, "keys", c, c.col0,
                     c.cols);
  // The dense engine scores every key; HDP only the blocks kept.
  const bool dense = c.has(FlagDense);
  Expected<const BlockMaskSlot *> maskBits =
      keptBlocksFor(c, slot::PeFrac::blockmask);
  if (!maskBits)
    return maskBits.takeError();
  const BlockMaskSlot *m = *maskBits;
  const MaskSlot *add = nullptr;
  if (c.has(FlagMasked)) {
    add = &cb.mask[c.slots[slot::PeFrac::mask]];
    if (!add->tag.holds(c.batch, c.head, c.row0, c.rows) ||
        c.col0 < add->col0 ||
        uint64_t(c.col0) + c.cols > uint64_t(add->col0) + add->cols)
      return wrongSlot("mask", c.slots[slot::PeFrac::mask], add->tag, "rows", c,
                       c.row0, c.rows);
  }
  ScoreSlot &s = cb.score[c.slots[slot::PeFrac::score]];
  // From S_int: the slot must hold pe.int's S_int of exactly these rows and
  // keys; the scores then replace it in place.
  const bool fromInt = c.has(FlagFromInt);
  if (fromInt) {
    if (s.kind != ScoreSlot::Kind::SInt ||
        !s.tag.is(c.batch, c.head, c.row0, c.rows))
      return wrongSlot("score", c.slots[slot::PeFrac::score], s.tag,
                       "S_int rows", c, c.row0, c.rows);
    if (std::count(s.written.begin() + c.col0,
                   s.written.begin() + c.col0 + c.cols, 1) != int64_t(c.cols))
      return fail("adds the fraction passes to S_int of keys " + Twine(c.col0) +
                  "+" + Twine(c.cols) +
                  ", which no pe.int wrote into score slot " +
                  Twine(int(c.slots[slot::PeFrac::score])));
  }
  if (fromInt || !(s.kind == ScoreSlot::Kind::Scores &&
                   s.tag.holds(c.batch, c.head, c.row0, c.rows))) {
    s.kind = ScoreSlot::Kind::Scores;
    s.tag = {true, c.batch, c.head, c.row0, c.rows};
    s.values.resize(uint64_t(c.rows) * M);
    s.written.assign(M, 0);
    s.windowLo = s.windowHi = 0;
    s.live.assign((ceilDiv(uint64_t(c.row0) + c.rows, bm) - c.row0 / bm) *
                      numBlockCols,
                  0);
  }
  if (Error err = growWindow(s, s.tag.count, c.col0, c.cols,
                             c.slots[slot::PeFrac::score]))
    return err;
  e.scoreWindowLo = s.windowLo;

  const float negInf = -std::numeric_limits<float>::infinity();
  const int down = -(2 * int(params.fracBits) + 2 * int(params.shift));
  const float scale = params.scale();
  const uint64_t c1 = uint64_t(c.col0) + c.cols;
  for (uint32_t i = c.row0; i < c.row0 + c.rows; ++i) {
    const uint8_t *keepRow =
        dense ? nullptr
              : &m->keep[uint64_t(i / bm - m->blockRow0) * numBlockCols];
    uint8_t *liveRow =
        &s.live[uint64_t(i / bm - s.tag.start / bm) * numBlockCols];
    const int16_t *qr = &q.raw[uint64_t(i - q.tag.start) * D];
    const int16_t *ql = &q.lo[uint64_t(i - q.tag.start) * D];
    const int16_t *qh = &q.hi[uint64_t(i - q.tag.start) * D];
    float *dst = &s.values[uint64_t(i - s.tag.start) * M];
    const float *maskRow =
        add ? &add->data[uint64_t(i - add->tag.start) * add->cols] : nullptr;
    for (uint64_t bj = c.col0 / bn; bj * bn < c1; ++bj) {
      uint64_t j0 = std::max<uint64_t>(c.col0, bj * bn);
      uint64_t j1 = std::min<uint64_t>(c1, (bj + 1) * bn);
      if (keepRow && !keepRow[bj]) {
        std::fill(dst + j0, dst + j1, negInf);
        continue;
      }
      for (uint64_t j = j0; j < j1; ++j) {
        uint64_t kj = j - k.tag.start;
        if (!k.fetchedInt[kj] || !k.fetchedFrac[kj])
          return fail("needs Int(K) and Frac(K) of key " + Twine(j) +
                      " (a kept block), which k slot " +
                      Twine(int(c.slots[slot::PeFrac::k])) + " did not fetch");
        float maskValue = maskRow ? maskRow[j - add->col0] : 0.0f;
        if (ref::isRemoved(maskValue)) {
          dst[j] = negInf;
          continue;
        }
        if (!liveRow[bj]) {
          liveRow[bj] = 1;
          denseLiveBlocks += dense;
        }
        int64_t acc;
        if (fromInt) {
          // A = S_int·2^2F + (Σ loQ·hiK + hiQ·loK)·2^F [+ Σ loQ·loK].
          const int16_t *kh = &k.hi[kj * D], *kl = &k.lo[kj * D];
          auto dotOf = [&](const int16_t *a, const int16_t *b) {
            return rawDotFits32 ? int64_t(dot<int32_t>(a, b, D))
                                : dot<int64_t>(a, b, D);
          };
          acc =
              s.sInt[uint64_t(i - s.tag.start) * M + j] *
                  (int64_t(1) << (2 * params.fracBits)) +
              (dotOf(ql, kh) + dotOf(qh, kl)) * (int64_t(1) << params.fracBits);
          if (!params.approx)
            acc += dotOf(ql, kl);
        } else {
          // A = Σ rawQ·rawK [- Σ loQ·loK]: the same integer as
          // S_int·2^2F + (Σ loQ·hiK + hiQ·loK)·2^F [+ Σ loQ·loK].
          const int16_t *kr = &k.raw[kj * D];
          acc =
              rawDotFits32 ? dot<int32_t>(qr, kr, D) : dot<int64_t>(qr, kr, D);
          if (params.approx) {
            const int16_t *kl = &k.lo[kj * D];
            acc -= rawDotFits32 ? dot<int32_t>(ql, kl, D)
                                : dot<int64_t>(ql, kl, D);
          }
        }
        float score = static_cast<float>(acc);
        score = std::ldexp(score, down); // exact power-of-two rescale
        score = score * scale;
        score = score + maskValue;
        dst[j] = score;
      }
    }
  }

  // Cost: per row tile, the union of kept key columns of its block rows is
  // gathered into dense B tiles; Int·Int, Frac·Int, Int·Frac [, Frac·Frac].
  const AccelConfig &a = config;
  // From S_int the Int·Int pass is done already.
  const uint64_t passes = (params.approx ? 3 : 4) - (fromInt ? 1 : 0);
  const uint64_t kTiles = ceilDiv(D, a.tileK);
  // Per pass, the A and B tiles in their planes' widths: Int·Int (I, I),
  // Frac·Int (F, I), Int·Frac (I, F), Frac·Frac (F, F).
  const uint64_t I = params.intBits, F = params.fracBits;
  uint64_t aTileBytes = 0, bTileBytes = 0; // summed over the passes
  auto addPass = [&](uint64_t aBits, uint64_t bBits) {
    aTileBytes += packedBytes(a.tileRows * a.tileK, aBits);
    bTileBytes += packedBytes(a.tileK * a.tileCols, bBits);
  };
  if (!fromInt)
    addPass(I, I);
  addPass(F, I);
  addPass(I, F);
  if (!params.approx)
    addPass(F, F);
  uint64_t total = 0, longest = 0, pairsPerPass = 0, aTilesPerPass = 0,
           scoresWritten = 0;
  for (uint64_t t0 = c.row0; t0 < uint64_t(c.row0) + c.rows; t0 += a.tileRows) {
    uint64_t tn =
        std::min<uint64_t>(a.tileRows, uint64_t(c.row0) + c.rows - t0);
    uint64_t keys = dense ? c.cols : keptKeysInRows(*m, t0, tn, c.col0, c.cols);
    if (!keys)
      continue;
    uint64_t colTiles = ceilDiv(keys, a.tileCols);
    uint64_t work =
        passes * kTiles * (a.aTileLoadCycles + colTiles * a.intPairCycles);
    total += work;
    longest = std::max(longest, work);
    pairsPerPass += kTiles * colTiles;
    aTilesPerPass += kTiles;
    scoresWritten += keys * tn;
  }
  e.unitCycles =
      a.pePipelineCycles + std::max(ceilDiv(total, a.peArraysPerCore), longest);
  e.intMacs = passes * pairsPerPass * a.tileRows * a.tileK * a.tileCols;
  e.sramRead = aTilesPerPass * aTileBytes + pairsPerPass * bTileBytes +
               (add ? maskTileBytes(shape.maskForm, c.rows, c.cols) : 0);
  // The scores of the keys the row tiles computed; the softmax and P·V
  // read pruned positions from the block mask, not from the slot. From
  // S_int, the integer parts of those keys are read first.
  if (fromInt)
    e.sramRead += scoresWritten * accel::sIntBytes(shape, params);
  e.sramWrite = scoresWritten * 4;
  return Error::success();
}

Error Machine::pePv(const Command &c, Effect &e) {
  CoreBuffers &cb = cores[c.core];
  const uint32_t M = shape.M, Dv = shape.Dv;
  const uint32_t bm = params.blockRows, bn = params.blockCols;
  const ScoreSlot &s = cb.score[c.slots[slot::PePv::score]];
  const bool online = s.kind == ScoreSlot::Kind::Weights;
  if ((s.kind != ScoreSlot::Kind::Probs && !online) ||
      !s.tag.holds(c.batch, c.head, c.row0, c.rows))
    return wrongSlot("score", c.slots[slot::PePv::score], s.tag,
                     "probabilities of rows", c, c.row0, c.rows);
  // An online key tile is rescaled into the accumulators once, by the one
  // P·V that covers it.
  if (online && (c.col0 != s.tileCol0 || c.cols != s.tileCols ||
                 !s.tag.is(c.batch, c.head, c.row0, c.rows)))
    return fail("P·V of keys " + Twine(c.col0) + "+" + Twine(c.cols) +
                " and rows " + Twine(c.row0) + "+" + Twine(c.rows) +
                " must cover exactly the online softmax tile in score slot " +
                Twine(int(c.slots[slot::PePv::score])) + " (keys " +
                Twine(s.tileCol0) + "+" + Twine(s.tileCols) + ", rows " +
                Twine(s.tag.start) + "+" + Twine(s.tag.count) + ")");
  const VSlot &v = cb.v[c.slots[slot::PePv::v]];
  if (!v.tag.holds(c.batch, c.head, c.col0, c.cols))
    return wrongSlot("v", c.slots[slot::PePv::v], v.tag, "keys", c, c.col0,
                     c.cols);
  // The dense engine multiplies every key; its accumulate is gated off for
  // blocks the mask removes entirely (no scores were live there), which
  // costs no cycles and keeps non-finite V under padding out of the output.
  const bool dense = c.has(FlagDense);
  Expected<const BlockMaskSlot *> maskBits =
      keptBlocksFor(c, slot::PePv::blockmask);
  if (!maskBits)
    return maskBits.takeError();
  const BlockMaskSlot *m = *maskBits;
  OutSlot &o = cb.out[c.slots[slot::PePv::out]];
  if (c.has(FlagFirst)) {
    o.tag = {true, c.batch, c.head, c.row0, c.rows};
    o.data.assign(uint64_t(c.rows) * Dv, 0.0f);
  } else if (!o.tag.is(c.batch, c.head, c.row0, c.rows)) {
    return wrongSlot("out", c.slots[slot::PePv::out], o.tag,
                     "accumulators of rows", c, c.row0, c.rows);
  }

  const uint64_t c1 = uint64_t(c.col0) + c.cols;
  for (uint32_t i = c.row0; i < c.row0 + c.rows; ++i) {
    const uint8_t *keepRow =
        dense ? &s.live[uint64_t(i / bm - s.tag.start / bm) * numBlockCols]
              : &m->keep[uint64_t(i / bm - m->blockRow0) * numBlockCols];
    const float *p = &s.values[uint64_t(i - s.tag.start) * M];
    float *acc = &o.data[uint64_t(i - o.tag.start) * Dv];
    if (online && !c.has(FlagFirst)) {
      const float alpha = s.rescale[i - s.tag.start];
      if (alpha != 1.0f)
        for (uint32_t d = 0; d < Dv; ++d)
          acc[d] = acc[d] * alpha;
    }
    for (uint64_t bj = c.col0 / bn; bj * bn < c1; ++bj) {
      if (!keepRow[bj])
        continue;
      uint64_t j0 = std::max<uint64_t>(c.col0, bj * bn);
      uint64_t j1 = std::min<uint64_t>(c1, (bj + 1) * bn);
      for (uint64_t j = j0; j < j1; ++j) {
        uint64_t vj = j - v.tag.start;
        if (!v.fetched[vj])
          return fail("needs V of key " + Twine(j) +
                      " (a kept block), which "
                      "v slot " +
                      Twine(int(c.slots[slot::PePv::v])) + " did not fetch");
        // Products of precision.p and precision.v values are exact in
        // f32; they accumulate in f32.
        const float pj = roundTo(config.pPrecision, p[j]);
        const float *row = &v.data[vj * Dv];
        // Same adds in the same order as the reference, per output element.
        for (uint32_t d = 0; d < Dv; ++d)
          acc[d] = acc[d] + pj * row[d];
      }
    }
    // The last tile of an online softmax normalises on the way out of the
    // array (rows without a finite score stay 0).
    if (online && s.lastTile) {
      const float norm = s.norm[i - s.tag.start];
      if (norm != 0.0f) {
        if (params.softmax == ref::SoftmaxKind::Exact)
          for (uint32_t d = 0; d < Dv; ++d)
            acc[d] = acc[d] / norm;
        else
          for (uint32_t d = 0; d < Dv; ++d)
            acc[d] = acc[d] * norm;
      }
    }
  }

  e.scoreWindowLo = s.windowLo;
  const AccelConfig &a = config;
  const uint64_t colTiles = ceilDiv(Dv, a.tileCols);
  uint64_t total = 0, longest = 0, pairs = 0, keysRead = 0;
  for (uint64_t t0 = c.row0; t0 < uint64_t(c.row0) + c.rows; t0 += a.tileRows) {
    uint64_t tn =
        std::min<uint64_t>(a.tileRows, uint64_t(c.row0) + c.rows - t0);
    uint64_t keys = dense ? c.cols : keptKeysInRows(*m, t0, tn, c.col0, c.cols);
    if (!keys)
      continue;
    uint64_t kTiles = ceilDiv(keys, a.tileK);
    uint64_t work = kTiles * (a.aTileLoadCycles + colTiles * a.pvPairCycles);
    total += work;
    longest = std::max(longest, work);
    pairs += kTiles * colTiles;
    keysRead += keys * tn;
  }
  // Rescaling and normalising the output tiles: one pass over them each.
  if (online)
    total += ceilDiv(c.rows, a.tileRows) * colTiles *
             ((c.has(FlagFirst) ? 0 : 1) + (s.lastTile ? 1 : 0));
  e.unitCycles =
      a.pePipelineCycles + std::max(ceilDiv(total, a.peArraysPerCore), longest);
  e.pvMacs = pairs * a.tileRows * a.tileK * a.tileCols;
  // The probabilities in the score slot are precision.p wide: the softmax
  // unit stores them so (rounding them on the way in here is the same,
  // since this array is their only reader).
  e.sramRead = keysRead * precisionBytes(a.pPrecision) +
               pairs * a.tileK * a.tileCols * precisionBytes(a.vPrecision);
  e.sramWrite = uint64_t(c.rows) * Dv * 4;
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Sparsity engine
//===----------------------------------------------------------------------===//

Error Machine::seAcc(const Command &c, Effect &e) {
  CoreBuffers &cb = cores[c.core];
  const uint32_t M = shape.M;
  const uint32_t bm = params.blockRows, bn = params.blockCols;
  const ScoreSlot &s = cb.score[c.slots[slot::SeAcc::score]];
  if (s.kind != ScoreSlot::Kind::SInt ||
      !s.tag.holds(c.batch, c.head, c.row0, c.rows))
    return wrongSlot("score", c.slots[slot::SeAcc::score], s.tag,
                     "S_int of rows", c, c.row0, c.rows);
  for (uint32_t j = c.col0; j < c.col0 + c.cols; ++j)
    if (!s.written[j])
      return fail("reads S_int of key " + Twine(j) +
                  ", which no pe.int "
                  "wrote into score slot " +
                  Twine(int(c.slots[slot::SeAcc::score])));
  const MaskSlot *add = nullptr;
  if (c.has(FlagMasked)) {
    add = &cb.mask[c.slots[slot::SeAcc::mask]];
    if (!add->tag.holds(c.batch, c.head, c.row0, c.rows) ||
        c.col0 < add->col0 ||
        uint64_t(c.col0) + c.cols > uint64_t(add->col0) + add->cols)
      return wrongSlot("mask", c.slots[slot::SeAcc::mask], add->tag, "rows", c,
                       c.row0, c.rows);
  }
  ThetaSlot &t = cb.theta[c.slots[slot::SeAcc::theta]];
  const uint64_t nbr = ceilDiv(c.rows, bm);
  if (c.has(FlagFirst)) {
    t.tag = {true, c.batch, c.head, c.row0, c.rows};
    t.theta.assign(nbr * numBlockCols, 0);
    t.valid.assign(nbr * numBlockCols, 0);
    t.magnitude = 0;
    t.covered.assign(M, 0);
  } else if (!t.tag.is(c.batch, c.head, c.row0, c.rows)) {
    return wrongSlot("theta", c.slots[slot::SeAcc::theta], t.tag, "rows", c,
                     c.row0, c.rows);
  }

  // θ ranks blocks by Σ|S_int| or Σ S_int; in the signed ranking the head
  // importance (always Σ|S_int|) needs the magnitudes beside it.
  const bool signedRanking = params.importance == Importance::Signed;
  const uint64_t c1 = uint64_t(c.col0) + c.cols;
  for (uint32_t i = c.row0; i < c.row0 + c.rows; ++i) {
    const int64_t *row = &s.sInt[uint64_t(i - s.tag.start) * M];
    const float *maskRow =
        add ? &add->data[uint64_t(i - add->tag.start) * add->cols] : nullptr;
    uint64_t local = (i - c.row0) / bm;
    for (uint64_t bj = c.col0 / bn; bj * bn < c1; ++bj) {
      uint64_t j0 = std::max<uint64_t>(c.col0, bj * bn);
      uint64_t j1 = std::min<uint64_t>(c1, (bj + 1) * bn);
      int64_t sum = 0, magnitude = 0;
      bool any = false;
      for (uint64_t j = j0; j < j1; ++j) {
        if (maskRow && ref::isRemoved(maskRow[j - add->col0]))
          continue;
        any = true;
        int64_t a = row[j] < 0 ? -row[j] : row[j];
        sum += signedRanking ? row[j] : a;
        magnitude += a;
      }
      if (any) {
        t.theta[local * numBlockCols + bj] += sum;
        t.valid[local * numBlockCols + bj] = 1;
        t.magnitude += magnitude;
      }
    }
  }
  std::fill_n(t.covered.begin() + c.col0, c.cols, 1);
  std::fill_n(cb.score[c.slots[slot::SeAcc::score]].consumed.begin() + c.col0,
              c.cols, 1);
  e.scoreWindowLo = s.windowLo;

  uint64_t elements = uint64_t(c.rows) * c.cols;
  e.unitCycles = 1 + ceilDiv(elements, config.seLanes);
  // One accumulate per element into θ; the signed ranking adds the
  // magnitude accumulate of the head importance (a second lane op).
  e.seOps = signedRanking ? 2 * elements : elements;
  e.sramRead = elements * accel::sIntBytes(shape, params) +
               (add ? maskTileBytes(shape.maskForm, c.rows, c.cols) : 0);
  e.sramWrite =
      nbr * (ceilDiv(c1, bn) - c.col0 / bn) * accel::thetaBytes(shape, params);
  return Error::success();
}

Error Machine::seEndR(const Command &c, Effect &e) {
  CoreBuffers &cb = cores[c.core];
  const uint32_t M = shape.M, bm = params.blockRows;
  const ThetaSlot &t = cb.theta[c.slots[slot::SeEndR::theta]];
  if (!t.tag.is(c.batch, c.head, c.row0, c.rows))
    return wrongSlot("theta", c.slots[slot::SeEndR::theta], t.tag, "rows", c,
                     c.row0, c.rows);
  uint64_t covered = std::count(t.covered.begin(), t.covered.end(), 1);
  if (covered != M)
    return fail("END_R of rows " + Twine(c.row0) + "+" + Twine(c.rows) +
                " but θ covers only " + Twine(covered) +
                " of the M=" + Twine(M) + " keys (missing se.acc)");
  const uint64_t nbr = ceilDiv(c.rows, bm), mb = numBlockCols;
  BlockMaskSlot &m = cb.blockMask[c.slots[slot::SeEndR::blockmask]];
  m.tag = {true, c.batch, c.head, c.row0, c.rows};
  m.blockRow0 = c.row0 / bm;
  m.blockRows = static_cast<uint32_t>(nbr);
  m.keep.assign(nbr * mb, 0);

  // docs/semantics.md step 3, in exact integers (the shared row kernel).
  const int64_t r = params.rhoQ16;
  int128 headSum = 0;
  for (uint64_t row = 0; row < nbr; ++row) {
    const int64_t *theta = &t.theta[row * mb];
    const uint8_t *isValid = &t.valid[row * mb];
    validBlocks += std::count(isValid, isValid + mb, 1);
    if (params.importance == Importance::Abs)
      for (uint32_t bj = 0; bj < mb; ++bj)
        if (isValid[bj])
          headSum += theta[bj];
    rows::pruneBlockRow(theta, isValid, &m.keep[row * mb], mb, params.policy, r,
                        params.topk);
  }
  if (params.importance == Importance::Signed)
    headSum = t.magnitude;
  thetaH[uint64_t(c.batch) * shape.H + c.head] += static_cast<int64_t>(headSum);

  e.unitCycles =
      nbr * (2 * ceilDiv(mb, config.seLanes) + config.seThresholdCycles);
  e.seOps = 2 * nbr * mb;
  e.sramRead = nbr * mb * accel::thetaBytes(shape, params);
  e.sramWrite = packedBytes(nbr * mb, 1);
  return Error::success();
}

Error Machine::seEndH(const Command &c, Effect &e) {
  const uint32_t H = shape.H;
  const uint64_t base = uint64_t(c.batch) * H;
  int128 total = 0;
  for (uint32_t h = 0; h < H; ++h)
    total += thetaH[base + h];
  for (uint32_t h = 0; h < H; ++h)
    headKeep[base + h] =
        rows::keepHead(H, thetaH[base + h], total, params.tauHQ16) ? 1 : 0;
  decided[c.batch] = 1;
  e.unitCycles = config.seHeadCycles + ceilDiv(H, config.seLanes);
  e.seOps = 2 * uint64_t(H);
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Barrier
//===----------------------------------------------------------------------===//

// A barrier only synchronises the cores, which the timing model does.
Error Machine::barrier(const Command &, Effect &) { return Error::success(); }

//===----------------------------------------------------------------------===//
// Softmax unit
//===----------------------------------------------------------------------===//

Error Machine::softmax(const Command &c, Effect &e) {
  CoreBuffers &cb = cores[c.core];
  const uint32_t M = shape.M;
  ScoreSlot &s = cb.score[c.slots[slot::Softmax::score]];
  if (s.kind != ScoreSlot::Kind::Scores ||
      !s.tag.is(c.batch, c.head, c.row0, c.rows))
    return wrongSlot("score", c.slots[slot::Softmax::score], s.tag,
                     "scores of rows", c, c.row0, c.rows);
  const bool wholeRows = c.cols == 0;
  const uint32_t col0 = wholeRows ? 0 : c.col0;
  const uint32_t col1 = wholeRows ? M : c.col0 + c.cols;
  uint64_t written =
      std::count(s.written.begin() + col0, s.written.begin() + col1, 1);
  if (written != col1 - col0)
    return fail("softmax of rows " + Twine(c.row0) + "+" + Twine(c.rows) +
                " over keys " + Twine(col0) + "+" + Twine(col1 - col0) +
                " but pe.frac wrote only " + Twine(written) + " of those " +
                Twine(col1 - col0) + " score columns");

  const bool exact = params.softmax == ref::SoftmaxKind::Exact;
  const AccelConfig &a = config;
  uint64_t cycles = a.softmaxLatencyCycles, elements = 0;
  if (wholeRows) {
    for (uint32_t r = 0; r < c.rows; ++r) {
      float *row = &s.values[uint64_t(r) * M];
      // The shared row softmax, in place: max and sum over finite scores in
      // increasing column order.
      uint64_t finite = static_cast<uint64_t>(rows::softmaxRow(
          row, row, M, exact ? SoftmaxKind::Exact : SoftmaxKind::Poly));
      cycles += 3 * ceilDiv(finite, a.softmaxLanes) +
                (finite ? a.softmaxReciprocalCycles : 0);
      elements += finite;
    }
    s.kind = ScoreSlot::Kind::Probs;
    e.scoreWindowLo = s.windowLo;
    e.unitCycles = cycles;
    e.softmaxElements = elements;
    e.sramRead = 2 * elements * 4;
    e.sramWrite = elements * precisionBytes(a.pPrecision);
    return Error::success();
  }

  // One key tile of an online softmax: the running maximum m and sum l of
  // every row live in the unit; the tile's weights are exp(s - m') for the
  // new maximum m', and the P·V accumulators are rescaled by exp(m - m')
  // before the tile is added (by 1 exactly when the maximum did not move).
  SoftmaxRows &st = cb.softmaxRows;
  const float negInf = -std::numeric_limits<float>::infinity();
  if (c.has(FlagFirst)) {
    st.tag = {true, c.batch, c.head, c.row0, c.rows};
    st.open = true;
    st.nextCol = col0;
    st.max.assign(c.rows, negInf);
    st.sum.assign(c.rows, 0.0f);
    st.seen.assign(c.rows, 0);
  } else if (!st.open || !st.tag.is(c.batch, c.head, c.row0, c.rows)) {
    return fail("continues the online softmax of rows " + Twine(c.row0) + "+" +
                Twine(c.rows) + " of (b=" + Twine(c.batch) + ", h=" +
                Twine(c.head) + "), which no softmax with `first` started");
  }
  if (col0 != st.nextCol)
    return fail("softmax key tile " + Twine(col0) + "+" + Twine(c.cols) +
                " does not follow the previous tile, which ended at key " +
                Twine(st.nextCol));
  auto expOf = [&](float x) { return exact ? std::exp(x) : rows::polyExp(x); };
  s.rescale.assign(c.rows, 1.0f);
  s.norm.assign(c.rows, 0.0f);
  for (uint32_t r = 0; r < c.rows; ++r) {
    float *row = &s.values[uint64_t(r) * M];
    uint64_t finite = 0;
    float tileMax = negInf;
    for (uint32_t j = col0; j < col1; ++j)
      if (std::isfinite(row[j])) {
        tileMax = finite ? std::max(tileMax, row[j]) : row[j];
        ++finite;
      }
    float m = st.max[r];
    if (finite) {
      float next = st.seen[r] ? std::max(m, tileMax) : tileMax;
      if (st.seen[r] && next != m) {
        s.rescale[r] = expOf(m - next);
        st.sum[r] = st.sum[r] * s.rescale[r];
      }
      m = next;
      st.seen[r] = 1;
    }
    float sum = st.sum[r];
    for (uint32_t j = col0; j < col1; ++j) {
      if (!std::isfinite(row[j])) {
        row[j] = 0.0f;
        continue;
      }
      row[j] = expOf(row[j] - m);
      sum += row[j];
    }
    st.max[r] = m;
    st.sum[r] = sum;
    bool last = c.has(FlagLast);
    if (last && st.seen[r])
      s.norm[r] = exact ? sum : rows::polyReciprocal(sum);
    // Max and exp-and-sum passes; one rescale factor when the maximum
    // moved; the reciprocal once per row at the end.
    cycles += 2 * ceilDiv(finite, a.softmaxLanes) +
              (s.rescale[r] != 1.0f ? 1 : 0) +
              (last && st.seen[r] ? a.softmaxReciprocalCycles : 0);
    elements += finite;
  }
  st.nextCol = col1;
  if (c.has(FlagLast))
    st.open = false;
  s.kind = ScoreSlot::Kind::Weights;
  s.tileCol0 = col0;
  s.tileCols = col1 - col0;
  s.lastTile = c.has(FlagLast);
  e.scoreWindowLo = s.windowLo;
  e.unitCycles = cycles;
  e.softmaxElements = elements;
  e.sramRead = 2 * elements * 4;
  e.sramWrite = elements * precisionBytes(a.pPrecision);
  return Error::success();
}

} // namespace hdp::sim::detail
