//===- Float16.h - IEEE half and bfloat16 conversions -----------*- C++ -*-===//
//
// The 16-bit floats that model files and .npy arrays hold: IEEE binary16
// ("half", f16) and bfloat16 (the upper half of an f32). Widening to f32 is
// exact; narrowing rounds to nearest even (NaN stays NaN).
//
//===----------------------------------------------------------------------===//

#ifndef HDP_SUPPORT_FLOAT16_H
#define HDP_SUPPORT_FLOAT16_H

#include <cstdint>

namespace hdp {

float halfToFloat(uint16_t bits);
float bfloat16ToFloat(uint16_t bits);
uint16_t floatToHalf(float value);
uint16_t floatToBfloat16(float value);

} // namespace hdp

#endif // HDP_SUPPORT_FLOAT16_H
