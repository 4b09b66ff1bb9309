//===- Machine.h - Functional state of the simulated co-processor -*- C++
//-*-===//
//
// Private to HDPSim. The Machine holds simulated DRAM and every SRAM buffer
// slot of every core, executes one command at a time on them, and reports
// what the command did (bytes moved, tiles computed, ...) as an Effect, from
// which Simulator.cpp derives cycles.
//
// Slots carry a tag (batch item, head, rows or keys) so that a command that
// reads data its slot does not hold is an error rather than a silent wrong
// answer: hand-written streams are checked as thoroughly as built ones.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_LIB_SIM_MACHINE_H
#define HDP_LIB_SIM_MACHINE_H

#include "hdp/Sim/MaskEncoding.h"
#include "hdp/Sim/Simulator.h"

#include <array>
#include <optional>
#include <vector>

namespace hdp::sim::detail {

/// What one command did, for the timing model and the statistics.
struct Effect {
  bool skipped = false;    ///< predicated off (pruned head)
  uint64_t unitCycles = 0; ///< busy cycles of a compute unit
  uint64_t dramBytes = 0;  ///< DMA: bytes on the DRAM channel (bursts)
  uint64_t savedFum = 0;   ///< DMA: bytes Fetch-Upon-Mask did not fetch
  uint64_t savedHead = 0;  ///< DMA: bytes a pruned head did not move
  uint64_t sramRead = 0, sramWrite = 0;
  uint64_t intMacs = 0, pvMacs = 0, seOps = 0, softmaxElements = 0;
  /// The first key column the touched score slot holds: its columns are
  /// stored from there (a key tile reuses the storage of the one before).
  uint32_t scoreWindowLo = 0;
};

/// Which data a slot holds.
struct Tag {
  bool valid = false;
  uint16_t b = 0, h = 0;
  uint32_t start = 0, count = 0; ///< query rows, or keys for K and V

  bool holds(uint16_t bb, uint16_t hh, uint64_t s, uint64_t n) const {
    return valid && b == bb && h == hh && s >= start &&
           s + n <= uint64_t(start) + count;
  }
  bool is(uint16_t bb, uint16_t hh, uint32_t s, uint32_t n) const {
    return valid && b == bb && h == hh && s == start && n == count;
  }
};

struct QSlot {
  Tag tag;
  bool hasInt = false, hasFrac = false;
  std::vector<int16_t> hi, lo, raw; ///< [rows x D]
};
struct KSlot {
  Tag tag;                                      ///< keys
  std::vector<uint8_t> fetchedInt, fetchedFrac; ///< per key
  std::vector<int16_t> hi, lo, raw;             ///< [keys x D]
};
struct VSlot {
  Tag tag;                      ///< keys
  std::vector<uint8_t> fetched; ///< per key
  std::vector<float> data;      ///< [keys x Dv]
};
struct MaskSlot {
  Tag tag; ///< rows
  uint32_t col0 = 0, cols = 0;
  std::vector<float> data; ///< [rows x cols]
};
struct ScoreSlot {
  /// Probs: normalised probabilities of whole rows. Weights: one key tile of
  /// an online softmax, exp(s - running max) with the rows' rescale factors
  /// (and, for the last tile, their sums).
  enum class Kind { Empty, SInt, Scores, Probs, Weights };
  Tag tag; ///< rows of the strip
  Kind kind = Kind::Empty;
  std::vector<int64_t> sInt;    ///< [rows x M]
  std::vector<float> values;    ///< [rows x M], scores then probabilities
  std::vector<uint8_t> written; ///< per column
  /// S_int columns an se.acc has read (a pe.int after all are read starts a
  /// new window of columns).
  std::vector<uint8_t> consumed;
  /// Columns written since the slot was last started, [windowLo, windowHi):
  /// rows x window x 4 bytes must fit the slot.
  uint32_t windowLo = 0, windowHi = 0;
  // Weights only: the tile, and per row the factor the P·V accumulators are
  // multiplied by before this tile, the sum (exact) or its reciprocal (poly)
  // after the last tile, and whether the tile is the last.
  uint32_t tileCol0 = 0, tileCols = 0;
  std::vector<float> rescale, norm;
  bool lastTile = false;
  /// Per block row of the strip x MB: pe.frac scored an element of the
  /// block that the mask does not remove (what the dense engine's P·V
  /// accumulates).
  std::vector<uint8_t> live;
};
struct ThetaSlot {
  Tag tag;                      ///< rows (block aligned)
  std::vector<int64_t> theta;   ///< [block rows x MB], the block ranking
  std::vector<uint8_t> valid;   ///< [block rows x MB]
  int64_t magnitude = 0;        ///< Σ|S_int| of the rows (signed ranking)
  std::vector<uint8_t> covered; ///< per column
};
struct BlockMaskSlot {
  Tag tag; ///< rows (block aligned)
  uint32_t blockRow0 = 0, blockRows = 0;
  std::vector<uint8_t> keep; ///< [block rows x MB]
};
struct OutSlot {
  Tag tag;                 ///< rows
  std::vector<float> data; ///< [rows x Dv]
};

/// The softmax unit's running statistics of the rows it is streaming
/// (online softmax over key tiles): 8 bytes per row in the unit.
struct SoftmaxRows {
  Tag tag; ///< rows
  bool open = false;
  uint32_t nextCol = 0; ///< the next tile starts here (tiles go in order)
  std::vector<float> max, sum;
  std::vector<uint8_t> seen; ///< a finite score was seen
};

struct CoreBuffers {
  std::array<QSlot, accel::kSlotsPerBuffer> q;
  std::array<KSlot, accel::kSlotsPerBuffer> k;
  std::array<VSlot, accel::kSlotsPerBuffer> v;
  std::array<MaskSlot, accel::kSlotsPerBuffer> mask;
  std::array<ScoreSlot, accel::kSlotsPerBuffer> score;
  std::array<ThetaSlot, accel::kSlotsPerBuffer> theta;
  std::array<BlockMaskSlot, accel::kSlotsPerBuffer> blockMask;
  std::array<OutSlot, accel::kSlotsPerBuffer> out;
  SoftmaxRows softmaxRows;
};

class Machine {
public:
  Machine(const accel::Program &program, const accel::AccelConfig &config,
          const Inputs &inputs);

