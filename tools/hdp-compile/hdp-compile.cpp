//===- hdp-compile.cpp - Ahead-of-time compilation of hdp attention -------===//
//
// hdp-compile --shape=B,H,N,M,D[,Dv] [--mask-shape=...] \
//   --config='#hdp.config<rho = 0.3>' --name=my_attention \
//   -o my_attention.o --header=my_attention.h
//
// Compiles one attention for a fixed shape and configuration with
// hdp-cpu-pipeline into an object file (position independent, generic
// x86-64 unless --mcpu says otherwise) and writes a C header declaring it,
// with a convenience wrapper over plain host buffers. Link the object into a
// program (or a shared library) together with libc and libm. Both files are
// written all or nothing (hdp/Tooling/OutputFiles.h); shapes whose byte
// sizes int64 cannot count are refused.
//
//===----------------------------------------------------------------------===//

#include "hdp/Dialect/HDP/IR/ConfigText.h"
#include "hdp/Dialect/HDP/IR/HDP.h"
#include "hdp/Pipelines/Pipelines.h"
#include "hdp/Reference/Reference.h"
#include "hdp/Runtime/JitRunner.h"
#include "hdp/Tooling/CommandLine.h"
#include "hdp/Tooling/Diagnostics.h"
#include "hdp/Tooling/Limits.h"
#include "hdp/Tooling/OutputFiles.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

#include <limits>
#include <string>
#include <vector>

using namespace llvm;
using namespace hdp::tooling;

