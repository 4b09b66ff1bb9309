// Stops after raising: not a whole compilation (an error case for hdp-run).
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%module: !transform.any_op) {
    %funcs = transform.structured.match ops{["func.func"]} in %module
        : (!transform.any_op) -> !transform.any_op
    %attention = transform.hdp.raise_attention %funcs
        : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}
