#!/usr/bin/env bash
# Quality against sparsity of hdp attention on tinystories-260K: builds
# hdp-eval (scripts/setup.sh), installs matplotlib if it is missing, then runs
# bench/accuracy/sweep.py, which writes accuracy.csv and PNG plots into
# $BUILD_DIR/accuracy (or --out-dir) and prints a summary table.
#
#   bash bench/accuracy/sweep.sh            # every figure (~10-20 min on 2 cores)
#   bash bench/accuracy/sweep.sh --quick    # the main figure only (~2 min)
#
# Arguments are passed to sweep.py (--help lists them). BUILD_DIR and JOBS as
# in scripts/setup.sh.
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
exec "$PY" bench/accuracy/sweep.py --hdp-eval "$BUILD_DIR/bin/hdp-eval" \
  --out-dir "$BUILD_DIR/accuracy" "$@"
