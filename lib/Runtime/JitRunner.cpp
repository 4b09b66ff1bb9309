//===- JitRunner.cpp - Compile and run hdp programs on the CPU ------------===//
//
// Functions are called through their C interface (`_mlir_ciface_NAME`):
// every memref argument is a pointer to a descriptor {allocated, aligned,
// offset, sizes[r], strides[r]}, and the results come back through a pointer
// to a struct of descriptors passed first.
//
//===----------------------------------------------------------------------===//

#include "hdp/Runtime/JitRunner.h"

#include "hdp/Runtime/BufferCache.h"

#include "hdp/Dialect/HDP/IR/HDP.h"
#include "hdp/Dialect/HDP/TransformOps/HDPTransformOps.h"
#include "hdp/Dialect/HDP/Transforms/BufferizableOpInterfaceImpl.h"
#include "hdp/Dialect/HDP/Transforms/Passes.h"
#include "hdp/Dialect/HDP/Transforms/TilingInterfaceImpl.h"
#include "hdp/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/Transform/Transforms/TransformInterpreterUtils.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"

#include <chrono>
#include <cstdlib>
#include <cstring>

using namespace mlir;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;

namespace hdp::runtime {

void registerRunnerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<hdp::HDPDialect>();
  hdp::registerBufferizableOpInterfaceExternalModels(registry);
  hdp::registerTilingInterfaceExternalModels(registry);
  hdp::registerTransformDialectExtension(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
}

const char *openMPRuntimePath() { return HDP_OPENMP_LIBRARY; }

namespace {
Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// The npy dtype that holds a tensor element type on output.
Expected<npy::DType> dtypeFor(Type type) {
  if (type.isF32())
    return npy::DType::F32;
  if (type.isF64())
    return npy::DType::F64;
  if (type.isSignlessInteger(1))
    return npy::DType::Bool;
  if (type.isSignlessInteger(8))
    return npy::DType::I8;
  if (type.isSignlessInteger(16))
    return npy::DType::I16;
  if (type.isSignlessInteger(32))
    return npy::DType::I32;
  if (type.isSignlessInteger(64))
    return npy::DType::I64;
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "element type " << type << " is not supported by the runner";
  return makeError(s);
}

std::string typeString(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << type;
  return s;
}

/// Converts `array` to the bytes of element type `type` (f32, f64, i1, iN):
/// floats from floats, integers and booleans from integers and booleans.
Expected<std::vector<uint8_t>> convertInput(const npy::Array &array, Type type,
                                            StringRef name) {
  if (type.isF32() || type.isF64()) {
    Expected<std::vector<float>> values = npy::toF32(array, name);
    if (!values)
      return values.takeError();
    if (type.isF32()) {
      std::vector<uint8_t> bytes(values->size() * sizeof(float));
      std::memcpy(bytes.data(), values->data(), bytes.size());
      return bytes;
    }
    if (array.dtype != npy::DType::F64)
      return makeError(name + ": expected <f8 for a tensor of f64");
    return array.bytes;
  }
  if (type.isSignlessInteger(1)) {
    Expected<std::vector<uint8_t>> values = npy::toBool(array, name);
    if (!values)
      return values.takeError();
    return *values;
  }
  if (auto intType = dyn_cast<IntegerType>(type)) {
    Expected<std::vector<int64_t>> values = npy::toI64(array, name);
    if (!values)
      return values.takeError();
    unsigned width = intType.getWidth() / 8;
    std::vector<uint8_t> bytes(values->size() * width);
    for (size_t i = 0; i < values->size(); ++i)
      std::memcpy(bytes.data() + i * width, &(*values)[i], width);
    return bytes;
  }
  return makeError(name + ": tensors of " + typeString(type) +
                   " cannot be passed by the runner");
}

/// Descriptor of a rank-r memref as the C interface lays it out.
struct Descriptor {
  std::vector<int64_t> words; // allocated, aligned, offset, sizes, strides

  static size_t numWords(int64_t rank) { return 3 + 2 * rank; }

