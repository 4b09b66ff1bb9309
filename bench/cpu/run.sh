#!/usr/bin/env bash
# hdp CPU benchmark: dense attention by upstream MLIR, hdp-cpu at several rho,
# the reference and PyTorch, side by side in one run (see bench/README.md).
#
#   bench/cpu/run.sh [--quick] [--sizes 128,512,2048] [--reps R] [--no-install] ...
#
# Builds nothing: expects build/bin/hdp-run (scripts/setup.sh; or --build-dir /
# HDP_BUILD_DIR). Installs its optional Debian packages when they are absent
# (python3-torch for the PyTorch baseline, libopenblas0-pthread so that PyTorch
# and numpy do not run on Debian's slow reference BLAS, python3-matplotlib for
# the chart) unless --no-install is given; without root it says what is
# missing and goes on. Every other option goes to bench.py (--help).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

install=1
args=()
for a in "$@"; do
  case $a in
    --no-install) install=0 ;;
    *) args+=("$a") ;;
  esac
done

if [[ ! -x /usr/bin/python3 ]] || ! /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  echo "bench: error: /usr/bin/python3 with numpy is required (apt-get install python3-numpy)" >&2
  exit 1
fi

optional=(python3-torch libopenblas0-pthread python3-matplotlib)
is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}
missing=()
for p in "${optional[@]}"; do
  is_installed "$p" || missing+=("$p")
done
if ((${#missing[@]})); then
  if ((install)) && [[ $(id -u) -eq 0 ]]; then
    echo "bench: installing ${missing[*]}"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "${missing[@]}" >/dev/null; }; then
      echo "bench: warning: apt-get could not install ${missing[*]}; going on without them" >&2
    fi
  else
    why=$( ((install)) && echo "not root" || echo "--no-install")
    echo "bench: note: optional packages missing (${why}): ${missing[*]}"
  fi
fi

exec /usr/bin/python3 "$here/bench.py" "${args[@]+"${args[@]}"}"
