//===- Matmul.h - The dense layers of the model runners ---------*- C++ -*-===//
//
// The matrix products of the decoder and the encoder. Every output is summed
// in increasing input index, so results do not depend on how many rows are
// multiplied at once (a batch gives the same numbers as one row at a time)
// and the decoder reproduces llama2.c's run.c.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_MODEL_MATMUL_H
#define HDP_MODEL_MATMUL_H

#include <cstdint>
#include <vector>

namespace hdp::model {

/// out[t][o] = Σ_i w[o][i]·x[t][i] for t < rows, summed in increasing i.
/// `wT` is w transposed ([in][outDim]).
void matmul(const float *x, int64_t rows, const float *wT, int64_t in,
            int64_t outDim, float *out);

/// w [out][in] transposed to [in][out].
std::vector<float> transpose(const std::vector<float> &w, int64_t out,
                             int64_t in);

} // namespace hdp::model

#endif // HDP_MODEL_MATMUL_H
