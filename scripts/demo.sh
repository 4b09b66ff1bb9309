#!/usr/bin/env bash
# The hdp demo: set up and build, then take a BERT self-attention layer as
# torch-mlir writes it in linalg, raise it to hdp.attention, run the pruned
# attention compiled for the CPU and on the simulated HDP co-processor, and
# print short tables of sparsity, error, speed, cycles and energy; end with
# quality against sparsity on a real trained model (tinystories-260K).
# BUILD_DIR and JOBS as in setup.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD_DIR=${BUILD_DIR:-build}
PY=/usr/bin/python3  # Debian's interpreter, which has numpy

bash scripts/setup.sh
BIN=$BUILD_DIR/bin
DEMO=$BUILD_DIR/demo
rm -rf "$DEMO"
mkdir -p "$DEMO"

echo
echo "== 1. realistic inputs: B=1, H=4, N=M=128, D=64, causal mask (attention sinks, local heads)"
"$PY" utils/make_attention_inputs.py --shape 1,4,128,128,64 --seed 7 --mask causal \
  --out-dir "$DEMO/inputs" >/dev/null
ls "$DEMO/inputs"

echo
echo "== 2. frontend linalg IR -> hdp.attention (hdp-opt --hdp-raise-attention)"
"$BIN/hdp-opt" examples/bert_self_attention.mlir \
  --hdp-raise-attention="config='#hdp.config<rho = 0.3>'" -o "$DEMO/raised.mlir"
grep -o 'hdp.attention config #hdp.config<[^>]*>[^:]*' "$DEMO/raised.mlir"
echo "   ... then hdp-decompose splits it into the HDP stages:"
"$BIN/hdp-opt" "$DEMO/raised.mlir" --hdp-decompose | grep -o 'hdp\.[a-z_]*' | grep -v 'hdp.config' \
  | uniq | tr '\n' ' '
echo

echo
echo "== 3. pruned attention compiled for the CPU (raised program vs the frontend's dense linalg)"
"$PY" utils/demo_pipeline.py --bin "$BIN" --frontend examples/bert_self_attention.mlir \
  --function bert_self_attention --inputs "$DEMO/inputs" --work-dir "$DEMO/cpu"

echo
echo "== 4. rho and tau_H: every backend against the independent numpy implementation"
"$PY" utils/demo_report.py --inputs "$DEMO/inputs" --hdp-run "$BIN/hdp-run" \
  --work-dir "$DEMO/outputs" --backends reference,cpu,sim

echo
echo "== 5. the HDP co-processor (hdp-sim), HDP-Edge and HDP-Server, rho = 0.3 against the dense engine"
"$PY" utils/demo_pipeline.py --bin "$BIN" --frontend examples/bert_self_attention.mlir \
  --function bert_self_attention --inputs "$DEMO/inputs" --work-dir "$DEMO/sim" --skip-cpu \
  --accel-configs configs/hdp-edge.json,configs/hdp-server.json

echo
echo "== 6. quality against sparsity on a real trained model (tinystories-260K, first 3 stories"
echo "      of the held-out excerpt; shifts calibrated per layer; bench/accuracy/sweep.sh for all)"
"$PY" bench/accuracy/sweep.py --demo --max-docs 3 --hdp-eval "$BIN/hdp-eval" \
  --out-dir "$DEMO/accuracy" | grep -v '^wrote '
echo "   mass-lost is the dense attention probability on the blocks hdp skipped: on this model the"
echo "   specified importance (sum of |S_int|) prunes the blocks it attends to, so quality falls"
echo "   fast; the signed experiment keeps it. Full figures and what they mean: docs/accuracy.md"
