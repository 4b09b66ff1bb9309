//===- StreamBuilder.cpp - Compile an attention to a command stream -------===//
//
// planTiles() sizes strips and chunks to the SRAM slots; buildProgram() walks
// the dataflow described in StreamBuilder.h and emits one command per step.
// The stream never depends on data: what HDP skips at run time is expressed
// with FlagHeadPred and FlagFum.
//
//===----------------------------------------------------------------------===//

#include "hdp/ISA/StreamBuilder.h"

#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace llvm;

namespace hdp::accel {

namespace {

Error makeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

uint64_t ceilDiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

/// 2^26 commands are 2 GiB of .hdpc; more than anyone should simulate.
constexpr uint64_t kMaxCommands = uint64_t(1) << 26;

/// The configuration key of each buffer, for error messages.
const char *bufferKey(Buffer buffer) {
  switch (buffer) {
  case Buffer::Q:
    return "sram.q_buffer_bytes";
  case Buffer::K:
    return "sram.k_buffer_bytes";
  case Buffer::V:
    return "sram.v_buffer_bytes";
  case Buffer::Mask:
    return "sram.mask_buffer_bytes";
  case Buffer::Score:
    return "sram.score_buffer_bytes";
  case Buffer::Theta:
    return "sram.theta_buffer_bytes";
  case Buffer::BlockMask:
    return "sram.blockmask_buffer_bytes";
  case Buffer::Out:
    return "sram.out_buffer_bytes";
  }
  return "?";
}

/// The pass a strip of query rows serves: each needs its own slots.
enum class StripPass {
  Prepass,   ///< phase A: Int(Q), S_int, θ, block-mask bits
  Attention, ///< phase B: both Q planes, scores, block-mask bits, output
  Dense,     ///< the dense engine: phase B without block masks
};

/// The buffers whose slots must hold one strip of query rows in `pass`.
SmallVector<Buffer, 6> stripBuffers(const AttentionShape &shape,
                                    StripPass pass) {
  SmallVector<Buffer, 6> buffers = {Buffer::Q, Buffer::Score};
  if (pass == StripPass::Prepass)
    buffers.push_back(Buffer::Theta);
  else
    buffers.push_back(Buffer::Out);
  if (pass != StripPass::Dense)
    buffers.push_back(Buffer::BlockMask);
  if (shape.hasMask)
    buffers.push_back(Buffer::Mask);
  return buffers;
}

/// Key columns a strip's slot of `b` holds when score tiles are
/// `scoreCols` wide (0 for buffers without key columns).
uint64_t stripKeys(Buffer b, uint64_t scoreCols) {
  return b == Buffer::Mask || b == Buffer::Score ? scoreCols : 0;
}

/// Bytes a strip of `rows` rows needs in a slot of `b` in `pass` (the
/// prepass holds only Int(Q)).
uint64_t stripSlotBytes(Buffer b, uint64_t rows, uint64_t scoreCols,
                        StripPass pass, const AttentionShape &shape,
                        const AttentionParams &params) {
  if (b == Buffer::Q && pass == StripPass::Prepass)
    return packedBytes(rows * shape.D, params.intBits);
  return slotBytesNeeded(b, rows, stripKeys(b, scoreCols), shape, params);
}

/// The first buffer whose slot cannot hold a strip of `rows` rows with
/// score tiles of `scoreCols` keys in `pass`.
std::optional<Buffer> stripMisfit(uint64_t rows, uint64_t scoreCols,
                                  const AttentionShape &shape,
                                  const AttentionParams &params,
                                  const AccelSignature &sig, StripPass pass) {
  for (Buffer b : stripBuffers(shape, pass))
    if (stripSlotBytes(b, rows, scoreCols, pass, shape, params) >
        slotCapacity(sig, b))
      return b;
  return std::nullopt;
}

Error tooSmall(Buffer b, const Twine &what, uint64_t needed,
               const AccelSignature &sig) {
  return makeError(Twine(bufferKey(b)) + ": too small for this attention: " +
                   what + " needs " + Twine(needed) + " bytes in one " +
                   bufferName(b) + " slot, but a slot holds " +
                   Twine(slotCapacity(sig, b)) + " bytes (half of " +
                   Twine(sig.bufferBytes[static_cast<unsigned>(b)]) + ")");
}

/// Largest multiple of `step` in [step, limit rounded up to step] for which
/// fits() holds, clamped to `limit`; fits() must be monotone. 0 if even
/// `step` does not fit.
template <typename Fits>
uint64_t largestFitting(uint64_t step, uint64_t limit, Fits fits) {
  uint64_t lo = 1, hi = ceilDiv(limit, step); // multiples of step
  if (!fits(std::min(step, limit)))
    return 0;
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo + 1) / 2;
    if (fits(std::min(mid * step, limit)))
      lo = mid;
    else
      hi = mid - 1;
  }
  return std::min(lo * step, limit);
}

/// A unit of work: (batch item, head, rows).
struct WorkUnit {
  uint16_t head;
  uint32_t rowBegin, rowEnd;
};

/// Emits commands, remembering per core which slot of each buffer was used
/// last so that consecutive uses alternate (double buffering).
class Emitter {
public:
  Emitter(Program &program, const TilePlan &plan)
      : program(program), tiles(plan), nextSlot(program.accel.cores) {}

