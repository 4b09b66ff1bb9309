// A bad `config` option fails the pass with one clear error naming the
// option, the text given and what is wrong with it, and nothing else (the IR
// is not printed).
// RUN: not hdp-opt --hdp-raise-attention="config='#hdp.config<rho = 2.0>'" %s 2>&1 | count 1

// RUN: not hdp-opt --hdp-raise-attention="config='#hdp.config<rho = 2.0>'" %s 2>&1 | FileCheck %s --check-prefix=RANGE
// RANGE: error: hdp-raise-attention: option 'config' must be a #hdp.config<...> attribute, got '#hdp.config<rho = 2.0>': invalid #hdp.config: rho must be in [-1, 1] (got 2)

// RUN: not hdp-opt --hdp-raise-attention="config='#hdp.config<foo = 1>'" %s 2>&1 | FileCheck %s --check-prefix=KEY
// KEY: error: hdp-raise-attention: option 'config' must be a #hdp.config<...> attribute, got '#hdp.config<foo = 1>': unknown #hdp.config key 'foo'; expected one of int_bits, frac_bits, shift, block, rho, tau_h, policy, importance, topk, approx, softmax, scale

// RUN: not hdp-opt --hdp-raise-attention="config=42" %s 2>&1 | FileCheck %s --check-prefix=KIND
// KIND: error: hdp-raise-attention: option 'config' must be a #hdp.config<...> attribute, got '42'{{$}}

// RUN: not hdp-opt --hdp-raise-attention="config=#hdp.config<" %s 2>&1 | FileCheck %s --check-prefix=SYNTAX
// SYNTAX: error: hdp-raise-attention: option 'config' must be a #hdp.config<...> attribute, got '#hdp.config<': unbalanced '<' character in pretty dialect name

// RUN: not hdp-opt --hdp-raise-attention="config=''" %s 2>&1 | FileCheck %s --check-prefix=EMPTY
// EMPTY: error: hdp-raise-attention: option 'config' must be a #hdp.config<...> attribute, got '': expected attribute value

// Without the option the default configuration is used and the pass succeeds.
// RUN: hdp-opt --hdp-raise-attention %s | FileCheck %s --check-prefix=DEFAULT
// DEFAULT: func.func @f

func.func @f() {
  return
}
