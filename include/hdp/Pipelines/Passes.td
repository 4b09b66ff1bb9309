//===- Passes.td - the steps of hdp-cpu-pipeline -----------*- tablegen -*-===//
//
// The passes hdp-cpu-pipeline runs besides upstream's and the hdp dialect's
// own, registered so that a transform script
// (transform.apply_registered_pass) or an mlir-opt command line can spell out
// the same compilation.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_PIPELINES_PASSES_TD
#define HDP_PIPELINES_PASSES_TD

include "mlir/Pass/PassBase.td"

def HDPEmitCInterface : Pass<"hdp-emit-c-interface", "::mlir::ModuleOp"> {
  let summary = "Mark public functions llvm.emit_c_interface";
  let description = [{
    Puts the `llvm.emit_c_interface` unit attribute on every public function
    with a body, so that the LLVM lowering also emits `_mlir_ciface_NAME`
    wrappers taking memref descriptors: what the JIT runner and the headers
    of `hdp-compile` call. Private functions and declarations are left alone.

    Upstream's `llvm-request-c-wrappers` is not used: it marks every
    `func.func` it runs on, private functions and external declarations
    included: a declaration marked so is lowered into a call of
    `_mlir_ciface_NAME`, which nothing defines, and private helpers would get
    public wrappers. This pass marks the public definitions only.
  }];
}

def HDPCopiesToLinalg : Pass<"hdp-copies-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Rewrite memref.copy into linalg.copy (no runtime library "
                "call)";
  let description = [{
    Rewrites every `memref.copy` into an equivalent `linalg.copy`, which the
    pipeline later lowers to loops. The LLVM lowering of `memref.copy` would
    otherwise call `memrefCopy` from MLIR's runner-utils library for strided
    copies, which neither JIT nor ahead-of-time users link.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def HDPVectorExpApprox : Pass<"hdp-vector-exp-approx", "::mlir::ModuleOp"> {
  let summary = "Rewrite math.exp into upstream's polynomial approximation";
  let description = [{
    Rewrites `math.exp` (the exact softmax works on 16 lanes at a time) with
    upstream's polynomial approximation patterns (range reduction by ln 2 and
    a polynomial, within a few ulp of `expf`), which stays vectorised;
    otherwise the LLVM lowering would call `expf` once per lane. Other math
    ops are left alone.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def HDPDecomposeAggregatedOps
    : Pass<"hdp-decompose-aggregated-ops", "::mlir::ModuleOp"> {
  let summary = "Decompose linalg ops with AggregatedOpInterface "
                "(linalg.softmax) into linalg.generic ops";
  let description = [{
    Replaces every op implementing `linalg::AggregatedOpInterface` (such as
    `linalg.softmax`) by the ops of its `decomposeOperation` (for softmax:
    max, sub, exp, sum and div generics), as upstream's
    `transform.structured.decompose_interface` does: the loop lowering would
    leave them in place. An op that cannot be decomposed is one error naming
    it.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
  ];
}

def HDPCheckLoweredToLLVM
    : Pass<"hdp-check-lowered-to-llvm", "::mlir::ModuleOp"> {
  let summary = "Fail naming the first op that is not in the LLVM dialect";
  let description = [{
    Succeeds when only LLVM dialect ops (and OpenMP ops, which translate to
    LLVM IR as they are) are left in the module; otherwise fails with one
    error at the first op left over (not an unrealized cast when there is
    anything else: a conversion that gave up leaves casts around the real
    cause), naming it, how many ops are left and the other kinds. Without it,
    translation to LLVM IR would fail later, far from the cause.
  }];
}

def HDPParallelizeLoops
    : Pass<"hdp-parallelize-loops", "::mlir::ModuleOp"> {
  let summary = "Turn the outermost scf.for loops marked hdp.parallel into "
                "scf.parallel";
  let description = [{
    The hdp lowering marks with the unit attribute `hdp.parallel` the
    `scf.for` loops whose iterations are independent (batch items, heads and
    block-row tiles of the floating-point pass, steps of block rows of the
    integer pass, rows of the split, the per-head copies of K). This pass
    replaces the outermost marked loop of each nest that has no
    loop-carried values by an `scf.parallel` with the same bounds and body.
    When all such a loop does, besides side-effect-free ops, is one marked
    loop whose bounds do not depend on it, that loop becomes a further
    dimension of the same `scf.parallel` (one parallel region over heads ×
    tiles, say, instead of one per head); other marked loops inside stay
    sequential, so that `convert-scf-to-openmp` creates no nested parallel
    regions. Unmarked loops are left alone.

    The marker is a promise about the loop on tensors, and bufferization can
    break it: it may let every iteration reuse one buffer allocated before
    the loop. So each dimension is checked first: every write in the body to
    a buffer defined outside the nest (through any chain of views) must be a
    store whose indices and view offsets are computed from every induction
    variable of the nest, and every other op must declare its memory
    effects. The innermost dimensions that fail the check are dropped; a
    loop none of whose dimensions passes stays sequential and its marked
    inner loops are tried instead. `explain=true` says, as a remark on the
    loop with a note on the write, why a loop or dimension stays sequential.
    Reads are not checked: a marked loop must not read what another
    iteration writes.
  }];
  let options = [
    Option<"explain", "explain", "bool", /*default=*/"false",
           "Remark on each marked loop (or loop dimension) kept sequential, "
           "and why">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def HDPGuidedSchedule
    : Pass<"hdp-guided-schedule", "::mlir::ModuleOp"> {
  let summary = "Give OpenMP worksharing loops without a schedule the guided "
                "schedule";
  let description = [{
    `convert-scf-to-openmp` creates `omp.wsloop`s without a schedule clause,
    which the runtime runs statically: each thread gets an equal share of the
    iterations up front, and the region ends when the slowest thread does.
    The hdp loops' iterations differ in cost (block rows keep different
    numbers of blocks) and a core may be busy with another process, so this
    pass gives every `omp.wsloop` that has no schedule the guided schedule:
    chunks handed out on demand, large first and smaller towards the end.
    Which thread runs an iteration does not change what it computes.
  }];
  let dependentDialects = ["::mlir::omp::OpenMPDialect"];
}

#endif // HDP_PIPELINES_PASSES_TD
