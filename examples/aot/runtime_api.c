/* The runtime C API (hdp-c/Runtime.h) implemented over the attention that
 * hdp-compile compiled ahead of time: link this file and the object instead
 * of libHDPRuntimeC.so, and a program written against the API (e.g.
 * examples/runtime-c/main.c) runs unchanged.
 *
 *   clang-22 -std=c99 -I. -Iinclude examples/runtime-c/main.c \
 *     examples/aot/runtime_api.c example_attention.o -lm -o attention
 */
#define HDP_AOT_IMPLEMENT_RUNTIME_API
#include "example_attention.h"