  static Descriptor forBuffer(void *data, ArrayRef<int64_t> shape) {
    Descriptor d;
    d.words.resize(numWords(shape.size()));
    d.words[0] = reinterpret_cast<int64_t>(data);
    d.words[1] = reinterpret_cast<int64_t>(data);
    d.words[2] = 0;
    int64_t stride = 1;
    for (int64_t i = static_cast<int64_t>(shape.size()) - 1; i >= 0; --i) {
      d.words[3 + i] = shape[i];
      d.words[3 + shape.size() + i] = stride;
      stride *= shape[i];
    }
    return d;
  }
};

/// Copies a returned memref (any strides) of `size`-byte elements into the
/// dense buffer `dst`.
void copyResult(const int64_t *words, int64_t rank, unsigned size,
                uint8_t *dst) {
  ArrayRef<int64_t> shape(words + 3, words + 3 + rank);
  const int64_t *strides = words + 3 + rank;
  const auto *aligned = reinterpret_cast<const uint8_t *>(words[1]);
  int64_t offset = words[2];
  int64_t count = npy::numElements(shape);
  if (count == 0)
    return;
  // Rows along the innermost dimension are copied whole when contiguous
  // (the usual case): a per-element copy of a 12M-entry block mask took
  // longer than the attention itself.
  int64_t run = 1;
  if (rank > 0 && strides[rank - 1] == 1)
    run = shape[rank - 1];
  int64_t outerRank = run == 1 ? rank : rank - 1;
  std::vector<int64_t> index(rank, 0);
  for (int64_t n = 0; n < count; n += run) {
    int64_t element = offset;
    for (int64_t d = 0; d < outerRank; ++d)
      element += index[d] * strides[d];
    std::memcpy(dst + n * size, aligned + element * size, run * size);
    for (int64_t d = outerRank - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
}

/// Copies a returned memref (any strides) into a dense npy array.
npy::Array readResult(const int64_t *words, int64_t rank, npy::DType dtype) {
  npy::Array out;
  out.dtype = dtype;
  out.shape.assign(words + 3, words + 3 + rank);
  unsigned size = npy::dtypeSize(dtype);
  out.bytes.resize(npy::numElements(out.shape) * size);
  copyResult(words, rank, size, out.bytes.data());
  return out;
}
/// Runs `@__transform_main` of `library` on `module`, which it must leave in
/// the LLVM dialect; errors go to the context's diagnostic handler.
LogicalResult lowerWithTransformScript(ModuleOp module, ModuleOp library) {
  // transform.apply_registered_pass looks passes up in the global registry.
  static bool passesRegistered = [] {
    registerAllPasses();
    hdp::registerHDPPasses();
    hdp::registerPipelines();
    return true;
  }();
  (void)passesRegistered;
  // The same calling convention as hdp-cpu-pipeline gives, whatever the
  // script does: callers need _mlir_ciface_ wrappers.
  for (auto func : module.getOps<func::FuncOp>())
    if (func.isPublic() && !func.isExternal())
      func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                    UnitAttr::get(module.getContext()));
  StringRef entryName =
      transform::TransformDialect::kTransformEntryPointSymbolName;
  Operation *entry = library.lookupSymbol(entryName);
  if (!entry)
    return library.emitError("the transform script has no @") << entryName;
  if (failed(transform::applyTransformNamedSequence(
          module, entry, library, transform::TransformOptions())))
    return failure();
  // Anything but LLVM dialect left over would fail translation with a
  // less helpful message.
  WalkResult left = module.walk([&](Operation *op) {
    if (op == module.getOperation() || isa<LLVM::LLVMDialect>(op->getDialect()))
      return WalkResult::advance();
    op->emitError("the transform script must lower the module to the LLVM "
                  "dialect; '")
        << op->getName() << "' is left";
    return WalkResult::interrupt();
  });
  return failure(left.wasInterrupted());
}

/// Calls `name`'s C interface (`_mlir_ciface_<name>`) with the argument
/// descriptors `descs`, preceded by `results`, the struct of result
/// descriptors it fills, unless that is null (no results, or results as
/// out-params among `descs`).
Error callCInterface(ExecutionEngine &engine, StringRef name,
                     std::vector<Descriptor> &descs, int64_t *results) {
  void *resultPtr = results;
  std::vector<void *> argPtrs;
  for (Descriptor &d : descs)
    argPtrs.push_back(d.words.data());
  llvm::SmallVector<void *> packed;
  if (results)
    packed.push_back(&resultPtr);
  for (void *&p : argPtrs)
    packed.push_back(&p);
  if (Error e = engine.invokePacked(("_mlir_ciface_" + name).str(), packed))
    return makeError("calling @" + name +
                     " failed: " + llvm::toString(std::move(e)));
  return Error::success();
}

/// Calls `name`, compiled with its results as out-params, on the argument
/// descriptors `descs`: the results go straight into `outputs`. A null
/// output gets a scratch buffer; so does one that overlaps an input (the
/// results are written while the inputs are read) or an earlier output,
/// which is then copied in afterwards, in order, as a copying call would.
Error invokeWithOutParams(ExecutionEngine &engine, StringRef name,
                          ArrayRef<RankedTensorType> args,
                          ArrayRef<RankedTensorType> results,
                          ArrayRef<unsigned> resultSizes,
                          ArrayRef<const void *> inputs,
                          std::vector<Descriptor> descs,
                          ArrayRef<void *> outputs) {
  struct Range {
    const uint8_t *begin, *end;
    bool overlaps(const Range &o) const {
      return begin < o.end && o.begin < end;
    }
  };
  std::vector<Range> inUse;
  for (auto [input, type] : llvm::zip(inputs, args)) {
    auto *begin = static_cast<const uint8_t *>(input);
    unsigned width = std::max(1u, type.getElementTypeBitWidth() / 8);
    inUse.push_back({begin, begin + type.getNumElements() * width});
  }
  std::vector<void *> scratch;
  llvm::scope_exit freeScratch([&] {
    for (void *p : scratch)
      hdp::runtime::cachedFree(p);
  });
  std::vector<std::pair<void *, size_t>> copyBack; // (scratch, bytes) per out
  for (auto [t, size, out] : llvm::zip(results, resultSizes, outputs)) {
    size_t bytes = static_cast<size_t>(t.getNumElements()) * size;
    auto *begin = static_cast<uint8_t *>(out);
    Range range{begin, out ? begin + bytes : begin};
    bool direct = out && llvm::none_of(inUse, [&](const Range &r) {
                    return r.overlaps(range);
                  });
    void *data = out;
    if (!direct) {
      data = hdp::runtime::cachedMalloc(std::max<size_t>(bytes, 1));
      if (!data)
        return makeError("@" + name + ": out of memory for a result buffer");
      scratch.push_back(data);
    }
    copyBack.push_back({out && !direct ? data : nullptr, bytes});
    if (out)
      inUse.push_back(range);
    descs.push_back(Descriptor::forBuffer(data, t.getShape()));
  }
  if (Error e = callCInterface(engine, name, descs, /*results=*/nullptr))
    return e;
  for (auto [out, copy] : llvm::zip(outputs, copyBack))
    if (copy.first)
      std::memcpy(out, copy.first, copy.second);
  return Error::success();
}

} // namespace

JitModule::~JitModule() = default;

Expected<std::unique_ptr<JitModule>>
JitModule::compile(OwningOpRef<ModuleOp> module, const JitOptions &options) {
  return compileWith(std::move(module), {}, options);
}

Expected<std::unique_ptr<JitModule>>
JitModule::compile(OwningOpRef<ModuleOp> module, ModuleOp transformLibrary) {
  if (!transformLibrary)
    return makeError("no transform library given");
  return compileWith(std::move(module), transformLibrary, JitOptions());
}

Expected<std::unique_ptr<JitModule>>
JitModule::compileWith(OwningOpRef<ModuleOp> module, ModuleOp transformLibrary,
                       const JitOptions &jitOptions) {
  static bool targetsInitialised = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)targetsInitialised;