  void emitPhaseA(uint8_t core, uint16_t b, const WorkUnit &unit);
  void emitHeadDecision(uint16_t b);
  /// Phase B of the HDP engine (`hdp`: predicated, Fetch-Upon-Mask, block
  /// masks) or the dense engine, for the units of one core in order.
  void emitScoreUnits(uint8_t core, uint16_t b, ArrayRef<WorkUnit> units,
                      bool hdp);
  /// Both phases strip by strip (no head pruning, whole score rows): the
  /// strip's S_int stays in its score slot from pe.int to pe.frac.
  void emitFusedUnits(uint8_t core, uint16_t b, ArrayRef<WorkUnit> units);
  /// The slots of a strip's integer pass.
  struct IntegerSlots {
    uint8_t q, k, score, theta, mask;
  };
  /// One key chunk [k0, k0 + kn) of a strip's integer pass: pe.int fills the
  /// score slot, se.acc adds it to the strip's θ (the first chunk starts θ).
  void emitIntegerChunk(uint8_t core, uint16_t b, uint16_t h, uint32_t r0,
                        uint32_t rn, uint32_t k0, uint32_t kn,
                        const IntegerSlots &slots);
  /// The strip's block decision: se.end_r turns θ into block-mask rows,
  /// which are stored; returns the block-mask slot.
  uint8_t emitRowDecision(uint8_t core, uint16_t b, uint16_t h, uint32_t r0,
                          uint32_t rn, uint8_t thetaSlot);

private:
  uint8_t takeSlot(uint8_t core, Buffer buffer) {
    uint8_t &slot = nextSlot[core][static_cast<unsigned>(buffer)];
    uint8_t taken = slot;
    slot = static_cast<uint8_t>((slot + 1) % kSlotsPerBuffer);
    return taken;
  }
  Command &emit(Opcode op, uint8_t core, uint16_t b, uint16_t h) {
    Command c;
    c.opcode = op;
    c.core = core;
    c.batch = b;
    c.head = h;
    program.commands.push_back(c);
    return program.commands.back();
  }
  Command &load(uint8_t core, Tensor tensor, uint16_t b, uint16_t h,
                uint8_t bufferSlot) {
    Command &c = emit(Opcode::DmaLoad, core, b, h);
    c.tensor = tensor;
    c.slots[slot::DmaLoad::slot] = bufferSlot;
    return c;
  }
  /// dma.store of rows [r0, r0 + rn) of `tensor` from a buffer slot.
  Command &storeRows(uint8_t core, Tensor tensor, uint16_t b, uint16_t h,
                     uint32_t r0, uint32_t rn, uint8_t bufferSlot) {
    Command &c = emit(Opcode::DmaStore, core, b, h);
    c.tensor = tensor;
    setRows(c, r0, rn);
    c.slots[slot::DmaStore::slot] = bufferSlot;
    return c;
  }
  uint8_t loadMask(uint8_t core, uint16_t b, uint16_t h, uint32_t r0,
                   uint32_t rn, uint32_t k0, uint32_t kn) {
    uint8_t maskSlot = takeSlot(core, Buffer::Mask);
    Command &m = load(core, Tensor::Mask, b, h, maskSlot);
    setRows(m, r0, rn);
    setCols(m, k0, kn);
    return maskSlot;
  }
  static void setRows(Command &c, uint32_t row0, uint32_t rows) {
    c.row0 = row0;
    c.rows = rows;
  }
  static void setCols(Command &c, uint32_t col0, uint32_t cols) {
    c.col0 = col0;
    c.cols = cols;
  }

  Program &program;
  const TilePlan &tiles;
  std::vector<std::array<uint8_t, kNumBuffers>> nextSlot;
};

void Emitter::emitIntegerChunk(uint8_t core, uint16_t b, uint16_t h,
                               uint32_t r0, uint32_t rn, uint32_t k0,
                               uint32_t kn, const IntegerSlots &slots) {
  Command &pe = emit(Opcode::PeInt, core, b, h);
  setRows(pe, r0, rn);
  setCols(pe, k0, kn);
  pe.slots[slot::PeInt::q] = slots.q;
  pe.slots[slot::PeInt::k] = slots.k;
  pe.slots[slot::PeInt::score] = slots.score;
  Command &acc = emit(Opcode::SeAcc, core, b, h);
  setRows(acc, r0, rn);
  setCols(acc, k0, kn);
  acc.slots[slot::SeAcc::score] = slots.score;
  acc.slots[slot::SeAcc::theta] = slots.theta;
  if (k0 == 0)
    acc.flags |= FlagFirst;
  if (program.shape.hasMask) {
    acc.flags |= FlagMasked;
    acc.slots[slot::SeAcc::mask] = slots.mask;
  }
}

uint8_t Emitter::emitRowDecision(uint8_t core, uint16_t b, uint16_t h,
                                 uint32_t r0, uint32_t rn, uint8_t thetaSlot) {
  uint8_t maskBitsSlot = takeSlot(core, Buffer::BlockMask);
  Command &endR = emit(Opcode::SeEndR, core, b, h);
  setRows(endR, r0, rn);
  endR.slots[slot::SeEndR::theta] = thetaSlot;
  endR.slots[slot::SeEndR::blockmask] = maskBitsSlot;
  storeRows(core, Tensor::BlockMask, b, h, r0, rn, maskBitsSlot);
  return maskBitsSlot;
}

