#!/usr/bin/env bash
# Installs, from Debian's packages, what a build part needs when it is missing.
#   scripts/ensure-deps.sh test   -> Criterion (tests), yajl (rcgc-inspect), graphviz, valgrind, node
#   scripts/ensure-deps.sh demo   -> yajl (rcgc-inspect), graphviz (optional pictures)
#   scripts/ensure-deps.sh bench  -> php-cli, libgc-dev (benchmark anchors, classic
#                                    benchmarks), libmimalloc-dev (classic benchmarks),
#                                    valgrind (instruction counts)
#   scripts/ensure-deps.sh fuzz   -> clang, yajl (rcgc-inspect's fuzz target)
# Needs root for apt-get; when not root and something is missing, prints the
# exact command to run and exits non-zero.
set -u
part=${1:-test}
need=()
have_header() { echo "#include <$1>" | ${CC:-cc} -E -x c - >/dev/null 2>&1; }
case "$part" in
  test)
    have_header criterion/criterion.h || need+=(libcriterion-dev)
    have_header yajl/yajl_parse.h || need+=(libyajl-dev)
    command -v pkg-config >/dev/null || need+=(pkg-config)
    command -v node >/dev/null || need+=(nodejs)
    command -v dot >/dev/null || need+=(graphviz)
    command -v valgrind >/dev/null || need+=(valgrind)
    ;;
  demo)
    have_header yajl/yajl_parse.h || need+=(libyajl-dev)
    command -v dot >/dev/null || need+=(graphviz)
    ;;
  bench)
    command -v php >/dev/null || need+=(php-cli)
    have_header gc.h || need+=(libgc-dev)
    have_header mimalloc.h || need+=(libmimalloc-dev)
    command -v valgrind >/dev/null || need+=(valgrind)
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