  std::unique_ptr<JitModule> jit(new JitModule());
  for (auto func : module->getOps<func::FuncOp>()) {
    if (!func.isPublic() || func.isExternal())
      continue;
    Signature sig;
    for (Type t : func.getArgumentTypes()) {
      auto tensor = dyn_cast<RankedTensorType>(t);
      if (!tensor)
        return makeError("function @" + func.getName() + ": argument of type " +
                         typeString(t) +
                         "; the runner passes ranked tensors only");
      sig.args.push_back(tensor);
    }
    for (Type t : func.getResultTypes()) {
      auto tensor = dyn_cast<RankedTensorType>(t);
      if (!tensor)
        return makeError("function @" + func.getName() + ": result of type " +
                         typeString(t) +
                         "; the runner returns ranked tensors only");
      if (jitOptions.resultsToOutParams && !tensor.hasStaticShape())
        return makeError("function @" + func.getName() + ": result of type " +
                         typeString(t) +
                         " has a dynamic shape; results as out-params need "
                         "static shapes");
      sig.results.push_back(tensor);
    }
    jit->signatures[func.getName().str()] = std::move(sig);
  }

  MLIRContext *context = module->getContext();
  std::string diagnostics;
  ScopedDiagnosticHandler handler(context, [&](Diagnostic &diag) {
    llvm::raw_string_ostream os(diagnostics);
    os << diag.getLocation() << ": " << diag << "\n";
    for (const Diagnostic &note : diag.getNotes())
      os << "  note: " << note << "\n";
    return success();
  });
  if (transformLibrary) {
    if (failed(lowerWithTransformScript(*module, transformLibrary)))
      return makeError("compiling with the transform script failed:\n" +
                       diagnostics);
  } else {
    PassManager pm(context);
    if (jitOptions.numThreads < 0 || jitOptions.numThreads > hdp::kMaxThreads)
      return makeError("the number of threads must be in [0, " +
                       llvm::Twine(hdp::kMaxThreads) + "], got " +
                       llvm::Twine(jitOptions.numThreads));
    hdp::CPUPipelineOptions options;
    options.numThreads = jitOptions.numThreads;
    options.intKernels = jitOptions.intKernels == "host"
                             ? hdp::hostIntKernels()
                             : jitOptions.intKernels;
    if (options.intKernels != "generic" &&
        options.intKernels != "avx512-vnni" && options.intKernels != "avx-vnni")
      return makeError("int-kernels must be host, generic, avx512-vnni or "
                       "avx-vnni, got '" +
                       jitOptions.intKernels + "'");
    if (!hdp::hostRunsIntKernels(options.intKernels))
      return makeError("int-kernels=" + options.intKernels +
                       ": this CPU does not have the instructions");
    options.resultsToOutParams = jitOptions.resultsToOutParams;
    jit->resultsAreOutParams = jitOptions.resultsToOutParams;
    hdp::buildCPUPipeline(pm, options);
    if (failed(pm.run(*module)))
      return makeError("compiling for the CPU failed:\n" + diagnostics);
  }

