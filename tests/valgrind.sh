#!/usr/bin/env bash
# Runs every test executable of a build directory (the release build of
# `make test`) under valgrind memcheck:
#   tests/valgrind.sh [BUILD_DIR]            (default build/release-tests)
# Each binary runs as `valgrind --trace-children=yes ... <test> --jobs 1`:
# Criterion runs every test in a child process, which valgrind follows. Any
# memcheck error, or a definite leak, makes valgrind exit 99. Tests labelled
# "slow" are skipped (10,000,000-object runs take minutes under valgrind) and
# so are non-ELF test commands and programs outside the build directory
# (script tests run /bin/sh, node or dot, whose memcheck reports are theirs).
# Binaries run VALGRIND_JOBS at a time (default: the number of CPUs); VALGRIND_BUDGET (seconds, default 540) bounds
# the whole run: binaries not started by then are listed as not run, and the
# run fails. Prints one summary line:
#   valgrind: N binaries, N with zero errors, 0 failed (Ts)
set -uo pipefail
dir=${1:-build/release-tests}
jobs=${VALGRIND_JOBS:-$(nproc 2>/dev/null || echo 2)}
budget=${VALGRIND_BUDGET:-540}
command -v valgrind >/dev/null || { echo "valgrind: not installed (scripts/ensure-deps.sh test)"; exit 1; }
[ -d "$dir" ] || { echo "valgrind: no build directory $dir"; exit 1; }
logs="$dir/valgrind-logs"
rm -rf "$logs" && mkdir -p "$logs"

# The test commands CTest knows, minus slow ones.
mapfile -t cmds < <(ctest --test-dir "$dir" -N -V -LE slow | sed -n 's/^.*Test command: //p')
start=$(date +%s)
total=0; ok=0; failed=(); notrun=()
running=0
declare -A pid_name

finish_one() { # wait for any job, account for it
  local pid rc
  wait -n -p pid; rc=$?
  local name=${pid_name[$pid]}
  running=$((running - 1))
  if [ "$rc" -eq 0 ]; then
    ok=$((ok + 1)); echo "valgrind: ok      $name"
  else
    failed+=("$name"); echo "valgrind: FAILED  $name (exit $rc, log $logs/$name.log)"
    grep -E '==[0-9]+== (Invalid|Conditional|Use of|Mismatched|Syscall|Source and destination)|definitely lost|ERROR SUMMARY: [1-9]' "$logs/$name.log" | head -20
  fi
}

for cmd in "${cmds[@]}"; do
  eval "set -- $cmd"
  exe=${1:-}
  [ -n "$exe" ] && [ -x "$exe" ] || continue
  head -c 4 "$exe" | grep -q 'ELF' || continue
  # only the project's own test programs: a script test runs through
  # /bin/sh into other programs (node, dot) whose memcheck reports are theirs
  case "$(realpath "$exe")" in "$(realpath "$dir")"/*) ;; *) continue ;; esac
  name=$(basename "$exe")
  if [ $(( $(date +%s) - start )) -ge "$budget" ]; then notrun+=("$name"); continue; fi
  while [ "$running" -ge "$jobs" ]; do finish_one; done
  total=$((total + 1))
  # follow Criterion's forked test processes, not programs a test execs
  timeout 600 valgrind -q --trace-children=yes --trace-children-skip='*/sh,*/bash,*/dot,*/node,*/npm,*/env' \
    --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite "$@" >"$logs/$name.log" 2>&1 &
  pid_name[$!]=$name
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do finish_one; done
elapsed=$(( $(date +%s) - start ))
echo "valgrind: $total binaries, $ok with zero errors, ${#failed[@]} failed (${elapsed}s)"
if [ ${#notrun[@]} -gt 0 ]; then
  echo "valgrind: not run within the ${budget}s budget: ${notrun[*]}"
  exit 1
fi
[ ${#failed[@]} -eq 0 ]