  /// Executes `cmd` (already statically valid). A command with FlagHeadPred
  /// whose head was pruned does nothing and sets effect.skipped. The error
  /// message says what was wrong, without naming the command.
  llvm::Error execute(const accel::Command &cmd, Effect &effect);

  /// The first key column held by the score slot `c` names (0 if none):
  /// where its columns are stored, before `c` runs.
  uint32_t scoreWindowLo(const accel::Command &c) const;

  /// Whether SE_END_H ran for batch item `b` (on any core).
  bool headDecided(uint32_t b) const { return decided[b]; }

  /// The results in simulated DRAM.
  Outputs outputs() const;
  uint64_t blocksValid() const { return validBlocks; }
  /// Blocks the dense engine scored with an element the mask leaves: its
  /// valid blocks, all of them kept.
  uint64_t blocksDenseLive() const { return denseLiveBlocks; }

private:
  // The functional model of each command (Commands.def names them).
#define HDP_COMMAND(Name, Code, Text, Unit, AllowedFlags, Handler)             \
  llvm::Error Handler(const accel::Command &c, Effect &e);
#include "hdp/ISA/Commands.def"

  /// The block-mask slot operand of `c` (slot index `slotIndex`), checked to
  /// hold the block rows of the command's query rows.
  llvm::Expected<const BlockMaskSlot *> maskSlotFor(const accel::Command &c,
                                                    unsigned slotIndex) const;
  /// The same for a PE command, or null for the dense engine's (which has
  /// no block mask: every key is kept).
  llvm::Expected<const BlockMaskSlot *> keptBlocksFor(const accel::Command &c,
                                                      unsigned slotIndex) const;
  /// Keys of [c.col0, c.col0+c.cols) in blocks kept for some query row of
  /// [r0, r0+rn), counted per row tile; drives the PE and DMA costs.
  uint64_t keptKeysInRows(const BlockMaskSlot &m, uint64_t r0, uint64_t rn,
                          uint32_t col0, uint32_t cols) const;
  uint64_t burstRound(uint64_t bytes) const;
  /// Marks columns [col0, col0+cols) of score slot `s` written, growing its
  /// window; fails when rows x window no longer fit the slot.
  llvm::Error growWindow(ScoreSlot &s, uint32_t rows, uint32_t col0,
                         uint32_t cols, unsigned slotIndex) const;

  // Program constants.
  const accel::AccelConfig &config;
  const accel::AttentionShape &shape;
  const accel::AttentionParams &params;
  uint32_t numBlockRows, numBlockCols;
  bool intDotFits32, rawDotFits32;

  // Simulated DRAM.
  std::vector<int16_t> qHi, qLo, qRaw; ///< [B,H,N,D]
  std::vector<int16_t> kHi, kLo, kRaw; ///< [B,H,M,D]
  const ref::Tensor<float> *vTensor;
  const ref::Tensor<float> *maskTensor;  ///< null without a mask
  std::array<uint64_t, 4> maskStrides{}; ///< 0 for broadcast dimensions
  /// The mask as the host stored it, in a bit or length form.
  std::optional<EncodedMask> encodedMask;
  /// DRAM bytes (before burst rounding) of a mask load of `c`'s tile.
  uint64_t maskLoadBytesOf(const accel::Command &c) const;
  std::vector<uint8_t> blockMaskDram,
      blockMaskWritten;       ///< [B,H,NB,MB], [B,H,NB]
  std::vector<float> outDram; ///< [B,H,N,Dv]
  std::vector<int64_t> thetaHDram;
  std::vector<uint8_t> headMaskDram, headTableWritten; ///< [B,H], [B]

  // The SE's head table, shared by the cores.
  std::vector<int64_t> thetaH;   ///< [B,H], partial sums from END_R
  std::vector<uint8_t> headKeep; ///< [B,H]
  std::vector<uint8_t> decided;  ///< [B]
  uint64_t validBlocks = 0;
  uint64_t denseLiveBlocks = 0;

  std::vector<CoreBuffers> cores;
};

} // namespace hdp::sim::detail

#endif // HDP_LIB_SIM_MACHINE_H
