#!/usr/bin/env bash
# A short tour: set up and build, make realistic attention inputs, show the
# decomposition of examples/attention.mlir, and run the pruned attention at a
# few settings with a table of sparsity and error against dense attention.
# BUILD_DIR and JOBS as in setup.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD_DIR=${BUILD_DIR:-build}
PY=/usr/bin/python3  # Debian's interpreter, which has numpy

bash scripts/setup.sh
BIN=$BUILD_DIR/bin
DEMO=$BUILD_DIR/demo
mkdir -p "$DEMO"

echo
echo "== 1. realistic inputs (attention sinks, local heads, peaky and flat heads)"
"$PY" utils/make_attention_inputs.py --shape 1,4,64,64,16 --seed 7 --mask causal \
  --out-dir "$DEMO/inputs"

echo
echo "== 2. hdp-opt --hdp-decompose examples/attention.mlir (first lines)"
if [[ ! -f examples/attention.mlir ]]; then
  echo "   (skipped: examples/attention.mlir is not there yet)"
elif [[ ! -x $BIN/hdp-opt ]]; then
  echo "   (skipped: $BIN/hdp-opt was not built)"
# Capture first: head closing the pipe early must not look like a failure.
elif "$BIN/hdp-opt" --hdp-decompose examples/attention.mlir >"$DEMO/decomposed.mlir"; then
  head -n 25 "$DEMO/decomposed.mlir"
  echo "   ... ($(wc -l <"$DEMO/decomposed.mlir") lines in $DEMO/decomposed.mlir)"
else
  echo "   (hdp-opt failed, see above; continuing)"
fi

echo
echo "== 3. hdp-run over rho and tau_H: reference backend and compiled CPU code (JIT)"
"$PY" utils/demo_report.py --inputs "$DEMO/inputs" --hdp-run "$BIN/hdp-run" \
  --work-dir "$DEMO/outputs" --backends reference,cpu
