# -*- Python -*-
# lit configuration for the hdp regression tests.

import os

import lit.formats

config.name = "hdp"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "Inputs", "CMakeLists.txt"]

config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.hdp_obj_root, "test")

# hdp tools first, then LLVM's FileCheck/not/split-file/mlir-opt.
path = os.path.pathsep.join(
    [config.hdp_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")]
)
config.environment["PATH"] = path + os.path.pathsep + os.environ.get("PATH", "")

# Scripts that make .npy inputs need Debian's numpy-enabled interpreter.
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%hdp_src", config.hdp_src_root))
config.substitutions.append(("%hdp_bin", config.hdp_tools_dir))
config.substitutions.append(("%hdp_lib", os.path.join(config.hdp_obj_root, "lib")))
config.substitutions.append(("%test_inputs", os.path.join(config.test_source_root, "Inputs")))

# The stock mlir-opt of Debian's MLIR 22 (never hdp-opt): the plugin tests
# load hdp into it. Matched as a whole word so that paths and other tool
# names containing "mlir-opt" stay as written.
config.substitutions.append(
    (r"(?<![\w/.%-])mlir-opt(?![\w.-])", os.path.join(config.llvm_tools_dir, "mlir-opt"))
)
# Where the hdp libraries and mlir-opt plugins are built.
config.substitutions.append(("%hdp_lib", os.path.join(config.hdp_obj_root, "lib")))

# x86 VNNI on the machine running the tests: the tests that execute the
# int-kernels using it require these features.
try:
    with open("/proc/cpuinfo") as cpuinfo:
        cpu_flags = set(cpuinfo.read().split())
except OSError:
    cpu_flags = set()
if {"avx512_vnni", "avx512bw"} <= cpu_flags:
    config.available_features.add("avx512-vnni")
if "avx_vnni" in cpu_flags or {"avx512_vnni", "avx512bw", "avx512vl"} <= cpu_flags:
    config.available_features.add("avx-vnni")

