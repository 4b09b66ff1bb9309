//===- CEnum.h - Enum values a C caller passes --------------------*- C++
//-*-===//
//
// A C caller may store any int in an enum of the C API; in C++ loading an
// enum outside its range of values is undefined (UBSan's -fsanitize=enum).
// enumBits reads such a value as its underlying integer, to be checked
// before it is used as the enum.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_LIB_CAPI_CENUM_H
#define HDP_LIB_CAPI_CENUM_H

#include <cstring>
#include <type_traits>

namespace hdp::capi {

template <typename Enum> int enumBits(const Enum &value) {
  std::underlying_type_t<Enum> bits;
  std::memcpy(&bits, &value, sizeof bits);
  return static_cast<int>(bits);
}

} // namespace hdp::capi

#endif // HDP_LIB_CAPI_CENUM_H
