//===- Diagnostics.cpp - How hdp tools report problems --------------------===//

#include "hdp/Tooling/Diagnostics.h"

#include "llvm/Support/raw_ostream.h"

#include <string>

using namespace llvm;

namespace hdp::tooling {

namespace {
std::string &nameStorage() {
  static std::string name = "hdp";
  return name;
}
} // namespace

InitTool::InitTool(int &argc, char **&argv, StringRef toolName)
    : initLLVM(argc, argv) {
  setToolName(toolName);
}

StringRef toolName() { return nameStorage(); }
void setToolName(StringRef name) { nameStorage() = name.str(); }

int fail(const Twine &where, const Twine &what) {
  errs() << toolName() << ": error: " << where << ": " << what << "\n";
  return 1;
}

int fail(Error e) {
  errs() << toolName() << ": error: " << toString(std::move(e)) << "\n";
  return 1;
}

int failUsage(const Twine &message) {
  errs() << toolName() << ": error: " << message << "\n";
  return 1;
}

void warn(const Twine &message) {
  errs() << toolName() << ": warning: " << message << "\n";
}

Error errorAt(const Twine &where, const Twine &what) {
  return createStringError(inconvertibleErrorCode(), where + ": " + what);
}

} // namespace hdp::tooling
