//===- Calibration.h - Per-layer fixed-point shift calibration --*- C++ -*-===//
//
// hdp quantizes Q and K to I+F-bit fixed point after a power-of-two
// pre-scale 2^shift. The right shift depends on the activations: the
// tinystories-260K model has Q/K values up to ~40 (median ~2), so with the
// default I = 4 (codes for [-8, 8)) and shift 0 about 10% of the values
// saturate and the scores are wrong before anything is pruned.
//
// Calibration runs the dense model over a calibration text, records every
// layer's attention inputs (after RoPE) and, for each layer, picks the shift
// that minimises the error of the attention scores computed from the
// quantized Q and K exactly as hdp computes kept scores (step 4 of the
// semantics, including the approx choice): for every causal pair (i, j)
// (for the encoder: every pair of a sequence's tokens),
// e = s_hdp(i,j) - s_f32(i,j). Softmax ignores a constant added to a whole
// row, so the error of a row is measured about its mean:
//
//   objective(shift) = Σ_rows Σ_{j<=i} (e_ij - mean_j e_ij)² / #pairs
//
// This balances clamping (too large a shift) against rounding and the
// dropped Frac·Frac term (too small a shift). The clamp rate at the chosen
// shift is reported. Pruning decisions are not part of the objective.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_MODEL_CALIBRATION_H
#define HDP_MODEL_CALIBRATION_H

#include "hdp/Model/Transformer.h"
#include "hdp/Reference/Reference.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace hdp::model {

/// One candidate shift of one layer.
struct ShiftCandidate {
  int64_t shift = 0;
  double clampRate = 0.0; ///< fraction of Q and K values that saturate
  double scoreRmse = 0.0; ///< sqrt(objective)
};

/// The calibration of one layer.
struct LayerCalibration {
  int64_t shift = 0; ///< the chosen shift
  double clampRate = 0.0;
  double scoreRmse = 0.0;
  double maxAbs = 0.0;                    ///< largest |Q| or |K| value seen
  std::vector<ShiftCandidate> candidates; ///< everything that was tried
};

struct Calibration {
  std::vector<LayerCalibration> layers;
  int64_t documents = 0;
  int64_t tokens = 0;

  /// The chosen shifts, one per layer.
  std::vector<int64_t> shifts() const;
};

/// Calibrates the shift of every layer for `config`'s int_bits, frac_bits
/// and approx (its shift is ignored), from the dense model on `documents`.
/// Shifts are searched in [minShift, maxShift] (inside the dialect's
/// -16..16).
llvm::Expected<Calibration>
calibrateShifts(const Transformer &model,
                llvm::ArrayRef<std::vector<int>> documents,
                const ref::AttentionConfig &config, int64_t minShift = -8,
                int64_t maxShift = 8);

/// The calibration of every layer from recorded attention inputs:
/// qs[layer] and ks[layer] hold [1,H,T,D] tensors (one per sequence); all
/// pairs (i, j) are scored, or only j <= i when `causal`. Its documents and
/// tokens are left 0 for the caller to fill.
llvm::Expected<Calibration>
calibrateFromSamples(llvm::ArrayRef<std::vector<ref::Tensor<float>>> qs,
                     llvm::ArrayRef<std::vector<ref::Tensor<float>>> ks,
                     bool causal, const ref::AttentionConfig &config,
                     int64_t minShift = -8, int64_t maxShift = 8);

/// One copy of `config` per layer, with that layer's shift.
std::vector<ref::AttentionConfig> withShifts(const ref::AttentionConfig &config,
                                             llvm::ArrayRef<int64_t> shifts);

/// Parses "a,b,c" (one shift per layer, each in -16..16) for a model with
/// `layers` layers; errors say what was expected.
llvm::Expected<std::vector<int64_t>> parseShifts(llvm::StringRef text,
                                                 int64_t layers);

} // namespace hdp::model

#endif // HDP_MODEL_CALIBRATION_H
