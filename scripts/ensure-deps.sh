#!/usr/bin/env bash
# Installs, from Debian's packages, what a build part needs when it is missing.
#   scripts/ensure-deps.sh test   -> Criterion (tests), yajl (rcgc-inspect), graphviz, valgrind, node,
#                                    clang (the clang and fuzz modes), python3-dev, -setuptools,
#                                    -pytest, -numpy, -objgraph (python/)
#   scripts/ensure-deps.sh demo   -> yajl (rcgc-inspect), graphviz (optional pictures),
#                                    python3-dev, -setuptools, -numpy, -objgraph (python/)
#   scripts/ensure-deps.sh bench  -> php-cli, libgc-dev (benchmark anchors, classic
#                                    benchmarks), libmimalloc-dev (classic benchmarks),
#                                    valgrind (instruction counts), python3-dev,
#                                    -setuptools, -numpy, -objgraph (rcgc for Python
#                                    beside objgraph)
#   scripts/ensure-deps.sh fuzz   -> clang, yajl (rcgc-inspect's fuzz target)
# Needs root for apt-get; when not root and something is missing, prints the
# exact command to run and exits non-zero.
set -u
part=${1:-test}
need=()
have_py() { /usr/bin/python3 -c "import $1" >/dev/null 2>&1; }
# rcgc's CPython extension (python/): Debian's interpreter with its headers,
# setuptools to build, pytest to test, numpy and objgraph for the examples
python_deps() {
  ls /usr/include/python3*/Python.h >/dev/null 2>&1 || need+=(python3-dev)
  have_py setuptools || need+=(python3-setuptools)
  have_py numpy || need+=(python3-numpy)
  have_py objgraph || need+=(python3-objgraph)
  [ "$1" = test ] && { have_py pytest || need+=(python3-pytest); }
  return 0
}
have_header() { echo "#include <$1>" | ${CC:-cc} -E -x c - >/dev/null 2>&1; }
case "$part" in
  test)
    have_header criterion/criterion.h || need+=(libcriterion-dev)
    have_header yajl/yajl_parse.h || need+=(libyajl-dev)
    command -v pkg-config >/dev/null || need+=(pkg-config)
    command -v node >/dev/null || need+=(nodejs)
    command -v dot >/dev/null || need+=(graphviz)
    command -v valgrind >/dev/null || need+=(valgrind)
    command -v clang >/dev/null || need+=(clang)
    python_deps test
    ;;
  demo)
    have_header yajl/yajl_parse.h || need+=(libyajl-dev)
    command -v dot >/dev/null || need+=(graphviz)
    python_deps demo
    ;;
  bench)
    command -v php >/dev/null || need+=(php-cli)
    have_header gc.h || need+=(libgc-dev)
    have_header mimalloc.h || need+=(libmimalloc-dev)
    command -v valgrind >/dev/null || need+=(valgrind)
    python_deps bench
    ;;
  fuzz)
    command -v clang >/dev/null || need+=(clang)
    have_header yajl/yajl_parse.h || need+=(libyajl-dev)
    ;;
esac
[ ${#need[@]} -eq 0 ] && exit 0
echo "rcgc: installing from Debian's packages: ${need[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "rcgc: not root; please run: sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null || {
  echo "rcgc: apt-get install ${need[*]} failed; install them by hand" >&2; exit 1; }
