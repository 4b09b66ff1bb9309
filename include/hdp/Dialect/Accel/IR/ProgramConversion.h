//===- ProgramConversion.h - program op <-> accel::Program ------*- C++ -*-===//
//
// The two forms of a command stream: the C++ hdp::accel::Program that the
// stream builder, the .hdpc reader/writer and the simulator use, and the
// hdp_accel.program op. The conversions are lossless both ways for every
// program the .hdpc reader accepts.
//
//===----------------------------------------------------------------------===//

#ifndef HDP_DIALECT_ACCEL_IR_PROGRAMCONVERSION_H
#define HDP_DIALECT_ACCEL_IR_PROGRAMCONVERSION_H

#include "hdp/Dialect/Accel/IR/Accel.h"
#include "hdp/ISA/Program.h"

#include "mlir/IR/Builders.h"

#include <optional>

namespace hdp::accel_ir {

/// The opcode of a command op; std::nullopt for any other op.
std::optional<accel::Opcode> opcodeOf(mlir::Operation *op);

/// The command an op stands for. `op` must be a command op (opcodeOf).
accel::Command commandOf(mlir::Operation *op);

/// Builds the op of `command` at the builder's insertion point. Fails, with
/// an error at `loc`, when the command has fields its op cannot carry (only
/// possible for commands checkProgram refuses).
mlir::FailureOr<mlir::Operation *> buildCommandOp(mlir::OpBuilder &builder,
                                                  mlir::Location loc,
                                                  const accel::Command &cmd);

/// Header attributes of a program.
TargetAttr targetAttrOf(mlir::MLIRContext *ctx,
                        const accel::AccelSignature &accel);
AttentionAttr attentionAttrOf(mlir::MLIRContext *ctx,
                              const accel::AttentionParams &params);
ShapeAttr shapeAttrOf(mlir::MLIRContext *ctx,
                      const accel::AttentionShape &shape);

/// Builds `hdp_accel.program @name` holding every command of `program`.
mlir::FailureOr<ProgramOp> buildProgramOp(mlir::OpBuilder &builder,
                                          mlir::Location loc,
                                          llvm::StringRef name,
                                          const accel::Program &program);

/// The C++ program of an op, without validation (checkProgram does that;
/// the op's verifier calls it). Fails, with an error at the op, when the body
/// holds an op that is not a command.
mlir::FailureOr<accel::Program> programOf(ProgramOp op);

} // namespace hdp::accel_ir

#endif // HDP_DIALECT_ACCEL_IR_PROGRAMCONVERSION_H
