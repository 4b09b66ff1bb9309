"""Writes MLIR text nested N levels deep.

  deep_ir.py KIND N PATH

KIND is regions (N nested unregistered ops, each with a region), types (a
function argument of N nested tuple types) or attrs (N nested arrays in an
attribute dictionary).
"""

import sys

kind, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if kind == "regions":
    text = (
        "func.func @f() {\n"
        + '  "test.op"() ({\n' * n
        + "  }) : () -> ()\n" * n
        + "  return\n}\n"
    )
elif kind == "types":
    text = "func.func @f(%a: " + "tuple<" * n + "i32" + ">" * n + ") {\n  return\n}\n"
elif kind == "attrs":
    text = "func.func @f() attributes {a = " + "[" * n + "]" * n + "} {\n  return\n}\n"
else:
    sys.exit("deep_ir.py: unknown kind " + kind)
with open(path, "w") as f:
    f.write(text)