void Emitter::emitPhaseA(uint8_t core, uint16_t b, const WorkUnit &unit) {
  const AttentionShape &s = program.shape;
  const uint16_t h = unit.head;
  uint8_t kSlot = 0;
  if (tiles.kResidentA) {
    kSlot = takeSlot(core, Buffer::K);
    setCols(load(core, Tensor::KInt, b, h, kSlot), 0, s.M);
  }
  for (uint32_t r0 = unit.rowBegin; r0 < unit.rowEnd;
       r0 += tiles.prepassStripRows) {
    uint32_t rn = std::min(tiles.prepassStripRows, unit.rowEnd - r0);
    uint8_t qSlot = takeSlot(core, Buffer::Q);
    setRows(load(core, Tensor::QInt, b, h, qSlot), r0, rn);
    uint8_t maskSlot = 0;
    if (s.hasMask && !tiles.keyTiles)
      maskSlot = loadMask(core, b, h, r0, rn, 0, s.M);
    uint8_t thetaSlot = takeSlot(core, Buffer::Theta);
    uint8_t scoreSlot = 0;
    for (uint32_t t0 = 0; t0 < s.M; t0 += tiles.scoreCols) {
      uint32_t t1 = std::min(s.M, t0 + tiles.scoreCols);
      // Whole rows share one score slot (the SE drains it column by
      // column); key tiles alternate slots.
      if (tiles.keyTiles || t0 == 0)
        scoreSlot = takeSlot(core, Buffer::Score);
      if (s.hasMask && tiles.keyTiles)
        maskSlot = loadMask(core, b, h, r0, rn, t0, t1 - t0);
      for (uint32_t k0 = t0; k0 < t1; k0 += tiles.kChunk) {
        uint32_t kn = std::min(tiles.kChunk, t1 - k0);
        if (!tiles.kResidentA) {
          kSlot = takeSlot(core, Buffer::K);
          setCols(load(core, Tensor::KInt, b, h, kSlot), k0, kn);
        }
        emitIntegerChunk(core, b, h, r0, rn, k0, kn,
                         {qSlot, kSlot, scoreSlot, thetaSlot, maskSlot});
      }
    }
    emitRowDecision(core, b, h, r0, rn, thetaSlot);
  }
}

void Emitter::emitHeadDecision(uint16_t b) {
  for (uint32_t core = 0; core < program.accel.cores; ++core) {
    Command &barrier = emit(Opcode::Barrier, static_cast<uint8_t>(core), 0, 0);
    barrier.aux = b;
  }
  for (uint32_t core = 0; core < program.accel.cores; ++core)
    emit(Opcode::SeEndH, static_cast<uint8_t>(core), b, 0);
  Command &store = emit(Opcode::DmaStore, 0, b, 0);
  store.tensor = Tensor::HeadTable;
}

