//===- StreamBuilder.h - Compile an attention to a command stream -*- C++
//-*-===//
//
// Builds the command stream of one HDP attention for one accelerator: the
// one place the accelerator's tiling and scheduling live. hdp-sim --compile
// and the MLIR pass hdp-lower-to-accel both call buildProgram(), so they emit
// the same stream.
//
// The dataflow (docs/accelerator.md, "Dataflow"):
//
//   * Work is cut into units (batch item, head, group of query rows); unit u
//     runs on core u mod cores. Row groups exist only to give every core work
//     when B·H is not a multiple of the core count.
//   * Phase A, per unit and strip of R query rows: load Int(Q), stream Int(K),
//     PE S_int tiles, SE θ accumulation, END_R (block masks, θ_H partial
//     sums), store the strip's block mask.
//   * Barrier per batch item, END_H (head decisions), store θ_H / head mask.
//   * Phase B, per unit, predicated on the head being kept: fetch K (both
//     planes) and V with Fetch-Upon-Mask, PE scores of kept blocks, softmax,
//     P·V over kept blocks, store the output strip.
//   * K (and, separately, V) stays resident for a whole unit when all its
//     keys fit a slot; otherwise it is streamed per strip in chunks. Every
//     buffer has two slots that alternate, so loads overlap compute (double
//     buffering).
//   * Without head pruning (τ_H = 0), with whole score rows and K in one
//     slot, the phases run fused strip by strip: pe.frac adds the fraction
//     passes to the strip's S_int (FlagFromInt), Frac(K) and a resident V
//     are topped up with each strip's kept keys (FlagTopUp), and the head
//     decision (for θ_H and the head mask) comes last.
//   * The dense engine (policy = dense, τ_H = 0; BuildOptions::engine) has
//     phase B only, without predicates, block masks or Fetch-Upon-Mask:
//     per strip, pe.frac with FlagDense scores every key as the full
//     fixed-point product, softmax, pe.pv over every key, store.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_ISA_STREAMBUILDER_H
#define HDP_ISA_STREAMBUILDER_H

#include "hdp/ISA/AccelConfig.h"
#include "hdp/ISA/Program.h"
#include "hdp/Reference/Reference.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace hdp::accel {

/// The engine an attention is compiled for.
enum class Engine {
  /// The dense engine for policy = dense without head pruning (τ_H = 0),
  /// the HDP engine otherwise.
  Auto,
  /// Integer pre-pass, sparsity engine, Fetch-Upon-Mask. With policy = dense
  /// this is "HDP with pruning off" (every valid block kept).
  Hdp,
  /// A dense attention engine on the same resources: no integer pre-pass,
  /// no sparsity engine, no block or head masks; every score computed once
  /// as the full fixed-point product. Needs policy = dense and τ_H = 0.
  Dense,
};

/// How a strip's scores are held in the score slots.
enum class ScoreTiling {
  /// Key tiles when they allow taller strips while K or V is streamed
  /// (fewer re-reads), whole rows otherwise.
  Auto,
  /// Whole rows: the score slot holds R×M scores; the softmax is the
  /// reference's, bit for bit.
  Rows,
  /// Key tiles of as many keys as a K and a V chunk hold, with an online
  /// softmax (docs/accelerator.md gives its tolerance).
  KeyTiles,
};

/// Choices a user may force; 0 means "let the builder choose".
struct BuildOptions {
  uint32_t stripRows = 0; ///< query rows per strip (a multiple of bm)
  Engine engine = Engine::Auto;
  ScoreTiling scoreTiling = ScoreTiling::Auto;
  /// Run phases A and B strip by strip where the attention allows it
  /// (TilePlan::fused); false keeps them apart.
  bool fusePhases = true;
};

/// The tiling the builder chose.
struct TilePlan {
  uint32_t stripRows = 0; ///< R: query rows per strip (phase B, dense)
  /// Query rows per strip of the prepass (phase A; 0 on the dense engine).
  uint32_t prepassStripRows = 0;
  uint32_t kChunk = 0; ///< keys per K slot load (M when K fits)
  uint32_t vChunk = 0; ///< keys per V slot load (M when V fits)
  /// Key columns of one score slot: M (whole rows) or a key tile.
  uint32_t scoreCols = 0;
  /// Scores in key tiles with an online softmax (scoreCols < M).
  bool keyTiles = false;
  /// Phase B fetches with Fetch-Upon-Mask against the block mask of the
  /// whole unit (held in one slot) rather than strip by strip.
  bool unitMask = false;
  bool kResidentA = false;  ///< Int(K) loaded once per unit in phase A
  bool kResident = false;   ///< K loaded once per unit in phase B
  bool vResident = false;   ///< V loaded once per unit in phase B
  uint32_t rowGroups = 0;   ///< row groups per head
  bool denseEngine = false; ///< compiled for the dense engine
  /// Phases A and B strip by strip (τ_H = 0: no head decision between
  /// them; whole score rows; K fits a slot): pe.frac adds the fraction
  /// passes to the strip's S_int, K and V are topped up with the kept keys
  /// of each strip.
  bool fused = false;
  std::string describe() const;
};

/// Whether `params` compiled with `options` runs on the dense engine; fails
/// when the dense engine is forced for an attention it cannot compute.
llvm::Expected<bool> selectDenseEngine(const AttentionParams &params,
                                       const BuildOptions &options);
/// Whether `program` was built for the dense engine (it has commands with
/// FlagDense).
bool isDenseEngineProgram(const Program &program);

/// Bytes one slot of `buffer` holds on `accel`.
uint64_t slotCapacity(const AccelSignature &accel, Buffer buffer);
/// Bytes a slot of `buffer` needs (V elements of `vElementBytes`: the
/// configuration's precision.v) for `rows` query rows (Q, Mask, Score,
/// Theta, BlockMask, Out) and `keys` keys (K, V, Mask; Score: a key tile of
/// `keys` columns, or all M when 0).
uint64_t slotBytesNeeded(Buffer buffer, uint64_t rows, uint64_t keys,
                         const AttentionShape &shape,
                         const AttentionParams &params,
                         unsigned vElementBytes = 4);
/// Bytes of one θ accumulator: 2 when every block's |θ| fits 15 bits, 4
/// when it fits 31 bits, else 8.
uint64_t thetaBytes(const AttentionShape &shape, const AttentionParams &params);
/// Bytes of one S_int element in SRAM: 2 when |S_int| <= D·2^(2(I-1))
/// fits 15 bits, else 4. (Score slots are sized for the 4-byte scores that
/// replace S_int in place.)
uint64_t sIntBytes(const AttentionShape &shape, const AttentionParams &params);
/// Bytes of `count` elements of `bits` bits each, rounded up.
inline uint64_t packedBytes(uint64_t count, uint64_t bits) {
  return (count * bits + 7) / 8;
}

/// Chooses the tiling; fails with a message naming the configuration key
/// whose buffer is too small when even the smallest tiles do not fit.
llvm::Expected<TilePlan> planTiles(const AttentionShape &shape,
                                   const AttentionParams &params,
                                   const AccelConfig &accel,
                                   const BuildOptions &options = {});

/// Builds the program. `config` must be valid; shape dimensions >= 1.
llvm::Expected<Program> buildProgram(const AttentionShape &shape,
                                     const ref::AttentionConfig &config,
                                     const AccelConfig &accel,
                                     const BuildOptions &options = {});

} // namespace hdp::accel

#endif // HDP_ISA_STREAMBUILDER_H