  // The optimiser needs the host's target machine: without it LLVM's cost
  // model sees no vector registers and vectorises no loop (the code
  // generator targets the host anyway).
  auto machineBuilder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!machineBuilder)
    return makeError("cannot describe the host CPU: " +
                     llvm::toString(machineBuilder.takeError()));
  machineBuilder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  auto machine = machineBuilder->createTargetMachine();
  if (!machine)
    return makeError("cannot create a target machine for the host: " +
                     llvm::toString(machine.takeError()));
  // `transformer` is a function_ref: the callable must outlive create().
  std::function<llvm::Error(llvm::Module *)> optimize =
      makeOptimizingTransformer(/*optLevel=*/3, /*sizeLevel=*/0,
                                /*targetMachine=*/machine->get());
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = optimize;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  // Parallel loops call the OpenMP runtime (__kmpc_fork_call, ...); code
  // without them needs no runtime loaded.
  bool usesOpenMP = module
                        ->walk([](Operation *op) {
                          return isa<omp::OpenMPDialect>(op->getDialect())
                                     ? WalkResult::interrupt()
                                     : WalkResult::advance();
                        })
                        .wasInterrupted();
  SmallVector<StringRef> sharedLibs;
  if (usesOpenMP)
    sharedLibs.push_back(openMPRuntimePath());
  engineOptions.sharedLibPaths = sharedLibs;
  auto engine = ExecutionEngine::create(*module, engineOptions);
  if (!engine)
    return makeError("JIT compilation failed: " +
                     llvm::toString(engine.takeError()) + diagnostics);
  // Large buffers are reused from call to call (BufferCache.h): the
  // compiled code's malloc and free resolve to the cache.
  (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    symbols[interner("malloc")] = {
        llvm::orc::ExecutorAddr::fromPtr(&hdp::runtime::cachedMalloc),
        llvm::JITSymbolFlags::Exported};
    symbols[interner("free")] = {
        llvm::orc::ExecutorAddr::fromPtr(&hdp::runtime::cachedFree),
        llvm::JITSymbolFlags::Exported};
    return symbols;
  });
  jit->engine = std::move(*engine);
  return jit;
}

std::vector<std::string> JitModule::functionNames() const {
  std::vector<std::string> names;
  for (const auto &entry : signatures)
    names.push_back(entry.first);
  return names;
}