void Emitter::emitScoreUnits(uint8_t core, uint16_t b, ArrayRef<WorkUnit> units,
                             bool hdp) {
  const AttentionShape &s = program.shape;
  const size_t first = program.commands.size();

  // The P·V half of a step (one key tile of one strip), emitted after the
  // next step's scores so that the PE computes those while the softmax unit
  // works on this tile (the score slots alternate).
  struct PendingPv {
    bool valid = false;
    uint16_t h;
    uint32_t r0, rn, t0, t1;
    uint32_t unitRow0, unitRows;
    uint8_t scoreSlot, outSlot, maskBitsSlot;
    /// The first step of a unit whose V is resident: it loads V (as late as
    /// that, so the DMA loads the next step's Q and K first).
    bool loadsResidentV;
  };
  uint8_t vSlot = 0;
  PendingPv pending;
  auto flushPv = [&]() {
    if (!pending.valid)
      return;
    const PendingPv p = pending;
    pending.valid = false;
    if (p.loadsResidentV) {
      vSlot = takeSlot(core, Buffer::V);
      Command &c = load(core, Tensor::V, b, p.h, vSlot);
      setCols(c, 0, s.M);
      if (hdp) {
        setRows(c, p.unitRow0, p.unitRows);
        c.flags |= FlagFum;
        c.slots[slot::DmaLoad::fum] = p.maskBitsSlot;
      }
    }
    for (uint32_t v0 = p.t0; v0 < p.t1; v0 += tiles.vChunk) {
      uint32_t vn = std::min(tiles.vChunk, p.t1 - v0);
      if (!tiles.vResident) {
        vSlot = takeSlot(core, Buffer::V);
        Command &c = load(core, Tensor::V, b, p.h, vSlot);
        setCols(c, v0, vn);
        if (hdp) {
          setRows(c, p.r0, p.rn);
          c.flags |= FlagFum;
          c.slots[slot::DmaLoad::fum] = p.maskBitsSlot;
        }
      }
      Command &pv = emit(Opcode::PePv, core, b, p.h);
      setRows(pv, p.r0, p.rn);
      setCols(pv, v0, vn);
      pv.slots[slot::PePv::score] = p.scoreSlot;
      pv.slots[slot::PePv::v] = vSlot;
      pv.slots[slot::PePv::out] = p.outSlot;
      if (hdp)
        pv.slots[slot::PePv::blockmask] = p.maskBitsSlot;
      else
        pv.flags |= FlagDense;
      if (v0 == 0)
        pv.flags |= FlagFirst;
    }
    if (p.t1 == s.M) {
      storeRows(core, Tensor::Out, b, p.h, p.r0, p.rn, p.outSlot);
    }
  };

  for (const WorkUnit &unit : units) {
    const uint16_t h = unit.head;
    const uint32_t unitRows = unit.rowEnd - unit.rowBegin;
    // K and V for every key the unit keeps (HDP: Fetch-Upon-Mask against
    // the block mask of its rows, which then stays in one slot).
    uint8_t kSlot = 0, unitMaskSlot = 0;
    bool firstStep = true;
    auto keyLoad = [&](Tensor t, uint8_t bufferSlot, uint32_t k0, uint32_t kn,
                       uint32_t r0, uint32_t rn, uint8_t maskSlot) {
      Command &c = load(core, t, b, h, bufferSlot);
      setCols(c, k0, kn);
      if (hdp) {
        setRows(c, r0, rn);
        c.flags |= FlagFum;
        c.slots[slot::DmaLoad::fum] = maskSlot;
      }
    };
    if (hdp && tiles.unitMask) {
      unitMaskSlot = takeSlot(core, Buffer::BlockMask);
      setRows(load(core, Tensor::BlockMask, b, h, unitMaskSlot), unit.rowBegin,
              unitRows);
    }
    if (tiles.kResident) {
      kSlot = takeSlot(core, Buffer::K);
      keyLoad(Tensor::KInt, kSlot, 0, s.M, unit.rowBegin, unitRows,
              unitMaskSlot);
      keyLoad(Tensor::KFrac, kSlot, 0, s.M, unit.rowBegin, unitRows,
              unitMaskSlot);
    }
    for (uint32_t r0 = unit.rowBegin; r0 < unit.rowEnd; r0 += tiles.stripRows) {
      uint32_t rn = std::min(tiles.stripRows, unit.rowEnd - r0);
      uint8_t qSlot = takeSlot(core, Buffer::Q);
      setRows(load(core, Tensor::QInt, b, h, qSlot), r0, rn);
      setRows(load(core, Tensor::QFrac, b, h, qSlot), r0, rn);
      uint8_t maskSlot = 0;
      if (s.hasMask && !tiles.keyTiles)
        maskSlot = loadMask(core, b, h, r0, rn, 0, s.M);
      uint8_t maskBitsSlot = unitMaskSlot;
      if (hdp && !tiles.unitMask) {
        maskBitsSlot = takeSlot(core, Buffer::BlockMask);
        setRows(load(core, Tensor::BlockMask, b, h, maskBitsSlot), r0, rn);
      }
      uint8_t outSlot = takeSlot(core, Buffer::Out);
      for (uint32_t t0 = 0; t0 < s.M; t0 += tiles.scoreCols) {
        uint32_t t1 = std::min(s.M, t0 + tiles.scoreCols);
        if (s.hasMask && tiles.keyTiles)
          maskSlot = loadMask(core, b, h, r0, rn, t0, t1 - t0);
        uint8_t scoreSlot = takeSlot(core, Buffer::Score);
        for (uint32_t k0 = t0; k0 < t1; k0 += tiles.kChunk) {
          uint32_t kn = std::min(tiles.kChunk, t1 - k0);
          if (!tiles.kResident) {
            kSlot = takeSlot(core, Buffer::K);
            keyLoad(Tensor::KInt, kSlot, k0, kn, r0, rn, maskBitsSlot);
            keyLoad(Tensor::KFrac, kSlot, k0, kn, r0, rn, maskBitsSlot);
          }
          Command &pe = emit(Opcode::PeFrac, core, b, h);
          setRows(pe, r0, rn);
          setCols(pe, k0, kn);
          pe.slots[slot::PeFrac::q] = qSlot;
          pe.slots[slot::PeFrac::k] = kSlot;
          pe.slots[slot::PeFrac::score] = scoreSlot;
          if (hdp)
            pe.slots[slot::PeFrac::blockmask] = maskBitsSlot;
          else
            pe.flags |= FlagDense;
          if (s.hasMask) {
            pe.flags |= FlagMasked;
            pe.slots[slot::PeFrac::mask] = maskSlot;
          }
        }
        Command &softmax = emit(Opcode::Softmax, core, b, h);
        setRows(softmax, r0, rn);
        softmax.slots[slot::Softmax::score] = scoreSlot;
        if (tiles.keyTiles) {
          setCols(softmax, t0, t1 - t0);
          if (t0 == 0)
            softmax.flags |= FlagFirst;
          if (t1 == s.M)
            softmax.flags |= FlagLast;
        }
        flushPv();
        pending = {true,
                   h,
                   r0,
                   rn,
                   t0,
                   t1,
                   unit.rowBegin,
                   unitRows,
                   scoreSlot,
                   outSlot,
                   maskBitsSlot,
                   tiles.vResident && firstStep};
        firstStep = false;
      }
    }
  }
  flushPv();
  // All of phase B is skipped for a pruned head.
  if (hdp)
    for (size_t i = first; i < program.commands.size(); ++i)
      program.commands[i].flags |= FlagHeadPred;
}

