#!/usr/bin/env bash
# Python tests against an AddressSanitizer + UBSan build of the extension:
#
#   bash tools/asan_pytest.sh [pytest arguments]     (default: the interop tests)
#
# Builds pyautograd with -DPYAG_SANITIZE=ON into its own venv (build/asan-venv, with the system
# site packages, so NumPy and PyTorch come from there), then runs pytest from tests/ with the
# sanitizer runtime preloaded into the (unsanitized) interpreter. Leak checking is off: CPython
# and its extension modules keep memory until exit by design; use-after-free, double free and
# out-of-bounds accesses abort the run. The C++ side of the same logic also runs under ctest's
# asan preset (cpp/tests).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/build/asan-venv"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv --system-site-packages "$venv"
fi
"$venv/bin/python" -m pip install -q scikit-build-core pybind11 scipy-openblas32 pytest
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"
command -v ccache >/dev/null 2>&1 && export CMAKE_CXX_COMPILER_LAUNCHER=ccache
"$venv/bin/python" -m pip install -q --no-build-isolation --no-deps \
  -Ccmake.define.PYAG_SANITIZE=ON -Ccmake.build-type=RelWithDebInfo \
  -Cbuild-dir="$root/build/asan-py" "$root"

asan="$("${CXX:-c++}" -print-file-name=libasan.so)"
[ -f "$asan" ] || { echo "asan_pytest: libasan.so not found (is the compiler GCC?)" >&2; exit 1; }
# libstdc++ too: python does not link it, and ASan's __cxa_throw interceptor needs the real one
# loaded first (else the first C++ exception aborts with "real___cxa_throw != 0").
cxx_lib="$("${CXX:-c++}" -print-file-name=libstdc++.so)"
if [ $# -eq 0 ]; then
  set -- -q test_dlpack.py test_tensor_interop.py
fi
cd "$root/tests"
LD_PRELOAD="$asan $cxx_lib" \
  ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  PYTHONMALLOC=malloc \
  "$venv/bin/python" -m pytest -p no:cacheprovider "$@"