Expected<std::vector<npy::Array>>
JitModule::run(StringRef name, const std::vector<npy::Array> &inputs,
               const std::vector<std::string> &inputNames, unsigned repetitions,
               std::vector<double> *timesMs) {
  auto it = signatures.find(name.str());
  if (it == signatures.end()) {
    std::string known;
    for (const auto &entry : signatures)
      known += (known.empty() ? "@" : ", @") + entry.first;
    return makeError("--function=" + name + ": no public function @" + name +
                     " in the module (it has " +
                     (known.empty() ? std::string("none") : known) + ")");
  }
  const Signature &sig = it->second;
  if (resultsAreOutParams)
    return makeError("@" + name +
                     " was compiled with its results as out-params; it runs "
                     "through runDense only");
  if (inputs.size() != sig.args.size())
    return makeError("@" + name + " takes " + llvm::Twine(sig.args.size()) +
                     " argument(s); got " + llvm::Twine(inputs.size()) +
                     " --input file(s)");

  // Convert inputs and check shapes against the argument types.
  std::vector<std::vector<uint8_t>> buffers;
  for (size_t i = 0; i < inputs.size(); ++i) {
    RankedTensorType type = sig.args[i];
    const npy::Array &array = inputs[i];
    StringRef inputName = inputNames[i];
    bool fits = array.rank() == type.getRank();
    for (int64_t d = 0; fits && d < type.getRank(); ++d)
      fits = type.isDynamicDim(d) || type.getDimSize(d) == array.shape[d];
    if (!fits)
      return makeError(inputName + ": shape " + npy::formatShape(array.shape) +
                       " does not fit argument #" + llvm::Twine(i) + " of @" +
                       name + ", " + typeString(type));
    Expected<std::vector<uint8_t>> bytes =
        convertInput(array, type.getElementType(), inputName);
    if (!bytes)
      return bytes.takeError();
    buffers.push_back(std::move(*bytes));
  }

  // Results: one contiguous struct of descriptors.
  size_t resultWords = 0;
  for (RankedTensorType t : sig.results)
    resultWords += Descriptor::numWords(t.getRank());
  std::vector<int64_t> resultStorage(std::max<size_t>(resultWords, 1), 0);
  llvm::SmallPtrSet<void *, 8> inputBuffers;
  for (const std::vector<uint8_t> &b : buffers)
    inputBuffers.insert(const_cast<uint8_t *>(b.data()));
  // Frees what one call returned (each allocation once, never an input).
  auto freeResults = [&] {
    llvm::SmallPtrSet<void *, 8> freed = inputBuffers;
    const int64_t *words = resultStorage.data();
    for (RankedTensorType t : sig.results) {
      void *allocated = reinterpret_cast<void *>(words[0]);
      if (allocated && freed.insert(allocated).second)
        hdp::runtime::cachedFree(allocated);
      words += Descriptor::numWords(t.getRank());
    }
  };

  int64_t *results = sig.results.empty() ? nullptr : resultStorage.data();
  for (unsigned rep = 0; rep < std::max(1u, repetitions); ++rep) {
    if (rep > 0)
      freeResults();
    // Descriptors are rebuilt each time: the callee may not modify them,
    // but inputs must be pristine for every repetition.
    std::vector<Descriptor> descs;
    for (size_t i = 0; i < inputs.size(); ++i)
      descs.push_back(
          Descriptor::forBuffer(buffers[i].data(), inputs[i].shape));
    auto start = std::chrono::steady_clock::now();
    if (Error e = callCInterface(*engine, name, descs, results))
      return e;
    auto stop = std::chrono::steady_clock::now();
    if (timesMs)
      timesMs->push_back(
          std::chrono::duration<double, std::milli>(stop - start).count());
  }

  std::vector<npy::Array> outputs;
  const int64_t *words = resultStorage.data();
  for (RankedTensorType t : sig.results) {
    Expected<npy::DType> dtype = dtypeFor(t.getElementType());
    if (!dtype)
      return dtype.takeError();
    outputs.push_back(readResult(words, t.getRank(), *dtype));
    words += Descriptor::numWords(t.getRank());
  }
  freeResults();
  return outputs;
}

