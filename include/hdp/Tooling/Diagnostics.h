//===- Diagnostics.h - How hdp tools report problems -------------*- C++
//-*-===//
//
// Every hdp tool reports a problem as one line on stderr,
//
//   <tool>: error: <where>: <what was expected>
//
// where <where> is the file (with a position when the problem has one) or
// the option at fault, and then exits with 1. Warnings have the same shape.
// InitTool sets the tool name once, in main().
//
//===----------------------------------------------------------------------===//

#ifndef HDP_TOOLING_DIAGNOSTICS_H
#define HDP_TOOLING_DIAGNOSTICS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/InitLLVM.h"

namespace hdp::tooling {

/// What main() of every hdp tool creates first: LLVM's process setup (stack
/// traces, signal handlers that remove registered temporaries on SIGINT and
/// SIGTERM) and the name that prefixes the tool's messages.
class InitTool {
public:
  InitTool(int &argc, char **&argv, llvm::StringRef toolName);

private:
  llvm::InitLLVM initLLVM;
};

/// The name set by InitTool ("hdp" before that).
llvm::StringRef toolName();
/// Sets the name without the rest of InitTool (for tests and for tools whose
/// main() belongs to a framework).
void setToolName(llvm::StringRef name);

/// Prints "<tool>: error: <where>: <what>"; returns the exit code 1.
int fail(const llvm::Twine &where, const llvm::Twine &what);
/// Prints "<tool>: error: <message of e>" for errors whose message already
/// names the file or option (as hdp's readers do); returns 1.
int fail(llvm::Error e);
/// Prints "<tool>: error: <message>" for problems of the command line as a
/// whole; returns 1.
int failUsage(const llvm::Twine &message);
/// Prints "<tool>: warning: <message>".
void warn(const llvm::Twine &message);

/// An error whose message is "<where>: <what>".
llvm::Error errorAt(const llvm::Twine &where, const llvm::Twine &what);

} // namespace hdp::tooling

#endif // HDP_TOOLING_DIAGNOSTICS_H