namespace {
cl::OptionCategory category("hdp-compile options");

cl::opt<std::string>
    shapeText("shape",
              cl::desc("B,H,N,M,D[,Dv] of Q [B,H,N,D], K [B,H,M,D], V "
                       "[B,H,M,Dv] (Dv defaults to D)"),
              cl::value_desc("B,H,N,M,D[,Dv]"), cl::Required,
              cl::cat(category));
cl::opt<std::string> maskShapeText(
    "mask-shape",
    cl::desc("Shape of the additive mask (broadcastable to [B,H,N,M]); "
             "omit for no mask"),
    cl::value_desc("d0,d1,..."), cl::init(""), cl::cat(category));
cl::opt<std::string> configText("config", cl::desc("The #hdp.config"),
                                cl::init("#hdp.config<>"), cl::cat(category));
cl::opt<std::string> functionName("name",
                                  cl::desc("C name of the compiled function"),
                                  cl::init("hdp_attention"), cl::cat(category));
cl::opt<std::string> objectFile("o", cl::desc("Output object file"),
                                cl::value_desc("file.o"), cl::Required,
                                cl::cat(category));
cl::opt<std::string> headerFile("header", cl::desc("Output C header"),
                                cl::value_desc("file.h"), cl::Required,
                                cl::cat(category));
const bool threadsNameFree = yieldThreadsOptionName();
cl::opt<int> threads(
    "threads",
    cl::desc("Threads of the compiled code: 1 (the default) is sequential "
             "code that needs no runtime library; 0 lets the OpenMP runtime "
             "choose (OMP_NUM_THREADS, else every core) and N > 1 uses N "
             "threads, both linked with libomp (the header says how)"),
    cl::value_desc("N"), cl::init(1), cl::cat(category));
cl::opt<std::string> intKernels(
    "int-kernels",
    cl::desc("Integer product kernels: target (the default: avx512-vnni or "
             "avx-vnni when --mcpu has x86 VNNI, else generic), generic, "
             "avx512-vnni or avx-vnni"),
    cl::value_desc("name"), cl::init("target"), cl::cat(category));
cl::opt<std::string> cpu("mcpu",
                         cl::desc("Target CPU (default: generic x86-64, "
                                  "runs on any x86-64)"),
                         cl::init("x86-64"), cl::cat(category));

bool parseDims(StringRef text, std::vector<int64_t> &dims) {
  SmallVector<StringRef> parts;
  text.split(parts, ',');
  for (StringRef p : parts) {
    int64_t v;
    if (p.trim().getAsInteger(10, v) || v < 1)
      return false;
    dims.push_back(v);
  }
  return true;
}

/// The runtime C API (hdp-c/Runtime.h) over the compiled function, in the
/// header behind HDP_AOT_IMPLEMENT_RUNTIME_API: the one C file that defines
/// it before including the header provides hdp_attention_create/run/...,
/// so that a program written against libHDPRuntimeC.so links against the
/// object instead. It accepts only the compiled config (text compared
/// without whitespace) and shape.
/// The int-kernels compiled in (from --int-kernels and --mcpu).
std::string chosenKernels = "generic";

void writeRuntimeApi(raw_ostream &os, StringRef name, ArrayRef<int64_t> q,
                     ArrayRef<int64_t> k, ArrayRef<int64_t> v,
                     const std::vector<int64_t> *mask, int64_t NB, int64_t MB,
                     StringRef config) {
  std::string escaped;
  for (char c : config) {
    if (c == '"' || c == '\\')
      escaped += '\\';
    escaped += c;
  }
  os << "\n/* The runtime C API (hdp-c/Runtime.h) for this attention: define\n"
        " * HDP_AOT_IMPLEMENT_RUNTIME_API in one C file before including this\n"
        " * header (and put hdp's include/ on the include path). Only this\n"
        " * config and shape are accepted. */\n";
  os << "#ifdef HDP_AOT_IMPLEMENT_RUNTIME_API\n#include \"hdp-c/Runtime.h\"\n"
        "#include <stdio.h>\n\n";
  os << "struct hdp_attention { int unused; };\n";
  os << "static __thread char hdp_aot_error[512];\n\n";
  os << "static hdp_status hdp_aot_fail(hdp_status status, const char *what) "
        "{\n  snprintf(hdp_aot_error, sizeof hdp_aot_error, \"%s\", what);\n"
        "  return status;\n}\n\n";
  os << "/* Equal up to whitespace; NULL and \"\" mean #hdp.config<>. */\n"
        "static int hdp_aot_same_config(const char *a, const char *b) {\n"
        "  if (!a || !*a) a = \"#hdp.config<>\";\n"
        "  for (;;) {\n"
        "    while (*a == ' ' || *a == '\\t' || *a == '\\n') ++a;\n"
        "    while (*b == ' ' || *b == '\\t' || *b == '\\n') ++b;\n"
        "    if (*a != *b) return 0;\n"
        "    if (!*a) return 1;\n"
        "    ++a, ++b;\n  }\n}\n\n";
  os << "hdp_status hdp_attention_create(const char *config, const "
        "hdp_attention_shape *shape, hdp_attention **handle) {\n"
        "  static const char compiled[] = \""
     << escaped << "\";\n"
     << "  hdp_aot_error[0] = 0;\n"
        "  if (!handle) return hdp_aot_fail(HDP_STATUS_INVALID_ARGUMENT, "
        "\"hdp_attention_create: handle is NULL\");\n"
        "  *handle = NULL;\n"
        "  if (!shape) return hdp_aot_fail(HDP_STATUS_INVALID_ARGUMENT, "
        "\"hdp_attention_create: shape is NULL\");\n"
        "  if (!hdp_aot_same_config(config, compiled)) {\n"
        "    snprintf(hdp_aot_error, sizeof hdp_aot_error, "
        "\"hdp_attention_create: this ahead-of-time build of "
     << name
     << " runs config %s only, got %s\", compiled, config);\n"
        "    return HDP_STATUS_INVALID_ARGUMENT;\n  }\n";
  os << formatv("  if (shape->batch != {0} || shape->heads != {1} || "
                "shape->query_len != {2} || shape->key_len != {3} || "
                "shape->head_dim != {4} || shape->value_dim != {5} || "
                "shape->mask_rank != {6}",
                q[0], q[1], q[2], k[2], q[3], v[3],
                mask ? static_cast<int64_t>(mask->size()) : -1);
  if (mask)
    for (size_t i = 0; i < mask->size(); ++i)
      os << " || shape->mask_shape[" << i << "] != " << (*mask)[i];
  os << ")\n    return hdp_aot_fail(HDP_STATUS_INVALID_ARGUMENT, "
        "\"hdp_attention_create: the shape differs from the one "
     << name << " was compiled for\");\n";
  os << "  *handle = (hdp_attention *)malloc(sizeof(hdp_attention));\n"
        "  if (!*handle) return hdp_aot_fail(HDP_STATUS_RUNTIME_ERROR, "
        "\"hdp_attention_create: out of memory\");\n"
        "  return HDP_STATUS_OK;\n}\n\n";
  os << "hdp_status hdp_attention_run(hdp_attention *handle, const float *q, "
        "const float *k, const float *v, const float *mask, float *out, "
        "uint8_t *block_mask, uint8_t *head_mask, int64_t *theta_h) {\n"
        "  hdp_aot_error[0] = 0;\n"
        "  if (!handle) return hdp_aot_fail(HDP_STATUS_INVALID_ARGUMENT, "
        "\"hdp_attention_run: handle is NULL\");\n"
        "  if (!q || !k || !v || !out) return "
        "hdp_aot_fail(HDP_STATUS_INVALID_ARGUMENT, \"hdp_attention_run: q, k, "
        "v and out must not be NULL\");\n";
  if (mask)
    os << "  if (!mask) return hdp_aot_fail(HDP_STATUS_INVALID_ARGUMENT, "
          "\"hdp_attention_run: the attention was created with a mask, but "
          "mask is NULL\");\n"
       << "  " << name
       << "_run(q, k, v, mask, out, block_mask, head_mask, theta_h);\n";
  else
    os << "  if (mask) return hdp_aot_fail(HDP_STATUS_INVALID_ARGUMENT, "
          "\"hdp_attention_run: the attention was created without a mask "
          "(mask_rank = -1), but a mask was given\");\n"
       << "  " << name
       << "_run(q, k, v, out, block_mask, head_mask, theta_h);\n";
  os << "  return HDP_STATUS_OK;\n}\n\n";
  os << formatv("hdp_status hdp_attention_block_grid(const hdp_attention "
                "*handle, int64_t *num_block_rows, int64_t *num_block_cols) "
                "{{\n  if (!handle || !num_block_rows || !num_block_cols) "
                "return hdp_aot_fail(HDP_STATUS_INVALID_ARGUMENT, "
                "\"hdp_attention_block_grid: NULL argument\");\n"
                "  *num_block_rows = {0};\n  *num_block_cols = {1};\n"
                "  return HDP_STATUS_OK;\n}\n\n",
                NB, MB);
  os << "void hdp_attention_destroy(hdp_attention *handle) { free(handle); "
        "}\n\n";
  // The kernels are compiled in.
  os << formatv("hdp_status hdp_set_cpu_int_kernels(const char *kernels) {{\n"
                "  if (kernels && (!strcmp(kernels, \"host\") || "
                "!strcmp(kernels, \"{0}\"))) return HDP_STATUS_OK;\n"
                "  return hdp_aot_fail(HDP_STATUS_INVALID_ARGUMENT, "
                "\"hdp_set_cpu_int_kernels: this object was compiled with "
                "hdp-compile --int-kernels={0}\");\n}\n\n",
                chosenKernels);
  // The thread count is compiled in.
  os << formatv("hdp_status hdp_set_cpu_threads(int threads) {{\n"
                "  if (threads == {0}) return HDP_STATUS_OK;\n"
                "  return hdp_aot_fail(HDP_STATUS_INVALID_ARGUMENT, "
                "\"hdp_set_cpu_threads: this object was compiled with "
                "hdp-compile --threads={0}\");\n}\n\n",
                threads.getValue());
  os << "hdp_status hdp_attention_run_once(const char *config, const "
        "hdp_attention_shape *shape, const float *q, const float *k, const "
        "float *v, const float *mask, float *out, uint8_t *block_mask, "
        "uint8_t *head_mask, int64_t *theta_h) {\n"
        "  hdp_attention *handle = NULL;\n"
        "  hdp_status status = hdp_attention_create(config, shape, &handle);\n"
        "  if (status != HDP_STATUS_OK) return status;\n"
        "  status = hdp_attention_run(handle, q, k, v, mask, out, block_mask, "
        "head_mask, theta_h);\n"
        "  hdp_attention_destroy(handle);\n  return status;\n}\n\n";
  os << "const char *hdp_last_error(void) { return hdp_aot_error; }\n";
  os << "#endif /* HDP_AOT_IMPLEMENT_RUNTIME_API */\n";
}

/// The C header: shapes, descriptor types, the C-interface entry point and a
/// wrapper that takes dense row-major host buffers.
std::string makeHeader(StringRef name, ArrayRef<int64_t> q, ArrayRef<int64_t> k,
                       ArrayRef<int64_t> v, const std::vector<int64_t> *mask,
                       int64_t NB, int64_t MB, StringRef config) {
  std::string upper = name.upper();
  std::string s;
  raw_string_ostream os(s);
  os << "/* Generated by hdp-compile: HDP attention " << name
     << ".\n * config: " << config << "\n";
  if (threads == 1) {
    os << " * int-kernels: " << chosenKernels
       << "\n * threads: 1 (sequential; link with -lm)\n */\n";
  } else {
    StringRef omp = hdp::runtime::openMPRuntimePath();
    StringRef dir = sys::path::parent_path(omp);
    os << " * int-kernels: " << chosenKernels << "\n * threads: "
       << (threads == 0 ? std::string("chosen by the OpenMP runtime")
                        : std::to_string(threads))
       << "\n * link with LLVM's OpenMP runtime: -L" << dir
       << " -lomp -Wl,-rpath," << dir << " -lm\n */\n";
  }
  // Not NAME_H: that is the head count.
  os << "#ifndef " << upper << "_HDP_HEADER\n#define " << upper
     << "_HDP_HEADER\n\n";
  os << "#include <stdint.h>\n#include <stdlib.h>\n#include <string.h>\n\n";
  os << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  os << formatv("enum {{ {0}_B = {1}, {0}_H = {2}, {0}_N = {3}, {0}_M = {4}, "
                "{0}_D = {5}, {0}_DV = {6}, {0}_NB = {7}, {0}_MB = {8} };\n\n",
                upper, q[0], q[1], q[2], k[2], q[3], v[3], NB, MB);
  auto desc = [&](StringRef type, StringRef elt, size_t rank) {
    os << "typedef struct { " << elt << " *allocated; " << elt
       << " *aligned; int64_t offset; int64_t sizes[" << rank
       << "]; int64_t strides[" << rank << "]; } " << type << ";\n";
  };
  desc((name + "_f32_4d").str(), "float", 4);
  if (mask && mask->size() != 4 && !mask->empty())
    desc((name + "_mask_desc").str(), "float", mask->size());
  desc((name + "_i1_4d").str(), "uint8_t", 4);
  desc((name + "_i1_2d").str(), "uint8_t", 2);
  desc((name + "_i64_2d").str(), "int64_t", 2);
  std::string maskType =
      !mask ? ""
      : mask->size() == 4
          ? (name + "_f32_4d").str()
          : (mask->empty() ? std::string() : (name + "_mask_desc").str());
  if (mask && mask->empty()) {
    os << "typedef struct { float *allocated; float *aligned; int64_t offset; "
          "} "
       << name << "_mask_desc;\n";
    maskType = (name + "_mask_desc").str();
  }
  os << "\n/* Results come back through this struct (memory from malloc). */\n";
  os << "typedef struct {\n  " << name << "_f32_4d out;\n  " << name
     << "_i1_4d block_mask;\n  " << name << "_i1_2d head_mask;\n  " << name
     << "_i64_2d theta_h;\n} " << name << "_results;\n\n";
  os << "/* The compiled function (MLIR C interface). */\n";
  os << "void _mlir_ciface_" << name << "(" << name << "_results *results, "
     << name << "_f32_4d *q, " << name << "_f32_4d *k, " << name << "_f32_4d *v"
     << (mask ? ", " + maskType + " *mask" : "") << ");\n\n";

  // Wrapper over dense buffers.
  os << "/* Runs the attention on dense row-major buffers: q [B,H,N,D], k "
        "[B,H,M,D],\n * v [B,H,M,Dv]"
     << (mask ? ", mask (shape as compiled)" : "")
     << "; writes out [B,H,N,Dv], block_mask [B,H,NB,MB],\n * head_mask "
        "[B,H] (bytes 0/1) and theta_h [B,H]. Any output may be NULL. */\n";
  os << "static inline void " << name
     << "_run(const float *q, const float *k, const float *v, "
     << (mask ? "const float *mask, " : "")
     << "float *out, uint8_t *block_mask, uint8_t *head_mask, int64_t "
        "*theta_h) {\n";
  auto makeDesc = [&](StringRef var, StringRef type, StringRef ptr,
                      ArrayRef<int64_t> shape) {
    os << "  " << type << " " << var << " = { (float *)" << ptr << ", (float *)"
       << ptr << ", 0";
    if (!shape.empty()) {
      os << ", {";
      llvm::interleaveComma(shape, os);
      os << "}, {";
      for (size_t i = 0; i < shape.size(); ++i) {
        int64_t stride = 1;
        for (size_t j = i + 1; j < shape.size(); ++j)
          stride *= shape[j];
        os << (i ? ", " : "") << stride;
      }
      os << "}";
    }
    os << " };\n";
  };
  makeDesc("qd", (name + "_f32_4d").str(), "q", q);
  makeDesc("kd", (name + "_f32_4d").str(), "k", k);
  makeDesc("vd", (name + "_f32_4d").str(), "v", v);
  if (mask)
    makeDesc("md", maskType, "mask", *mask);
  os << "  " << name << "_results r;\n";
  os << "  _mlir_ciface_" << name << "(&r, &qd, &kd, &vd"
     << (mask ? ", &md" : "") << ");\n";
  auto copyOut = [&](StringRef field, StringRef dst, StringRef elt,
                     int64_t count) {
    os << "  if (" << dst << ") memcpy(" << dst << ", r." << field
       << ".aligned + r." << field << ".offset, sizeof(" << elt << ") * "
       << count << ");\n";
  };
  copyOut("out", "out", "float", q[0] * q[1] * q[2] * v[3]);
  copyOut("block_mask", "block_mask", "uint8_t", q[0] * q[1] * NB * MB);
  copyOut("head_mask", "head_mask", "uint8_t", q[0] * q[1]);
  copyOut("theta_h", "theta_h", "int64_t", q[0] * q[1]);
  os << "  free(r.out.allocated);\n  free(r.block_mask.allocated);\n"
        "  free(r.head_mask.allocated);\n  free(r.theta_h.allocated);\n}\n\n";
  os << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << upper
     << "_HDP_HEADER */\n";
  writeRuntimeApi(os, name, q, k, v, mask, NB, MB, config);
  return s;
}

int run() {
  if (threads < 0 || threads > hdp::kMaxThreads)
    return fail("--threads", "expected 0 to " + Twine(hdp::kMaxThreads) +
                                 ", got " + Twine(threads));
  Expected<AttentionDims> shape =
      parseAttentionDims(shapeText, std::numeric_limits<int64_t>::max());
  if (!shape)
    return fail("--shape", toString(shape.takeError()));
  std::vector<int64_t> maskDims;
  bool hasMask = !maskShapeText.empty();
  if (hasMask && maskShapeText != "scalar" &&
      (!parseDims(maskShapeText, maskDims) || maskDims.size() > 4))
    return fail("--mask-shape=" + maskShapeText,
                "expected up to 4 positive integers (or 'scalar')");
  if (!StringRef(functionName).starts_with("_") &&
      !llvm::all_of(functionName,
                    [](char c) { return llvm::isAlnum(c) || c == '_'; }))
    return fail("--name=" + functionName, "expected a C identifier");
  if (functionName.empty() || llvm::isDigit(functionName[0]))
    return fail("--name=" + functionName, "expected a C identifier");
  std::vector<int64_t> q = shape->q(), k = shape->k(), v = shape->v();
  if (hasMask)
    if (std::string e = hdp::ref::checkMaskBroadcast(
            maskDims, shape->B, shape->H, shape->N, shape->M);
        !e.empty())
      return fail("--mask-shape=" + maskShapeText, e);

  mlir::DialectRegistry registry;
  hdp::runtime::registerRunnerDialects(registry);
  mlir::MLIRContext context(registry);
  context.loadDialect<hdp::HDPDialect>();
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    raw_string_ostream(diagnostics) << d << "\n";
    return mlir::success();
  });
  Expected<hdp::AttentionConfig> parsed = hdp::parseConfigText(configText);
  if (!parsed)
    return fail("--config", toString(parsed.takeError()));
  const int64_t NB = divideCeil(shape->N, parsed->blockRows);
  const int64_t MB = divideCeil(shape->M, parsed->blockCols);
  // The header and the compiled code compute every byte size in int64.
  std::pair<const char *, std::pair<std::vector<int64_t>, int64_t>> tensors[] =
      {{"Q [B,H,N,D]", {q, 4}},
       {"K [B,H,M,D]", {k, 4}},
       {"V [B,H,M,Dv]", {v, 4}},
       {"out [B,H,N,Dv]", {shape->out(), 4}},
       {"the scores [B,H,N,M]", {{shape->B, shape->H, shape->N, shape->M}, 8}},
       {"the block mask [B,H,NB,MB]", {{shape->B, shape->H, NB, MB}, 1}},
       {"the mask", {maskDims, 4}}};
  for (const auto &[what, tensor] : tensors)
    if (!tensorBytes(tensor.first, tensor.second))
      return fail("--shape=" + shapeText,
                  Twine(what) + " = " + formatDims(tensor.first) +
                      " has more bytes than int64 can count");

  // Both files, refused now if they cannot be written.
  OutputFiles files;
  Expected<size_t> objectId = files.add(objectFile);
  if (!objectId)
    return fail(objectId.takeError());
  Expected<size_t> headerId = files.add(headerFile);
  if (!headerId)
    return fail(headerId.takeError());

  auto config = hdp::ConfigAttr::fromReference(&context, *parsed);
  auto module = hdp::runtime::buildAttentionModule(
      context, q, k, v, hasMask ? &maskDims : nullptr, config, 4, functionName);

  InitializeNativeTarget();
  InitializeNativeTargetAsmPrinter();
  Triple triple(sys::getDefaultTargetTriple());
  std::string error;
  const Target *target = TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return fail("target " + triple.str(), error);
  std::unique_ptr<TargetMachine> machine(
      target->createTargetMachine(triple, cpu, "", TargetOptions(), Reloc::PIC_,
                                  std::nullopt, CodeGenOptLevel::Aggressive));
  if (!machine)
    return fail("--mcpu=" + cpu, "cannot create a target machine");
  // The VNNI kernels only where the target CPU has the instructions.
  const MCSubtargetInfo *subtarget = machine->getMCSubtargetInfo();
  bool avx512Vnni = subtarget->checkFeatures("+avx512vnni,+avx512bw");
  bool avxVnni = subtarget->checkFeatures("+avxvnni") ||
                 (avx512Vnni && subtarget->checkFeatures("+avx512vl"));
  if (intKernels == "target")
    chosenKernels = avx512Vnni ? "avx512-vnni"
                    : avxVnni  ? "avx-vnni"
                               : "generic";
  else if (intKernels == "generic" ||
           (intKernels == "avx512-vnni" && avx512Vnni) ||
           (intKernels == "avx-vnni" && avxVnni))
    chosenKernels = intKernels;
  else if (intKernels == "avx512-vnni" || intKernels == "avx-vnni")
    return fail("--int-kernels=" + intKernels,
                "--mcpu=" + cpu + " does not have these instructions");
  else
    return fail("--int-kernels=" + intKernels,
                "expected target, generic, avx512-vnni or avx-vnni");

  mlir::PassManager pm(&context);
  hdp::CPUPipelineOptions pipelineOptions;
  pipelineOptions.numThreads = threads;
  pipelineOptions.intKernels = chosenKernels;
  hdp::buildCPUPipeline(pm, pipelineOptions);
  if (failed(pm.run(*module)))
    return fail("compilation", diagnostics);

  LLVMContext llvmContext;
  std::unique_ptr<Module> llvmModule =
      mlir::translateModuleToLLVMIR(*module, llvmContext, functionName);
  if (!llvmModule)
    return fail("translation to LLVM IR", diagnostics);
  llvmModule->setTargetTriple(triple);
  llvmModule->setDataLayout(machine->createDataLayout());
  auto optimize = mlir::makeOptimizingTransformer(3, 0, machine.get());
  if (Error e = optimize(llvmModule.get()))
    return fail("optimisation", toString(std::move(e)));

  legacy::PassManager codegen;
  if (machine->addPassesToEmitFile(codegen, files.stream(*objectId), nullptr,
                                   CodeGenFileType::ObjectFile))
    return fail("--mcpu=" + cpu, "the target cannot emit object files");
  codegen.run(*llvmModule);
  files.write(*headerId,
              makeHeader(functionName, q, k, v, hasMask ? &maskDims : nullptr,
                         NB, MB, configText));
  if (Error e = files.commit())
    return fail(std::move(e));
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  InitTool init(argc, argv, "hdp-compile");
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "hdp-compile: compile one HDP attention ahead of time into an object "
      "file and a C header\n");
  return run();
}