Error JitModule::runDense(StringRef name, ArrayRef<const void *> inputs,
                          ArrayRef<void *> outputs) {
  auto it = signatures.find(name.str());
  if (it == signatures.end())
    return makeError("no public function @" + name + " in the module");
  const Signature &sig = it->second;
  if (inputs.size() != sig.args.size() || outputs.size() != sig.results.size())
    return makeError("@" + name + " takes " + Twine(sig.args.size()) +
                     " argument(s) and has " + Twine(sig.results.size()) +
                     " result(s); got " + Twine(inputs.size()) + " and " +
                     Twine(outputs.size()));
  std::vector<unsigned> resultSizes;
  for (RankedTensorType t : sig.results) {
    Expected<npy::DType> dtype = dtypeFor(t.getElementType());
    if (!dtype)
      return dtype.takeError();
    resultSizes.push_back(npy::dtypeSize(*dtype));
  }
  std::vector<Descriptor> descs;
  llvm::SmallPtrSet<void *, 8> inputBuffers;
  for (auto [input, type] : llvm::zip(inputs, sig.args)) {
    if (!type.hasStaticShape())
      return makeError("@" + name + ": runDense needs static argument shapes");
    void *data = const_cast<void *>(input);
    inputBuffers.insert(data);
    descs.push_back(Descriptor::forBuffer(data, type.getShape()));
  }
  if (resultsAreOutParams)
    return invokeWithOutParams(*engine, name, sig.args, sig.results,
                               resultSizes, inputs, std::move(descs), outputs);
  size_t resultWords = 0;
  for (RankedTensorType t : sig.results)
    resultWords += Descriptor::numWords(t.getRank());
  std::vector<int64_t> resultStorage(std::max<size_t>(resultWords, 1), 0);
  if (Error e =
          callCInterface(*engine, name, descs,
                         sig.results.empty() ? nullptr : resultStorage.data()))
    return e;
  // Copies, then frees each allocation once (never an input).
  const int64_t *words = resultStorage.data();
  for (auto [t, size, out] : llvm::zip(sig.results, resultSizes, outputs)) {
    if (out)
      copyResult(words, t.getRank(), size, static_cast<uint8_t *>(out));
    words += Descriptor::numWords(t.getRank());
  }
  words = resultStorage.data();
  for (RankedTensorType t : sig.results) {
    void *allocated = reinterpret_cast<void *>(words[0]);
    if (allocated && inputBuffers.insert(allocated).second)
      hdp::runtime::cachedFree(allocated);
    words += Descriptor::numWords(t.getRank());
  }
  return Error::success();
}

OwningOpRef<ModuleOp>
buildAttentionModule(MLIRContext &context, ArrayRef<int64_t> queryShape,
                     ArrayRef<int64_t> keyShape, ArrayRef<int64_t> valueShape,
                     const std::vector<int64_t> *maskShape,
                     hdp::ConfigAttr config, unsigned numResults,
                     StringRef functionName) {
  context.loadDialect<func::FuncDialect, hdp::HDPDialect>();
  OpBuilder b(&context);
  Location loc = UnknownLoc::get(&context);
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());

  Type f32 = b.getF32Type();
  auto tensor = [&](ArrayRef<int64_t> shape, Type elt) {
    return RankedTensorType::get(shape, elt);
  };
  int64_t B = queryShape[0], H = queryShape[1], N = queryShape[2],
          M = keyShape[2], Dv = valueShape[3];
  int64_t NB = llvm::divideCeil(N, config.getBlockRows());
  int64_t MB = llvm::divideCeil(M, config.getBlockCols());
  SmallVector<Type> argTypes = {tensor(queryShape, f32), tensor(keyShape, f32),
                                tensor(valueShape, f32)};
  if (maskShape)
    argTypes.push_back(tensor(*maskShape, f32));
  SmallVector<Type> resultTypes = {
      tensor({B, H, N, Dv}, f32), tensor({B, H, NB, MB}, b.getI1Type()),
      tensor({B, H}, b.getI1Type()), tensor({B, H}, b.getI64Type())};
  resultTypes.resize(numResults);

  auto func = func::FuncOp::create(b, loc, functionName,
                                   b.getFunctionType(argTypes, resultTypes));
  Block *body = func.addEntryBlock();
  b.setInsertionPointToStart(body);
  Value mask = maskShape ? body->getArgument(3) : Value();
  auto attention = hdp::AttentionOp::create(
      b, loc, resultTypes, body->getArgument(0), body->getArgument(1),
      body->getArgument(2), mask, config);
  func::ReturnOp::create(b, loc, attention.getResults());
  return module;
}

} // namespace hdp::runtime
