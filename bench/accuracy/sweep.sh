#!/usr/bin/env bash
# Quality against sparsity of hdp attention on both model families, the
# decoder tinystories-260K and the encoder tinystories-bert-mlm: builds
# hdp-eval (scripts/setup.sh), installs matplotlib if it is missing, then runs
# bench/accuracy/sweep.py once per model, which writes accuracy.csv and PNG
# plots into $BUILD_DIR/accuracy/<model> and prints a summary table.
#
#   bash bench/accuracy/sweep.sh            # every figure of both models
#   bash bench/accuracy/sweep.sh --quick    # the main figure of each (~10 min each on 2 cores)
#   bash bench/accuracy/sweep.sh --model encoder   # one model
#
# Other arguments are passed to sweep.py (--help lists them). BUILD_DIR and
# JOBS as in scripts/setup.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
BUILD_DIR=${BUILD_DIR:-build}
PY=/usr/bin/python3  # Debian's interpreter, with numpy and matplotlib

bash scripts/setup.sh
if ! "$PY" -c 'import matplotlib' 2>/dev/null; then
  if [[ $(id -u) -eq 0 ]]; then
    echo "sweep: installing python3-matplotlib for the plots"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3-matplotlib >/dev/null ||
      echo "sweep: could not install python3-matplotlib (no plots, CSV and table only)"
  else
    echo "sweep: python3-matplotlib is missing (not root: no plots, CSV and table only)"
  fi
fi
models=(decoder encoder)
args=()
while (($#)); do
  case $1 in
  --model) models=("$2"); shift 2 ;;
  --model=*) models=("${1#--model=}"); shift ;;
  *) args+=("$1"); shift ;;
  esac
done
for model in "${models[@]}"; do
  "$PY" bench/accuracy/sweep.py --model "$model" \
    --hdp-eval "$BUILD_DIR/bin/hdp-eval" \
    --out-dir "$BUILD_DIR/accuracy/$model" "${args[@]}"
done
if [[ -f $BUILD_DIR/accuracy/decoder/accuracy.csv &&
      -f $BUILD_DIR/accuracy/encoder/accuracy.csv ]] &&
   "$PY" -c 'import matplotlib' 2>/dev/null; then
  "$PY" bench/accuracy/compare_models.py \
    --decoder "$BUILD_DIR/accuracy/decoder/accuracy.csv" \
    --encoder "$BUILD_DIR/accuracy/encoder/accuracy.csv" \
    --out "$BUILD_DIR/accuracy/both_models.png"
fi