void Emitter::emitFusedUnits(uint8_t core, uint16_t b,
                             ArrayRef<WorkUnit> units) {
  const AttentionShape &s = program.shape;
  // The P·V half of a strip, emitted after the next strip's integer pass
  // so that the PE computes that while the softmax unit works on this
  // strip, and runs while the SE decides the next strip's blocks.
  struct PendingPv {
    bool valid = false;
    uint16_t h;
    uint32_t r0, rn;
    uint8_t scoreSlot, outSlot, maskBitsSlot;
    bool firstOfUnit;
  };
  PendingPv pending;
  uint8_t vSlot = 0;
  auto fetch = [&](Tensor t, uint16_t h, uint8_t bufferSlot, uint32_t k0,
                   uint32_t kn, uint32_t r0, uint32_t rn, uint8_t maskSlot,
                   bool topUp) {
    Command &c = load(core, t, b, h, bufferSlot);
    setCols(c, k0, kn);
    setRows(c, r0, rn);
    c.flags |= FlagFum | (topUp ? FlagTopUp : 0);
    c.slots[slot::DmaLoad::fum] = maskSlot;
  };
  auto flushPv = [&]() {
    if (!pending.valid)
      return;
    const PendingPv p = pending;
    pending.valid = false;
    if (tiles.vResident && p.firstOfUnit)
      vSlot = takeSlot(core, Buffer::V);
    for (uint32_t v0 = 0; v0 < s.M; v0 += tiles.vChunk) {
      uint32_t vn = std::min(tiles.vChunk, s.M - v0);
      if (!tiles.vResident)
        vSlot = takeSlot(core, Buffer::V);
      // A resident V collects the kept keys of the unit strip by strip.
      fetch(Tensor::V, p.h, vSlot, v0, vn, p.r0, p.rn, p.maskBitsSlot,
            tiles.vResident);
      Command &pv = emit(Opcode::PePv, core, b, p.h);
      setRows(pv, p.r0, p.rn);
      setCols(pv, v0, vn);
      pv.slots[slot::PePv::score] = p.scoreSlot;
      pv.slots[slot::PePv::v] = vSlot;
      pv.slots[slot::PePv::out] = p.outSlot;
      pv.slots[slot::PePv::blockmask] = p.maskBitsSlot;
      if (v0 == 0)
        pv.flags |= FlagFirst;
    }
    storeRows(core, Tensor::Out, b, p.h, p.r0, p.rn, p.outSlot);
  };

  for (const WorkUnit &unit : units) {
    const uint16_t h = unit.head;
    // Int(K) of every key for the integer pass; Frac(K) of the kept keys
    // joins it strip by strip.
    uint8_t kSlot = takeSlot(core, Buffer::K);
    setCols(load(core, Tensor::KInt, b, h, kSlot), 0, s.M);
    bool firstOfUnit = true;
    for (uint32_t r0 = unit.rowBegin; r0 < unit.rowEnd; r0 += tiles.stripRows) {
      uint32_t rn = std::min(tiles.stripRows, unit.rowEnd - r0);
      uint8_t qSlot = takeSlot(core, Buffer::Q);
      setRows(load(core, Tensor::QInt, b, h, qSlot), r0, rn);
      uint8_t maskSlot = 0;
      if (s.hasMask)
        maskSlot = loadMask(core, b, h, r0, rn, 0, s.M);
      uint8_t thetaSlot = takeSlot(core, Buffer::Theta);
      uint8_t scoreSlot = takeSlot(core, Buffer::Score);
      // The integer pass in a few key chunks, so that the SE accumulates
      // θ of one while the PE computes the next.
      const uint32_t bn = program.attention.blockCols;
      const uint32_t chunk = std::min<uint32_t>(
          s.M, static_cast<uint32_t>(ceilDiv(ceilDiv(s.M, 4), bn) * bn));
      for (uint32_t k0 = 0; k0 < s.M; k0 += chunk) {
        uint32_t kn = std::min(chunk, s.M - k0);
        emitIntegerChunk(core, b, h, r0, rn, k0, kn,
                         {qSlot, kSlot, scoreSlot, thetaSlot, maskSlot});
      }
      uint8_t maskBitsSlot = emitRowDecision(core, b, h, r0, rn, thetaSlot);

      // The previous strip's P·V while the SE decides this strip's blocks
      // (its V fetched before this strip's Frac(K), which waits for them).
      flushPv();
      setRows(load(core, Tensor::QFrac, b, h, qSlot), r0, rn);
      fetch(Tensor::KFrac, h, kSlot, 0, s.M, r0, rn, maskBitsSlot,
            /*topUp=*/true);
      uint8_t outSlot = takeSlot(core, Buffer::Out);
      Command &frac = emit(Opcode::PeFrac, core, b, h);
      setRows(frac, r0, rn);
      setCols(frac, 0, s.M);
      frac.flags |= FlagFromInt;
      frac.slots[slot::PeFrac::q] = qSlot;
      frac.slots[slot::PeFrac::k] = kSlot;
      frac.slots[slot::PeFrac::score] = scoreSlot;
      frac.slots[slot::PeFrac::blockmask] = maskBitsSlot;
      if (s.hasMask) {
        frac.flags |= FlagMasked;
        frac.slots[slot::PeFrac::mask] = maskSlot;
      }
      Command &softmax = emit(Opcode::Softmax, core, b, h);
      setRows(softmax, r0, rn);
      softmax.slots[slot::Softmax::score] = scoreSlot;
      pending = {true,      h,       r0,           rn,
                 scoreSlot, outSlot, maskBitsSlot, firstOfUnit};
      firstOfUnit = false;
    }
  }
  flushPv();
}

} // namespace

Expected<bool> selectDenseEngine(const AttentionParams &params,
                                 const BuildOptions &options) {
  // Head pruning needs θ_H, which only the integer pre-pass computes.
  bool possible = params.policy == ref::Policy::Dense && params.tauHQ16 == 0;
  switch (options.engine) {
  case Engine::Auto:
    return possible;
  case Engine::Hdp:
    return false;
  case Engine::Dense:
    if (!possible)
      return makeError(
          Twine("the dense engine computes no block or head masks: it needs "
                "policy = dense and tau_h = 0 (got policy = ") +
          ref::policyName(params.policy) + ", tau_h = " +
          std::to_string(double(params.tauHQ16) / 65536.0) + ")");
    return true;
  }
  return false;
}

