//===- KernelBuilder.h - IR vocabulary of the hdp loop kernels --*- C++ -*-===//
//
// What the hdp-lower-to-loops patterns build their kernels from: constants,
// loops and conditionals at one location (LoopEmitter), the broadcasting
// read of an additive mask, and the integer dot-product and outer-product
// kernels. Integer sums are exact, so every kernel gives the reference's
// integers whatever its order or accumulator width.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_LIB_DIALECT_HDP_TRANSFORMS_LOWERTOLOOPS_KERNELBUILDER_H
#define HDP_LIB_DIALECT_HDP_TRANSFORMS_LOWERTOLOOPS_KERNELBUILDER_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>
#include <utility>

namespace hdp::loops {

/// Small IR-building vocabulary shared by the lowerings: constants, dims,
/// loops with and without loop-carried values, and conditionals, all at one
/// location. Every loop creates its own step constant where it starts, so
/// this is not scf::buildLoopNest, which shares one.
class LoopEmitter {
public:
  LoopEmitter(mlir::OpBuilder &b, mlir::Location loc) : b(loc, b) {}

  mlir::OpBuilder &builder() { return b; }
  mlir::Location location() { return b.getLoc(); }

  mlir::Value index(int64_t v);
  mlir::Value i64(int64_t v);
  mlir::Value i128(int64_t v);
  mlir::Value f32(float v);
  mlir::Value boolean(bool v);

  /// Size of dimension `d` of a memref, as an index.
  mlir::Value dim(mlir::Value memref, int64_t d);

  mlir::Value load(mlir::Value memref, mlir::ValueRange ivs);
  void store(mlir::Value value, mlir::Value memref, mlir::ValueRange ivs);

  /// for (iv = lb; iv < ub; ++iv) body(iv)
  void loop(mlir::Value lb, mlir::Value ub,
            llvm::function_ref<void(mlir::Value)> body);
  void loop(mlir::Value ub, llvm::function_ref<void(mlir::Value)> body) {
    loop(index(0), ub, body);
  }

  /// The same loop, marked kParallelLoopAttrName: the caller promises that
  /// its iterations are independent (disjoint writes, no shared scratch).
  void parallelLoop(mlir::Value lb, mlir::Value ub,
                    llvm::function_ref<void(mlir::Value)> body,
                    int64_t step = 1);

  /// for (iv = lb; iv < ub; iv += step) acc = body(iv, acc); returns acc.
  llvm::SmallVector<mlir::Value>
  loopAcc(mlir::Value lb, mlir::Value ub, mlir::ValueRange init,
          llvm::function_ref<llvm::SmallVector<mlir::Value>(mlir::Value,
                                                            mlir::ValueRange)>
              body,
          int64_t step = 1);

  /// if (cond) thenBody() else elseBody(), no results.
  void ifThenElse(mlir::Value cond, llvm::function_ref<void()> thenBody,
                  llvm::function_ref<void()> elseBody = nullptr);

  /// if (cond) yield thenBody() else yield elseBody().
  llvm::SmallVector<mlir::Value> ifThenElseValues(
      mlir::Value cond,
      llvm::function_ref<llvm::SmallVector<mlir::Value>()> thenBody,
      llvm::function_ref<llvm::SmallVector<mlir::Value>()> elseBody);

  /// Index arithmetic.
  mlir::Value minIndex(mlir::Value x, mlir::Value y);
  mlir::Value mulIndex(mlir::Value x, int64_t c);
  mlir::Value addIndex(mlir::Value x, mlir::Value y);
  mlir::Value ceilDiv(mlir::Value x, int64_t c);
  mlir::Value divIndex(mlir::Value x, int64_t c);

  /// Sign-extends (or truncates, or keeps) an integer to `width` bits.
  mlir::Value sext(mlir::Value v, unsigned width);
  mlir::Value truncTo(mlir::Value v, mlir::Type type);

private:
  /// for (iv = lb; iv < ub; iv += step) body(iv); returns the scf.for.
  mlir::Operation *forLoop(mlir::Value lb, mlir::Value ub, int64_t step,
                           llvm::function_ref<void(mlir::Value)> body);

  mlir::ImplicitLocOpBuilder b;
};

/// Reads the additive mask at (b, h, i, j) of the [B,H,N,M] score matrix,
/// broadcasting by numpy rules: a mask dimension of size 1 reads index 0.
class MaskReader {
public:
  MaskReader(LoopEmitter &e, mlir::Value mask) : e(e), mask(mask) {}

  explicit operator bool() const { return static_cast<bool>(mask); }

  mlir::Value read(mlir::ValueRange bhij);

