#!/usr/bin/env bash
# The whole test suite: installs pyautograd (and what the tests need), then runs the C++ tests
# (ctest; again under ASan/UBSan/LSan unless PYAG_SKIP_SANITIZERS=1) and the Python tests
# (pytest) against the installed package. Extra arguments go to pytest (e.g. -m slow).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"

# GoogleTest for the C++ tests: Debian's libgtest-dev, installed when missing and possible.
if [ ! -f /usr/include/gtest/gtest.h ] && command -v apt-get >/dev/null 2>&1; then
  sudo_="" && [ "$(id -u)" != 0 ] && sudo_="sudo"
  $sudo_ apt-get update -qq && $sudo_ apt-get install -y -qq libgtest-dev >/dev/null
fi

echo "== install pyautograd and the test and mpi extras"
# The mpi extra (mpi4py + the Open MPI wheel) runs the distributed tests on real MPI processes.
"$python" -m pip install -q ".[test,mpi]"
# PyTorch is the oracle of the comparison tests (they skip without it). torch==2.13.0 is the
# CPU build this project tests against; PYAG_NO_TORCH=1 skips it.
if [ "${PYAG_NO_TORCH:-0}" != 1 ]; then
  "$python" -m pip install -q torch==2.13.0
fi

echo "== C++ tests (ctest)"
"$python" -m pip install -q scipy-openblas32 cmake ninja
py_exe="-DPython_EXECUTABLE=$(command -v "$python")"
cmake --preset default "$py_exe" >/dev/null
cmake --build --preset default -j 2
ctest --preset default

if [ "${PYAG_SKIP_SANITIZERS:-0}" != 1 ]; then
  echo "== C++ tests under AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer"
  cmake --preset asan "$py_exe" >/dev/null
  cmake --build --preset asan -j 2
  ctest --preset asan
fi

echo "== Python tests (pytest)"
# Run from tests/ so that the installed package is imported, not the source tree.
cd tests && "$python" -m pytest -q "$@"