bool isDenseEngineProgram(const Program &program) {
  return std::any_of(program.commands.begin(), program.commands.end(),
                     [](const Command &c) { return c.has(FlagDense); });
}

uint64_t slotCapacity(const AccelSignature &accel, Buffer buffer) {
  return accel.bufferBytes[static_cast<unsigned>(buffer)] / kSlotsPerBuffer;
}

uint64_t thetaBytes(const AttentionShape &shape,
                    const AttentionParams &params) {
  // |θ| of a block <= bm·bn·D·2^(2(I-1)) (|Int| <= 2^(I-1)): the
  // narrowest signed accumulator that holds it (signed: θ may be negative
  // in the signed ranking).
  double bound = double(params.blockRows) * params.blockCols * shape.D *
                 std::ldexp(1.0, 2 * (int(params.intBits) - 1));
  if (bound < std::ldexp(1.0, 15))
    return 2;
  return bound < std::ldexp(1.0, 31) ? 4 : 8;
}

uint64_t sIntBytes(const AttentionShape &shape, const AttentionParams &params) {
  double bound =
      double(shape.D) * std::ldexp(1.0, 2 * (int(params.intBits) - 1));
  return bound < std::ldexp(1.0, 15) ? 2 : 4;
}

uint64_t slotBytesNeeded(Buffer buffer, uint64_t rows, uint64_t keys,
                         const AttentionShape &shape,
                         const AttentionParams &params,
                         unsigned vElementBytes) {
  // Products of 32-bit dimensions can exceed 64 bits: compute in 128 bits
  // and saturate, so an absurd shape reads as "does not fit", never wraps.
  using u128 = unsigned __int128;
  auto bitsToBytes = [](u128 bits) { return (bits + 7) / 8; };
  const u128 fixedBits = params.intBits + params.fracBits;
  const u128 blockRows = ceilDiv(rows, params.blockRows);
  const u128 blockCols = ceilDiv(shape.M, params.blockCols);
  u128 bytes = 0;
  switch (buffer) {
  case Buffer::Q:
    bytes = bitsToBytes(u128(rows) * shape.D * fixedBits);
    break;
  case Buffer::K:
    bytes = bitsToBytes(u128(keys) * shape.D * fixedBits);
    break;
  case Buffer::V:
    bytes = u128(keys) * shape.Dv * vElementBytes;
    break;
  case Buffer::Mask:
    bytes = maskTileBytes(shape.maskForm, rows, keys);
    break;
  case Buffer::Score:
    // S_int, scores and probabilities all fit 32 bits per element; a slot
    // holds `keys` columns (a key tile), all M when keys is 0.
    bytes = u128(rows) * (keys ? keys : shape.M) * 4;
    break;
  case Buffer::Theta:
    bytes = blockRows * blockCols * thetaBytes(shape, params);
    break;
  case Buffer::BlockMask:
    bytes = bitsToBytes(blockRows * blockCols);
    break;
  case Buffer::Out:
    bytes = u128(rows) * shape.Dv * 4;
    break;
  }
  return bytes > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(bytes);
}

std::string TilePlan::describe() const {
  std::string s;
  raw_string_ostream os(s);
  os << (denseEngine ? "dense engine: " : "") << "strip rows " << stripRows;
  if (!denseEngine)
    os << " (prepass " << prepassStripRows << ")";
  os << ", scores ";
  if (keyTiles)
    os << "in key tiles of " << scoreCols << " (online softmax)";
  else
    os << "in whole rows";
  os << ", K "
     << (kResident    ? "resident"
         : kResidentA ? "resident in phase A, streamed"
                      : "streamed")
     << " (chunks of " << kChunk << " keys), V "
     << (vResident ? "resident" : "streamed") << " (chunks of " << vChunk
     << " keys), ";
  if (fused)
    os << "phases A and B fused strip by strip (S_int kept, K and V topped "
          "up), ";
  else if (!denseEngine)
    os << "block mask per " << (unitMask ? "unit" : "strip") << ", ";
  os << rowGroups << " row group" << (rowGroups == 1 ? "" : "s") << " per head";
  return s;
}