  /// mask ≤ -10000 removes the element.
  mlir::Value isRemoved(mlir::Value value);

private:
  LoopEmitter &e;
  mlir::Value mask;
};

/// P·V of `numRows` output rows over the kept blocks of their block row:
/// `list[0 .. count)` holds the kept block columns (bn keys each, the last
/// cut by M). Returns one vector (`rowType`, Dv lanes) per row: Σ over the
/// listed keys j, in ascending order, of probAt(r, k, j0, j)·V[bh..., j]
/// (k the list entry, j0 its first key), with a separate mul and add: the
/// reference's roundings. Each V row is loaded once for all the rows.
llvm::SmallVector<mlir::Value>
emitKeptRowsPV(LoopEmitter &e, mlir::Value value, mlir::ValueRange bh,
               mlir::Value list, mlir::Value count, int64_t bn, mlir::Value M,
               int64_t numRows, mlir::VectorType rowType,
               llvm::function_ref<mlir::Value(int64_t, mlir::Value, mlir::Value,
                                              mlir::Value)>
                   probAt);

/// `lanes` consecutive elements of an i1 memref along its last dimension,
/// from memref[ivs], as vector<lanes x i1>. An i1 memref holds one byte per
/// element, which vector.load would read as packed bits: the bytes are
/// loaded through the element's address instead.
mlir::Value loadBoolLanes(LoopEmitter &e, mlir::Value memref,
                          mlir::ValueRange ivs, int64_t lanes);

/// Stores vector<L x i1> `lanes` into memref[ivs...] and the L - 1 elements
/// after it along the last dimension, one byte each.
void storeBoolLanes(LoopEmitter &e, mlir::Value lanes, mlir::Value memref,
                    mlir::ValueRange ivs);

/// Lanes of the kept-block lists built with AVX-512 compress.
constexpr int64_t kListLanes = 16;

/// A buffer (i32) for a list of at most `n` block columns.
mlir::Value allocKeptList(LoopEmitter &e, mlir::Value n);

/// Lists the columns c < count with mask[prefix..., c] set into list[0..)
/// (ascending) and returns how many there are (index). With `compress`
/// (AVX-512F), kListLanes mask bytes at a time through vpcompressd; else
/// one column at a time with a branch-free running count.
mlir::Value emitKeptList(LoopEmitter &e, mlir::Value mask,
                         mlir::ValueRange prefix, mlir::Value count,
                         mlir::Value list, bool compress);

/// list[k] as an index.
mlir::Value loadListEntry(LoopEmitter &e, mlir::Value list, mlir::Value k);

/// Whether every operand of `op` is a memref (the patterns lower stage ops
/// after bufferization only).
bool hasPureBufferSemantics(mlir::Operation *op);

/// Lanes of the vectorised reductions along D (and Dv): 16 x i32 or f32 is
/// one AVX-512 register or two AVX2 registers; LLVM legalises it for any
/// x86-64.
constexpr int64_t kLanes = 16;

/// One side of a dot product: memref[prefix..., d].
struct DotOperand {
  mlir::Value memref;
  llvm::SmallVector<mlir::Value> prefix; // indices before d
};

/// Σ over `pairs` of Σ_d ext(a[aIdx.., d])·ext(b[bIdx.., d]) in an integer of
/// `accWidth` bits. Vectorised along d when D is static (the memrefs'
/// innermost dimension is contiguous after bufferization); the tail and
/// dynamic D use scalar loops. Integer sums are exact, so the order of the
/// additions does not matter.
mlir::Value emitDotSum(LoopEmitter &e,
                       llvm::ArrayRef<std::pair<DotOperand, DotOperand>> pairs,
                       mlir::Value D, int64_t staticD, unsigned accWidth);

/// Whether Σ_d over `terms` products each bounded by 2^productBits fits i32.
bool fitsI32(int64_t staticD, int64_t terms, int64_t productBits);

//===----------------------------------------------------------------------===//
// Register-blocked integer kernels
//
// Q·Kᵀ tiles of kTileRows query rows × VL keys are computed as outer
// products: per d, one vector of VL keys from a transposed copy Kᵀ[d][j]
// of the K operand times a broadcast Q scalar per row, accumulated in
// vectors of i16 (when D·max|product| < 2^15) or i32. Integer sums are
// exact, so any order and any (sufficiently wide) accumulator gives the same
// integers as the reference. No horizontal reductions are needed; LLVM
// legalises the generic vector ops for any x86-64.
//===----------------------------------------------------------------------===//

constexpr int64_t kTileRows = 4;

/// Width (16 or 32) of an accumulator holding Σ_d of `terms` products each
/// of magnitude ≤ maxProduct, 0 when i32 is not enough or D is dynamic.
unsigned accumulatorWidth(int64_t staticD, int64_t terms, int64_t maxProduct);

/// 512 bits of accumulators per row: 32 × i16 or 16 × i32.
int64_t lanesFor(unsigned width);

/// A constant vector of `type` with every lane `value`.
mlir::Value splat(LoopEmitter &e, mlir::VectorType type, mlir::Attribute value);

/// kT[d, j] = k[prefix..., j, d] for j < M, d < D.
void emitTranspose(LoopEmitter &e, mlir::Value k, mlir::ValueRange prefix,
                   mlir::Value kT, mlir::Value M, mlir::Value D);

/// A [D, M] buffer for a transposed K operand.
mlir::Value allocTransposed(LoopEmitter &e, mlir::Value k);

/// One product term: Q operand (rows read as scalars at
/// qPrefix..., row, d), a transposed K operand, and the accumulator it adds
/// into.
struct OuterTerm {
  mlir::Value q;
  llvm::SmallVector<mlir::Value> qPrefix;
  mlir::Value kT;
  unsigned acc;
};

/// Returns accs[acc * kTileRows + r] = Σ_d over the terms of acc of
/// q[row0 + r, d] · kT[d, j0 .. j0+VL) as vector<VL x accElt>.
llvm::SmallVector<mlir::Value>
emitOuterProducts(LoopEmitter &e, llvm::ArrayRef<OuterTerm> terms,
                  unsigned numAcc, int64_t VL, mlir::Type accElt,
                  mlir::Value row0, mlir::Value j0, mlir::Value D);

//===----------------------------------------------------------------------===//
// VNNI integer kernels
//
// The same outer products with x86 VNNI dot products (vpdpbusd: 4 adjacent
// u8·s8 products summed into each i32 lane) on AVX-512 (16 lanes) or
// AVX-VNNI (8 lanes). The K operand is packed so that the 4 values of d..d+3
// of key j are adjacent, tile by tile of W keys (the keys one kernel call
// reads): kP[j/W, d/4, 4(j%W) + d%4] = k[j, d] (s8), so that the kernel
// walks a tile's bytes in order. The Q operand,
// 4 values of one row broadcast, is the u8 side: hi parts are offset by
// 2^(I-1) to be non-negative, and the offset's share, 2^(I-1)·Σ_d k[j, d],
// is subtracted per key from column sums taken while packing. Exact
// integers, so the same results as the generic kernels.
//===----------------------------------------------------------------------===//

enum class IntKernels { Generic, Avx512Vnni, AvxVnni };

/// Parses "generic", "avx512-vnni", "avx-vnni".
std::optional<IntKernels> parseIntKernels(llvm::StringRef name);

/// i32 lanes of one dot product: 16 (AVX-512), 8 (AVX-VNNI).
int64_t vnniLanes(IntKernels kernels);

/// Whether the VNNI kernels apply: chosen, static D a multiple of 4, hi
/// parts (I bits) fitting u8 once offset and fraction parts (F bits) s8.
bool useVnni(IntKernels kernels, int64_t staticD, int64_t intBits,
             int64_t fracBits);

/// A K operand packed for VNNI, with its per-key sums.
struct PackedKey {
  mlir::Value packed;   // [M/W, D/4, 4W] i8 (the keys of whole tiles)
  mlir::Value sums;     // [M] i32: Σ_d k[j, d]
  int64_t tileKeys = 0; // W
};

/// The shape of K (memref[..., M, D]) packed in tiles of `tileKeys` keys.
llvm::SmallVector<mlir::Value> packedSizes(LoopEmitter &e, mlir::Value k,
                                           int64_t tileKeys);

/// Buffers for k (memref[..., M, D]) packed in tiles of `tileKeys` keys.
PackedKey allocPacked(LoopEmitter &e, mlir::Value k, int64_t tileKeys);
void deallocPacked(LoopEmitter &e, const PackedKey &p);

/// Packs k[prefix..., j, d] for the j of whole tiles, d < D (D % 4 == 0),
/// and sums it for every j < M.
void emitPack(LoopEmitter &e, mlir::Value k, mlir::ValueRange prefix,
              const PackedKey &p, mlir::Value M, mlir::Value D);

/// One product term of the VNNI kernel: the Q operand (rows read at
/// qPrefix..., row, d) plus `qOffset` (0 or 2^(I-1)), a packed K operand and
/// the accumulator it adds into.
struct VnniTerm {
  mlir::Value q;
  llvm::SmallVector<mlir::Value> qPrefix;
  int64_t qOffset;
  PackedKey k;
  unsigned acc;
  /// Whether q already holds the values plus qOffset (a u8 copy made once),
  /// so that the kernel broadcasts them straight from memory.
  bool qOffsetApplied = false;
};

/// Returns accs[acc * kTileRows + r] = Σ_d over the terms of acc of
/// q[row0 + r, d] · k[j0 .. j0+W, d] as vector<W x i32>, W = colVecs ·
/// vnniLanes(kernels): colVecs dot-product vectors per row share each
/// broadcast Q value.
llvm::SmallVector<mlir::Value>
emitVnniOuterProducts(LoopEmitter &e, llvm::ArrayRef<VnniTerm> terms,
                      unsigned numAcc, IntKernels kernels, mlir::Value row0,
                      mlir::Value j0, mlir::Value D, int64_t colVecs = 1);

} // namespace hdp::loops

#endif // HDP_LIB_DIALECT_HDP_TRANSFORMS_LOWERTOLOOPS_KERNELBUILDER_H
