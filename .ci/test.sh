#!/usr/bin/env bash
# The whole test suite: installs pyautograd (and what the tests need), then runs the C++ tests
# (ctest; again under ASan/UBSan/LSan with PYAG_SANITIZERS=1) and the Python tests
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

echo "== install pyautograd (with its C++ unit tests) and the test and mpi extras"
# One Release build serves both: the wheel's build directory (build/ci) also builds the C++
# tests (PYAG_BUILD_TESTS=ON; they are not installed), so the core is compiled once, and ctest
# tests the very objects the installed module runs. Without build isolation the build reads
# OpenBLAS from this environment's scipy-openblas32, which the test executables then load.
"$python" -m pip install -q "scikit-build-core>=0.10" "pybind11>=3.1,<3.2" scipy-openblas32 cmake ninja
# The mpi extra (mpi4py + the Open MPI wheel) runs the distributed tests on real MPI processes.
"$python" -m pip install -q --no-build-isolation -C build-dir=build/ci \
  -C cmake.define.PYAG_BUILD_TESTS=ON ".[test,mpi]"
# PyTorch is the oracle of the comparison tests (they skip without it). torch==2.13.0 is the
# CPU build this project tests against; PYAG_NO_TORCH=1 skips it.
if [ "${PYAG_NO_TORCH:-0}" != 1 ]; then
  "$python" -m pip install -q torch==2.13.0
fi

echo "== C++ tests (ctest)"
ctest --test-dir build/ci --output-on-failure --no-tests=error -j 4

# The sanitizer build is a third compile of the core (about 12 minutes on 2 cores): with it CI
# took 35 minutes, over its 30-minute budget, so it is opt-in; the team runs it before each landing.
if [ "${PYAG_SANITIZERS:-0}" = 1 ]; then
  echo "== C++ tests under AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer"
  cmake --preset asan "-DPython_EXECUTABLE=$(command -v "$python")" >/dev/null
  cmake --build --preset asan -j 2
  ctest --preset asan
fi

echo "== Python tests (pytest)"
# Run from tests/ so that the installed package is imported, not the source tree.
cd tests && "$python" -m pytest -q "$@"