Expected<TilePlan> planTiles(const AttentionShape &shape,
                             const AttentionParams &params,
                             const AccelConfig &accel,
                             const BuildOptions &options) {
  const AccelSignature sig = AccelSignature::of(accel);
  const uint32_t bm = params.blockRows, bn = params.blockCols;
  TilePlan plan;
  Expected<bool> dense = selectDenseEngine(params, options);
  if (!dense)
    return dense.takeError();
  plan.denseEngine = *dense;

  // K and V chunks: as many keys (multiples of bn) as fit one slot.
  for (Buffer b : {Buffer::K, Buffer::V}) {
    const unsigned vBytes = precisionBytes(accel.vPrecision);
    auto fits = [&](uint64_t keys) {
      return slotBytesNeeded(b, 0, keys, shape, params, vBytes) <=
             slotCapacity(sig, b);
    };
    uint64_t chunk = largestFitting(bn, shape.M, fits);
    if (!chunk) {
      uint64_t keys = std::min<uint64_t>(bn, shape.M);
      return tooSmall(b, "one block column (" + Twine(keys) + " keys)",
                      slotBytesNeeded(b, 0, keys, shape, params, vBytes), sig);
    }
    (b == Buffer::K ? plan.kChunk : plan.vChunk) = static_cast<uint32_t>(chunk);
  }
  const bool kFits = plan.kChunk == shape.M, vFits = plan.vChunk == shape.M;

  // Strips: the largest multiple of bm (or all N) whose strip fits, either
  // with whole score rows or with key tiles of as many keys as one K and
  // one V chunk hold (an online softmax over the tiles). Key tiles are used
  // when they allow taller attention strips while K or V is streamed, which
  // then is re-read fewer times; whole rows are exact to the reference's
  // rounding. The prepass (phase A) sizes its own strips: it holds θ but
  // neither Frac(Q) nor the output, so neither pass is held back by the
  // other's buffers, and phase B gets the dense engine's strips whenever
  // the block-mask bits fit.
  const StripPass mainPass =
      plan.denseEngine ? StripPass::Dense : StripPass::Attention;
  const uint64_t minRows = std::min<uint64_t>(bm, shape.N);
  const uint64_t tileCols = std::min(plan.kChunk, plan.vChunk);
  auto rowsFor = [&](uint64_t scoreCols, StripPass pass) {
    return largestFitting(bm, shape.N, [&](uint64_t rows) {
      return !stripMisfit(rows, scoreCols, shape, params, sig, pass);
    });
  };
  uint64_t rowStrip = rowsFor(shape.M, mainPass);
  uint64_t tileStrip = tileCols < shape.M ? rowsFor(tileCols, mainPass) : 0;
  bool keyTiles = false;
  switch (options.scoreTiling) {
  case ScoreTiling::Auto:
    keyTiles = tileStrip > rowStrip && (!kFits || !vFits || !rowStrip);
    break;
  case ScoreTiling::Rows:
    break;
  case ScoreTiling::KeyTiles:
    keyTiles = tileCols < shape.M;
    break;
  }
  plan.keyTiles = keyTiles;
  plan.scoreCols = static_cast<uint32_t>(keyTiles ? tileCols : shape.M);
  SmallVector<StripPass, 2> passes = {mainPass};
  if (!plan.denseEngine)
    passes.push_back(StripPass::Prepass);
  auto misfit =
      [&](uint64_t rows) -> std::optional<std::pair<Buffer, uint64_t>> {
    for (StripPass pass : passes)
      if (std::optional<Buffer> b =
              stripMisfit(rows, plan.scoreCols, shape, params, sig, pass))
        return std::make_pair(
            *b, stripSlotBytes(*b, rows, plan.scoreCols, pass, shape, params));
    return std::nullopt;
  };
  if (auto m = misfit(minRows))
    return tooSmall(m->first,
                    "one block row (" + Twine(minRows) +
                        " query rows, M=" + Twine(shape.M) + " keys)",
                    m->second, sig);
  if (options.stripRows) {
    if (options.stripRows % bm != 0 && options.stripRows < shape.N)
      return makeError(
          "strip rows " + Twine(options.stripRows) +
          " must be a multiple of the block height bm=" + Twine(bm));
    uint64_t rows = std::min<uint64_t>(options.stripRows, shape.N);
    if (auto m = misfit(rows))
      return tooSmall(m->first, "a strip of " + Twine(rows) + " query rows",
                      m->second, sig);
    plan.stripRows = plan.prepassStripRows = static_cast<uint32_t>(rows);
  } else {
    plan.stripRows = static_cast<uint32_t>(keyTiles ? tileStrip : rowStrip);
    plan.prepassStripRows =
        plan.denseEngine ? 0
                         : static_cast<uint32_t>(
                               rowsFor(plan.scoreCols, StripPass::Prepass));
  }
  // Without head pruning nothing waits for END_H: with whole score rows
  // and K in one slot, each strip runs both phases and keeps its S_int.
  plan.fused = options.fusePhases && !plan.denseEngine && params.tauHQ16 == 0 &&
               !keyTiles && kFits;
  if (plan.fused)
    plan.stripRows = plan.prepassStripRows =
        std::min(plan.stripRows, plan.prepassStripRows);

  // Row groups: enough units for every core when B·H is not a multiple of
  // the core count, never more groups than strips.
  uint64_t strips = ceilDiv(shape.N, plan.stripRows);
  uint64_t units = uint64_t(shape.B) * shape.H;
  uint64_t groups = accel.cores / std::gcd<uint64_t>(accel.cores, units);
  plan.rowGroups =
      static_cast<uint32_t>(std::clamp<uint64_t>(groups, 1, strips));
  uint64_t groupRows = std::min<uint64_t>(
      ceilDiv(strips, plan.rowGroups) * plan.stripRows, shape.N);

  // K and V: resident for a whole unit when all keys fit one slot (phase
  // A needs only Int(K)). In phase B a resident tensor is fetched once with
  // Fetch-Upon-Mask against the unit's block mask, which must then fit a
  // block-mask slot too.
  bool maskFits =
      slotBytesNeeded(Buffer::BlockMask, groupRows, 0, shape, params) <=
      slotCapacity(sig, Buffer::BlockMask);
  if (plan.denseEngine) {
    // Nothing to fetch upon: resident whenever the keys fit.
    plan.kResident = kFits;
    plan.vResident = vFits;
  } else if (plan.fused) {
    plan.kResidentA = plan.kResident = true;
    plan.vResident = vFits;
  } else {
    plan.kResidentA =
        packedBytes(uint64_t(shape.M) * shape.D, params.intBits) <=
        slotCapacity(sig, Buffer::K);
    plan.unitMask = maskFits && (kFits || vFits);
    plan.kResident = plan.unitMask && kFits;
    plan.vResident = plan.unitMask && vFits;
  }
  // With K and V resident (the dense engine's, or topped up by fused
  // units) a unit's strips share one fetch of each: two strips per unit
  // (unless the user chose) let the PE compute one strip while the SE and
  // the softmax unit work on the other, at a unit's start and end too.
  if ((plan.fused || plan.denseEngine) && plan.kResident && plan.vResident &&
      !options.stripRows) {
    uint64_t half = ceilDiv(ceilDiv(groupRows, 2), bm) * bm;
    if (half < plan.stripRows) {
      plan.stripRows = static_cast<uint32_t>(half);
      if (plan.fused)
        plan.prepassStripRows = plan.stripRows;
    }
  }
  return plan;
}

