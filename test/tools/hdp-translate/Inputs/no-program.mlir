// Modules without an hdp_accel.program, for --verify-diagnostics and
// --split-input-file.

// expected-error @below {{--hdp-to-hdpc expects exactly one hdp_accel.program, found 0}}
module {
}

// -----

// expected-error @below {{found 0}}
module {
  func.func @f() {
    return
  }
}
