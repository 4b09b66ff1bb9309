// hdp and hdp_accel IR parses, verifies and prints in the stock mlir-opt
// with only the dialect plugin loaded, in custom and generic form, against
// the same checks as hdp-opt's round-trip tests.

// RUN: mlir-opt --load-dialect-plugin=%hdp_lib/HDPDialectPlugin.so %hdp_src/test/Dialect/HDP/round-trip.mlir \
// RUN:   | mlir-opt --load-dialect-plugin=%hdp_lib/HDPDialectPlugin.so \
// RUN:   | FileCheck %hdp_src/test/Dialect/HDP/round-trip.mlir
// RUN: mlir-opt --load-dialect-plugin=%hdp_lib/HDPDialectPlugin.so %hdp_src/test/Dialect/HDP/round-trip.mlir --mlir-print-op-generic \
// RUN:   | mlir-opt --load-dialect-plugin=%hdp_lib/HDPDialectPlugin.so \
// RUN:   | FileCheck %hdp_src/test/Dialect/HDP/round-trip.mlir

// Without the plugin the stock mlir-opt does not know hdp: the checks above
// really depend on it.
// RUN: not mlir-opt %hdp_src/test/Dialect/HDP/round-trip.mlir 2>&1 | FileCheck %s --check-prefix=NOPLUGIN
// NOPLUGIN: error: {{.*}}hdp

// RUN: mlir-opt --load-dialect-plugin=%hdp_lib/HDPDialectPlugin.so %hdp_src/test/Dialect/Accel/round-trip.mlir \
// RUN:   | mlir-opt --load-dialect-plugin=%hdp_lib/HDPDialectPlugin.so \
// RUN:   | FileCheck %hdp_src/test/Dialect/Accel/round-trip.mlir