Expected<Program> buildProgram(const AttentionShape &shape,
                               const ref::AttentionConfig &config,
                               const AccelConfig &accel,
                               const BuildOptions &options) {
  if (std::string why = config.validate(); !why.empty())
    return makeError("invalid attention configuration: " + why);
  if (std::string why = accel.validate(); !why.empty())
    return makeError("invalid accelerator configuration: " + why);
  const uint32_t dims[6] = {shape.B, shape.H, shape.N,
                            shape.M, shape.D, shape.Dv};
  const char *names[6] = {"B", "H", "N", "M", "D", "Dv"};
  for (unsigned i = 0; i < 6; ++i)
    if (dims[i] < 1)
      return makeError(Twine("shape: ") + names[i] + " must be >= 1");
  if (shape.B > 65535 || shape.H > 65535)
    return makeError("shape: B and H must be at most 65535 (got B=" +
                     Twine(shape.B) + ", H=" + Twine(shape.H) + ")");
  if (config.blockRows > 65535 || config.blockCols > 65535)
    return makeError("block dimensions must be at most 65535");

  Program program;
  program.accel = AccelSignature::of(accel);
  program.attention = AttentionParams::from(config, shape.D);
  program.shape = shape;
  Expected<TilePlan> plan = planTiles(shape, program.attention, accel, options);
  if (!plan)
    return plan.takeError();

  // Units of one batch item: (head, row group), round robin over cores.
  const uint32_t strips =
      static_cast<uint32_t>(ceilDiv(shape.N, plan->stripRows));
  std::vector<WorkUnit> units;
  for (uint32_t h = 0; h < shape.H; ++h)
    for (uint32_t g = 0; g < plan->rowGroups; ++g) {
      uint64_t s0 = uint64_t(strips) * g / plan->rowGroups;
      uint64_t s1 = uint64_t(strips) * (g + 1) / plan->rowGroups;
      uint64_t r0 = s0 * plan->stripRows;
      uint64_t r1 = std::min<uint64_t>(s1 * plan->stripRows, shape.N);
      if (r0 < r1)
        units.push_back({static_cast<uint16_t>(h), static_cast<uint32_t>(r0),
                         static_cast<uint32_t>(r1)});
    }
  std::vector<std::vector<WorkUnit>> unitsOfCore(accel.cores);
  for (size_t u = 0; u < units.size(); ++u)
    unitsOfCore[u % accel.cores].push_back(units[u]);

  // Refuse programs too large to hold: a rough count of the commands the
  // loops below emit, before emitting any.
  {
    double strips =
        std::ceil(double(shape.N) / plan->stripRows) +
        (plan->denseEngine
             ? 0.0
             : std::ceil(double(shape.N) / plan->prepassStripRows)) +
        2.0 * double(plan->rowGroups);
    double tilesPerStrip = std::ceil(double(shape.M) / plan->scoreCols);
    double perStrip = 16 + 3.0 * std::ceil(double(shape.M) / plan->kChunk) +
                      2.0 * std::ceil(double(shape.M) / plan->vChunk) +
                      6.0 * tilesPerStrip;
    double estimate = double(shape.B) * shape.H * strips * perStrip +
                      double(shape.B) * (2.0 * accel.cores + 1);
    if (estimate > double(kMaxCommands))
      // Capped before the conversion, which is undefined beyond 2^64.
      return makeError("this attention would need about " +
                       Twine(static_cast<uint64_t>(std::min(estimate, 1e19))) +
                       " commands; at most " + Twine(kMaxCommands) +
                       " are supported (use a configuration with larger "
                       "buffers)");
  }
  Emitter emitter(program, *plan);
  if (plan->fused) {
    // No command waits for the heads (all are kept): their decision, for
    // θ_H and the head mask, comes last.
    for (uint32_t b = 0; b < shape.B; ++b)
      for (uint32_t core = 0; core < accel.cores; ++core)
        emitter.emitFusedUnits(static_cast<uint8_t>(core),
                               static_cast<uint16_t>(b), unitsOfCore[core]);
    for (uint32_t b = 0; b < shape.B; ++b)
      emitter.emitHeadDecision(static_cast<uint16_t>(b));
  }
  for (uint32_t b = 0; b < shape.B && !plan->fused; ++b) {
    const uint16_t batch = static_cast<uint16_t>(b);
    if (!plan->denseEngine) {
      for (size_t u = 0; u < units.size(); ++u)
        emitter.emitPhaseA(static_cast<uint8_t>(u % accel.cores), batch,
                           units[u]);
      emitter.emitHeadDecision(batch);
    }
    for (uint32_t core = 0; core < accel.cores; ++core)
      emitter.emitScoreUnits(static_cast<uint8_t>(core), batch,
                             unitsOfCore[core], !plan->denseEngine);
  }
  if (std::optional<ProgramProblem> problem = checkProgram(program))
    return makeError("internal error: the builder produced an invalid "
                     "command #" +
                     Twine(problem->commandIndex) + ": " + problem->message);
  return program;
}

} // namespace hdp::accel
