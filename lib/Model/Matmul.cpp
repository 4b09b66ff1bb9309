//===- Matmul.cpp - The dense layers of the model runners -----------------===//
//
// See Matmul.h. The inner loop runs over outputs with one accumulator each,
// which vectorises without reordering any output's sum; rows go four at a
// time so that each weight row loaded serves four rows of x (the weights of
// a layer do not fit in the first cache levels, so this is what bounds the
// speed).
//
//===----------------------------------------------------------------------===//

#include "hdp/Model/Matmul.h"

#include <algorithm>

namespace hdp::model {

void matmul(const float *x, int64_t rows, const float *wT, int64_t in,
            int64_t outDim, float *out) {
  constexpr int64_t kRows = 4;
  int64_t t = 0;
  for (; t + kRows <= rows; t += kRows) {
    const float *x0 = x + t * in, *x1 = x0 + in, *x2 = x1 + in, *x3 = x2 + in;
    float *o0 = out + t * outDim, *o1 = o0 + outDim, *o2 = o1 + outDim,
          *o3 = o2 + outDim;
    std::fill(o0, o0 + kRows * outDim, 0.0f);
    for (int64_t i = 0; i < in; ++i) {
      const float a = x0[i], b = x1[i], c = x2[i], d = x3[i];
      const float *wi = wT + i * outDim;
      for (int64_t o = 0; o < outDim; ++o) {
        const float w = wi[o];
        o0[o] += w * a;
        o1[o] += w * b;
        o2[o] += w * c;
        o3[o] += w * d;
      }
    }
  }
  for (; t < rows; ++t) {
    const float *xt = x + t * in;
    float *ot = out + t * outDim;
    std::fill(ot, ot + outDim, 0.0f);
    for (int64_t i = 0; i < in; ++i) {
      const float xi = xt[i];
      const float *wi = wT + i * outDim;
      for (int64_t o = 0; o < outDim; ++o)
        ot[o] += wi[o] * xi;
    }
  }
}

std::vector<float> transpose(const std::vector<float> &w, int64_t out,
                             int64_t in) {
  std::vector<float> t(w.size());
  for (int64_t o = 0; o < out; ++o)
    for (int64_t i = 0; i < in; ++i)
      t[i * out + o] = w[o * in + i];
  return t;
}

} // namespace hdp::model
