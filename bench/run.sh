#!/usr/bin/env bash
# bench/run.sh -- rcgc's workloads beside CPython, PHP and the Boehm collector,
# in one sitting, then one table of ratios (see bench/README.md).
#
#   bench/run.sh                 build an optimised rcgc, run rcgc_bench under
#                                the default policy, under the default policy
#                                with a pause budget (rcgc-budget) and under
#                                the CPython policy (three processes, one
#                                after the other) and every anchor this
#                                machine has, measure bytes per node, print
#                                the table, write bench/results.json
#   bench/run.sh --quick         smoke test: small sizes, small churn/grow
#                                (anchors run through bench/anchor_* helpers);
#                                writes build/bench/results-quick.json
#   bench/run.sh --instructions  instructions per node of the 1,000,000-node
#                                rings / live-tree / mixed collections,
#                                builds and (live-tree, mixed) frees of the
#                                held tree by reference counting under
#                                callgrind, under both policies, compared
#                                with the committed bench/instructions.json
#                                (git HEAD's); writes bench/instructions.json
#   bench/run.sh --classic       only the classic benchmarks (GCBench,
#                                binary-trees, each acyclic and cyclic) on
#                                rcgc (both policies, the default one
#                                with a pause budget, and automatic
#                                collection off: acyclic only), Boehm, malloc,
#                                mimalloc and CPython; updates the "classic"
#                                part of bench/results.json (with --quick:
#                                small depths, build/bench/results-quick.json)
#   (bench/run.sh and --quick run the classic benchmarks too, after the
#   anchor workloads, and print their table second)
#
# Environment:
#   BENCH_SIZES="100000 1000000"  sizes of rings/live-tree/mixed and of
#                                 live-tree-shuffled/mixed-shuffled
#                                 (default 100000 1000000 4000000; quick 100000)
#   BENCH_MEMORY_NODES=N          tree size for bytes per node (default 4000000)
#   BENCH_BIGTREE="LIVE RINGS"    the pause workload bigtree: held tree, rings
#                                 dropped (default 4000000 2000000; quick
#                                 200000 100000)
#   BENCH_CYCLECHURN="LIVE REPL"  the pause workload cyclechurn: nodes held in
#                                 cycles, replacements (default 1000000
#                                 2000000; quick 50000 100000)
#   BENCH_BUDGET_US=N             the pause budget in microseconds of the
#                                 system rcgc-budget: rcgc_bench and
#                                 classic_rcgc under the default policy with
#                                 --budget N (rcgc_set_pause_budget), each
#                                 slice a pause (default 1000: 1 ms)
#   BENCH_INSTR_NODES=N           size for --instructions (default 1000000)
#   BENCH_QUICK=1                 same as --quick
#   BENCH_SKIP="php boehm"        systems not to run (php, cpython, boehm,
#                                 rcgc-cpython: rcgc_bench under the CPython
#                                 policy; rcgc-budget: with a pause budget;
#                                 classic: malloc, mimalloc, rcgc-off:
#                                 classic_rcgc with automatic collection
#                                 off, rcgc-strict: with the budget and
#                                 --strict, RCGC_CONFIG_STRICT_STORES), or
#                                 "classic", or "python" (rcgc for Python
#                                 beside objgraph, last in a full run), or
#                                 "pauses" (bigtree and cyclechurn), or
#                                 "shuffled" (live-tree-shuffled and
#                                 mixed-shuffled)
#   RCGC_ANCHORS=dir              the anchors (default ../shared/anchors
#                                 beside the repository)
#   BENCH_BIN=path                use this rcgc_bench instead of building one
#                                 (e.g. to compare two revisions); the
#                                 classic_* programs are taken from the same
#                                 directory. One without --policy runs only
#                                 as the library's default (rcgc-cpython is
#                                 skipped); one without --budget skips
#                                 rcgc-budget
#   BENCH_TREE_DEPTHS="16 20"     binary-trees depths (default 16 20; quick 10)
#   BENCH_GCBENCH_DEPTH=N         GCBench's long-lived tree depth (default 16,
#                                 as published; quick 10)
#   BENCH_CPYTHON_DEEP=1          also run CPython's binary-trees deeper than
#                                 16 (several minutes per run at 20)
# Exit status: 0, or 1 when rcgc_bench or a classic_rcgc run failed (crash
# or failed check: see the BUG lines), when the classic benchmarks' check
# lines differ between systems, or when the build failed. Anchors that fail are
# reported and do not fail the run (PHP crashes at exit by design).
set -u

REPO=$(cd "$(dirname "$0")/.." && pwd)
ANCHORS=${RCGC_ANCHORS:-$REPO/../shared/anchors}
BUILD=$REPO/build/bench
OUT=$BUILD/out
BIN=${BENCH_BIN:-$BUILD/bench/rcgc_bench}
CLASSIC_BIN=$(dirname "$BIN")

mode=full
classic_only=0
[ "${BENCH_QUICK:-0}" = 1 ] && mode=quick
for arg in "$@"; do
  case "$arg" in
    --quick) mode=quick ;;
    --instructions) mode=instructions ;;
    --classic) classic_only=1 ;;
    -h|--help) awk 'NR > 1 && /^set -u/ { exit } NR > 1' "$0"; exit 0 ;;
    *) echo "bench: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

say() { echo "bench: $*" >&2; }

# The pause budget of rcgc-budget, in microseconds: a positive integer (0
# would be stop-the-world collections, the system rcgc).
BUDGET=${BENCH_BUDGET_US:-1000}
case "$BUDGET" in
  ''|*[!0-9]*|0*) say "BENCH_BUDGET_US must be a positive number of microseconds, not '$BUDGET'"; exit 2 ;;
esac

# ------------------------------------------------------------------ build
build() {
  mkdir -p "$BUILD"
  if [ -n "${BENCH_BIN:-}" ]; then
    say "using BENCH_BIN=$BENCH_BIN (not building)"; return 0
  fi
  say "building an optimised rcgc in build/bench"
  if ! cmake -S "$REPO" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release \
        -DRCGC_BUILD_BENCH=ON -DRCGC_BUILD_TESTS=OFF \
        -DRCGC_BUILD_EXAMPLES=OFF -DRCGC_BUILD_TOOLS=OFF \
        >"$BUILD/configure.log" 2>&1; then
    cat "$BUILD/configure.log" >&2; say "configure failed"; exit 1
  fi
  local targets=(rcgc_bench classic_bench)
  [ "$mode" = instructions ] && targets=(rcgc_bench)
  [ "$classic_only" = 1 ] && targets=(classic_bench)
  if ! cmake --build "$BUILD" --target "${targets[@]}" -j "$(nproc 2>/dev/null || echo 2)" \
        >"$BUILD/build.log" 2>&1; then
    cat "$BUILD/build.log" >&2; say "build failed"; exit 1
  fi
}

# Run one program: stdout to $OUT/NAME.txt, stderr to $OUT/NAME.err, exit
# status to $OUT/NAME.rc, wall time to $OUT/NAME.time.
run() {
  local name=$1; shift
  say "running $name: $*"
  local t0 t1 rc
  t0=$(date +%s.%N)
  "$@" >"$OUT/$name.txt" 2>"$OUT/$name.err"
  rc=$?
  t1=$(date +%s.%N)
  echo "$rc" >"$OUT/$name.rc"
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", b - a }' >"$OUT/$name.time"
  if [ "$rc" -ne 0 ]; then
    say "$name exited with status $rc"
    sed 's/^/  | /' "$OUT/$name.err" | tail -n 20 >&2
  fi
  return 0
}

skipped() {   # skipped SYSTEM REASON
  say "skipping $1: $2"
  printf '%s\t%s\n' "$1" "$2" >>"$OUT/skipped.tsv"
}

wants() { case " ${BENCH_SKIP:-} " in *" $1 "*) return 1 ;; esac; return 0; }

# Does $BIN take --policy? (An rcgc_bench from before it, through BENCH_BIN,
# prints its usage without it.)
has_policy() { "$BIN" --help 2>&1 | grep -q -e '--policy'; }
# Does $BIN have the shuffled workloads (live-tree-shuffled, mixed-shuffled)?
has_shuffled() { "$BIN" --help 2>&1 | grep -q -e '--no-shuffled'; }
# Does $BIN have the pause workloads (--bigtree, --cyclechurn)?
has_pauses() { "$BIN" --help 2>&1 | grep -q -e '--bigtree'; }
# Does $BIN take --budget? Asked by running it on a one-node tree: one from
# before --budget prints its usage and exits with status 2.
has_budget() { "$BIN" --budget 1 --memory 1 >/dev/null 2>&1; }

# ---------------------------------------------------------- instructions
if [ "$mode" = instructions ]; then
  build
  mkdir -p "$OUT"
  if ! command -v valgrind >/dev/null; then
    say "valgrind is not installed (Debian: valgrind)"; exit 1
  fi
  N=${BENCH_INSTR_NODES:-1000000}
  rm -f "$OUT"/instr.*
  # The baseline: the instruction counts committed with the checked-out
  # revision (or, outside git, the file as it is before this run).
  base_commit=
  if git -C "$REPO" show HEAD:bench/instructions.json >"$OUT/instr.baseline.json" 2>/dev/null; then
    base_commit=$(git -C "$REPO" log -1 --format=%h HEAD -- bench/instructions.json)
  else
    cp "$REPO/bench/instructions.json" "$OUT/instr.baseline.json" 2>/dev/null ||
      rm -f "$OUT/instr.baseline.json"
  fi
  # bench_free (dropping the held tree, freed by reference counting): an
  # rcgc_bench from before it has no such function (its symbol is what
  # callgrind toggles on).
  free_part=free
  if ! grep -qa bench_free "$BIN"; then
    say "$BIN has no bench_free: free instructions not measured"
    free_part=
  fi
  policies="default cpython"
  if ! has_policy; then
    say "$BIN has no --policy: measuring the library's default only"
    policies=default
  fi
  # One policy after the other, one callgrind at a time.
  for policy in $policies; do
    flag=()
    [ "$policies" != default ] && flag=(--policy "$policy")
    for kind in rings live-tree mixed; do
      # rings hold nothing to drop: their garbage is freed by the collection.
      parts="collect build"
      [ "$kind" != rings ] && parts="$parts $free_part"
      for part in $parts; do
        say "callgrind: $kind $N, $policy policy, counting bench_$part"
        # --toggle-collect counts only inside the named function (callees
        # included); a pattern, since the compiler may clone it.
        valgrind --tool=callgrind --callgrind-out-file=/dev/null \
          "--toggle-collect=bench_$part*" "$BIN" "${flag[@]}" --once "$kind" "$N" \
          >"$OUT/instr.$policy.$kind.$part.txt" 2>"$OUT/instr.$policy.$kind.$part.err"
        rc=$?
        if [ "$rc" -ne 0 ]; then
          say "rcgc_bench ${flag[*]} --once $kind $N exited with status $rc under callgrind"
          tail -n 20 "$OUT/instr.$policy.$kind.$part.err" >&2
          exit 1
        fi
      done
    done
  done
  exec python3 "$REPO/bench/report.py" instructions --out "$OUT" \
    --nodes "$N" --json "$REPO/bench/instructions.json" \
    --baseline "$OUT/instr.baseline.json" --baseline-commit "$base_commit"
fi

# ------------------------------------------------------------ full / quick
build
rm -rf "$OUT"
mkdir -p "$OUT"
: >"$OUT/skipped.tsv"
cut -d' ' -f1-3 /proc/loadavg >"$OUT/loadavg.start" 2>/dev/null

if [ "$mode" = quick ]; then
  SIZES=${BENCH_SIZES:-100000}
  MEMN=${BENCH_MEMORY_NODES:-1000000}
  CHURN="100000 300000"
  GROW=400000
  BIGTREE=${BENCH_BIGTREE:-200000 100000}
  CYCLECHURN=${BENCH_CYCLECHURN:-50000 100000}
  JSON=$BUILD/results-quick.json
else
  SIZES=${BENCH_SIZES:-100000 1000000 4000000}
  MEMN=${BENCH_MEMORY_NODES:-4000000}
  BIGTREE=${BENCH_BIGTREE:-4000000 2000000}
  CYCLECHURN=${BENCH_CYCLECHURN:-1000000 2000000}
  JSON=$REPO/bench/results.json
fi
echo "$mode" >"$OUT/mode"

# ------------------------------------------------------- anchor workloads
anchor_workloads() {
  # shellcheck disable=SC2086
  set -- $SIZES

  # rcgc: the default policy, the default policy with the pause budget
  # (rcgc-budget), then the CPython policy, each in its own process, one
  # after the other (never side by side: they would compete for the cpus
  # and caches).
  local pdef=() pcpy=(--policy cpython)
  if has_policy; then
    pdef=(--policy default)
  else
    pcpy=()
  fi
  # The pause workloads (bigtree, cyclechurn) run last in the same process,
  # each in its own heap, as churn and grow do.
  # The shuffled workloads (live-tree-shuffled, mixed-shuffled) run in the
  # same process after mixed, at every size, except under rcgc-budget
  # (its explicit full collections are rcgc's: sh_budget); the anchors run
  # them in a process of their own (SYSTEM-shuffled).
  local sh=() sh_budget=() shuffled=1
  if ! has_shuffled; then
    skipped shuffled "$BIN has no live-tree-shuffled (an rcgc_bench from before the shuffled workloads)"
    shuffled=0
  else
    sh_budget=(--no-shuffled)
    if ! wants shuffled; then
      sh=(--no-shuffled)
      skipped shuffled "BENCH_SKIP"
      shuffled=0
    fi
  fi
  local pw=()
  if ! has_pauses; then
    skipped pauses "$BIN has no --bigtree (an rcgc_bench from before the pause workloads)"
  elif ! wants pauses; then
    pw=(--no-bigtree --no-cyclechurn)
    skipped pauses "BENCH_SKIP"
  else
    # shellcheck disable=SC2206
    pw=(--bigtree $BIGTREE --cyclechurn $CYCLECHURN)
  fi
  if [ "$mode" = quick ]; then
    run rcgc "$BIN" "${pdef[@]}" --churn $CHURN --grow $GROW "${pw[@]}" "${sh[@]}" "$@"
  else
    run rcgc "$BIN" "${pdef[@]}" "${pw[@]}" "${sh[@]}" "$@"
  fi
  # With a budget, each slice of an incremental collection is a pause; the
  # per-workload "WORKLOAD incremental: ..." lines stay in rcgc-budget.err.
  if ! wants rcgc-budget; then
    skipped rcgc-budget "BENCH_SKIP"
  elif [ ${#pdef[@]} -eq 0 ] || ! has_budget; then
    skipped rcgc-budget "$BIN has no --budget (an rcgc_bench from before it)"
  elif [ "$mode" = quick ]; then
    run rcgc-budget "$BIN" "${pdef[@]}" --budget "$BUDGET" --churn $CHURN --grow $GROW "${pw[@]}" "${sh_budget[@]}" "$@"
  else
    run rcgc-budget "$BIN" "${pdef[@]}" --budget "$BUDGET" "${pw[@]}" "${sh_budget[@]}" "$@"
  fi
  if [ ${#pcpy[@]} -eq 0 ]; then
    skipped rcgc-cpython "$BIN has no --policy (an rcgc_bench from before it)"
  elif ! wants rcgc-cpython; then
    skipped rcgc-cpython "BENCH_SKIP"
  elif [ "$mode" = quick ]; then
    run rcgc-cpython "$BIN" "${pcpy[@]}" --churn $CHURN --grow $GROW "${pw[@]}" "${sh[@]}" "$@"
  else
    run rcgc-cpython "$BIN" "${pcpy[@]}" "${pw[@]}" "${sh[@]}" "$@"
  fi
  # Bytes per node: the default policy only (both policies use the same
  # object header).
  run rcgc-memory "$BIN" "${pdef[@]}" --memory "$MEMN"

  # CPython: always (python3 is always present)
  if [ ! -f "$ANCHORS/cpython_bench.py" ]; then
    skipped cpython "no $ANCHORS/cpython_bench.py"
  elif ! wants cpython; then
    skipped cpython "BENCH_SKIP"
  else
    if [ "$mode" = quick ]; then
      run cpython python3 "$REPO/bench/anchor_cpython.py" "$ANCHORS" quick $CHURN $GROW "$@"
    else
      run cpython python3 "$ANCHORS/cpython_bench.py" "$@"
    fi
    run cpython-memory python3 "$REPO/bench/anchor_cpython.py" "$ANCHORS" memory "$MEMN"
    # The pause workloads: the anchor script has none; bench/anchor_cpython.py
    # writes them as rcgc_bench does, in a process of their own.
    if wants pauses; then
      # shellcheck disable=SC2086
      run cpython-pauses python3 "$REPO/bench/anchor_cpython.py" "$ANCHORS" pauses $BIGTREE $CYCLECHURN
    fi
    # The shuffled workloads: the anchor script has none either.
    if [ "$shuffled" = 1 ]; then
      run cpython-shuffled python3 "$REPO/bench/anchor_cpython.py" "$ANCHORS" shuffled "$@"
    fi
  fi

  # PHP: if php exists. It crashes at exit freeing the grow chain (expected).
  if ! command -v php >/dev/null; then
    skipped php "php is not installed (Debian: php-cli; make bench installs it)"
  elif ! wants php; then
    skipped php "BENCH_SKIP"
  else
    if [ "$mode" = quick ]; then
      run php php -d memory_limit=-1 "$REPO/bench/anchor_php.php" "$ANCHORS" quick $CHURN $GROW "$@"
    else
      (cd "$ANCHORS" && run php php -d memory_limit=-1 php_bench.php "$@")
    fi
    run php-memory php -d memory_limit=-1 "$REPO/bench/anchor_php.php" "$ANCHORS" memory "$MEMN"
  fi

  # Boehm: if libgc is present (the program compiles and links).
  if ! wants boehm; then
    skipped boehm "BENCH_SKIP"
  elif ! gcc -O2 -o "$BUILD/boehm_bench" "$ANCHORS/boehm_bench.c" -lgc >"$OUT/boehm-build.log" 2>&1; then
    skipped boehm "gcc -O2 boehm_bench.c -lgc failed: libgc missing? (Debian: libgc-dev): $(head -n 1 "$OUT/boehm-build.log")"
  elif ! gcc -O2 -I"$ANCHORS" -o "$BUILD/anchor_boehm" "$REPO/bench/anchor_boehm.c" -lgc >>"$OUT/boehm-build.log" 2>&1; then
    skipped boehm "bench/anchor_boehm.c failed to build: $(head -n 1 "$OUT/boehm-build.log")"
  else
    if [ "$mode" = quick ]; then
      run boehm "$BUILD/anchor_boehm" quick $CHURN $GROW "$@"
    else
      run boehm "$BUILD/boehm_bench" "$@"
      # Churn and grow again, each in a fresh process, as rcgc runs them in a
      # fresh heap: Boehm collects when its heap is full, so after the 4M
      # workloads the anchor's heap is so large that churn and grow hardly
      # collect at all. And the anchor's churn builds its held tree with
      # collection on, which is a use after free that crashes it when a
      # collection happens during the build (see bench/anchor_boehm.c:
      # fixed_churn). The table uses these; results.json keeps both.
      run boehm-churn "$BUILD/anchor_boehm" churn 1000000 3000000
      run boehm-grow "$BUILD/anchor_boehm" grow 4000000
    fi
    run boehm-memory "$BUILD/anchor_boehm" memory "$MEMN"
    if [ "$shuffled" = 1 ]; then
      run boehm-shuffled "$BUILD/anchor_boehm" shuffled "$@"
    fi
  fi
}

# ------------------------------------------------------ classic benchmarks
# GCBench and binary-trees (bench/README.md), each workload, variant and
# system in its own process, the systems one after the other within each
# workload so that a change of load hits them alike.
classic_workloads() {
  local dir=$CLASSIC_BIN depths gdepth cpy_max=16 w d v s
  mkdir -p "$OUT/classic"
  : >"$OUT/classic/skipped.tsv"
  echo "$mode" >"$OUT/classic/mode"
  cut -d" " -f1-3 /proc/loadavg >"$OUT/classic/loadavg.start" 2>/dev/null
  if [ "$mode" = quick ]; then
    depths=${BENCH_TREE_DEPTHS:-10}; gdepth=${BENCH_GCBENCH_DEPTH:-10}
  else
    depths=${BENCH_TREE_DEPTHS:-16 20}; gdepth=${BENCH_GCBENCH_DEPTH:-16}
  fi
  [ "${BENCH_CPYTHON_DEEP:-0}" = 1 ] && cpy_max=99
  local systems=(rcgc-default rcgc-cpython)
  cskip() { printf '%s\t%s\n' "$1" "$2" >>"$OUT/classic/skipped.tsv"; say "classic: skipping $1: $2"; }
  # optional NAME OPTION GREP-ARGS...: system NAME runs unless BENCH_SKIP
  # names it or classic_rcgc's usage lacks OPTION (GREP-ARGS find it there)
  optional() {
    local name=$1 option=$2
    shift 2
    if ! wants "$name"; then
      cskip "$name" "BENCH_SKIP"
    elif ! "$dir/classic_rcgc" 2>&1 | grep -q "$@"; then
      cskip "$name" "$dir/classic_rcgc has no $option (a classic_rcgc from before it)"
    else
      systems+=("$name")
    fi
  }
  optional rcgc-budget --budget -e '--budget'
  # rcgc-strict: the same budget in a heap with RCGC_CONFIG_STRICT_STORES
  optional rcgc-strict --strict -e '--strict'
  # rcgc-off: automatic collection off (classic_rcgc --policy off), reference
  # counting alone; the acyclic variant only (the cyclic one needs the
  # collector: recorded as not run).
  optional rcgc-off "--policy off" -F 'cpython|off'
  for s in boehm malloc mimalloc; do
    if ! wants "$s"; then cskip "$s" "BENCH_SKIP"
    elif [ ! -x "$dir/classic_$s" ]; then
      case $s in
        boehm) cskip boehm "classic_boehm was not built: libgc-dev missing when configured? (make bench installs it)" ;;
        mimalloc) cskip mimalloc "classic_mimalloc was not built: libmimalloc-dev missing when configured? (make bench installs it)" ;;
        *) cskip "$s" "$dir/classic_$s was not built" ;;
      esac
    else systems+=("$s"); fi
  done
  if wants cpython; then systems+=(cpython); else cskip cpython "BENCH_SKIP"; fi
  if [ ! -x "$dir/classic_rcgc" ]; then
    say "no $dir/classic_rcgc"; echo 1 >"$OUT/classic/failed"; return
  fi
  for w in "gcbench $gdepth" $(for d in $depths; do echo "binary-trees:$d"; done); do
    w=${w/:/ }
    set -- $w
    for v in acyclic cyclic; do
      local flag=()
      [ "$v" = cyclic ] && flag=(--cyclic)
      for s in "${systems[@]}"; do
        local name="classic/$s.$1.$2.$v"
        case $s in
          rcgc-default) run "$name" "$dir/classic_rcgc" --policy default "$1" "${flag[@]}" "$2" ;;
          rcgc-cpython) run "$name" "$dir/classic_rcgc" --policy cpython "$1" "${flag[@]}" "$2" ;;
          rcgc-budget) run "$name" "$dir/classic_rcgc" --policy default --budget "$BUDGET" "$1" "${flag[@]}" "$2" ;;
          rcgc-strict) run "$name" "$dir/classic_rcgc" --policy default --budget "$BUDGET" --strict "$1" "${flag[@]}" "$2" ;;
          rcgc-off)
            # not-run.tsv: workload, variant, reason, system (CPython's
            # lines have no fourth field).
            if [ "$v" = cyclic ]; then
              printf '%s\t%s\t%s\t%s\n' "$1 $2" "$v" \
                "automatic collection off runs the acyclic variant only: the cyclic variant's trees are reclaimed by the collector or never" \
                rcgc-off >>"$OUT/classic/not-run.tsv"
            else
              run "$name" "$dir/classic_rcgc" --policy off "$1" "$2"
            fi ;;
          cpython)
            if [ "$1" = binary-trees ] && [ "$2" -gt "$cpy_max" ]; then
              printf '%s\t%s\t%s\n' "$1 $2" "$v" \
                "CPython runs binary-trees deeper than 16 only with BENCH_CPYTHON_DEEP=1 (several minutes per run)" \
                >>"$OUT/classic/not-run.tsv"
            else
              run "$name" python3 "$REPO/bench/classic_python.py" "$1" "${flag[@]}" "$2"
            fi ;;
          *) run "$name" "$dir/classic_$s" "$1" "${flag[@]}" "$2" ;;
        esac
      done
    done
  done
}

status=0
if [ "$classic_only" = 0 ]; then
  anchor_workloads
  # The previous results, for the CPython policy's figures against them:
  # those committed with the checked-out revision (outside git: none).
  git -C "$REPO" show HEAD:bench/results.json >"$OUT/results.previous.json" 2>/dev/null ||
    rm -f "$OUT/results.previous.json"
  python3 "$REPO/bench/report.py" table --out "$OUT" --json "$JSON" \
    --previous "$OUT/results.previous.json"
  report_rc=$?
  rcgc_rc=$(cat "$OUT/rcgc.rc")
  cpy_rc=$(cat "$OUT/rcgc-cpython.rc" 2>/dev/null || echo 0)
  bud_rc=$(cat "$OUT/rcgc-budget.rc" 2>/dev/null || echo 0)
  mem_rc=$(cat "$OUT/rcgc-memory.rc")
  if [ "$rcgc_rc" -ne 0 ] || [ "$cpy_rc" -ne 0 ] || [ "$bud_rc" -ne 0 ] ||
     [ "$mem_rc" -ne 0 ] || [ "$report_rc" -ne 0 ]; then
    say "FAILED: rcgc_bench exited with $rcgc_rc (CPython policy: $cpy_rc," \
        "budget: $bud_rc, memory: $mem_rc); see $OUT/rcgc.err," \
        "$OUT/rcgc-cpython.err, $OUT/rcgc-budget.err"
    status=1
  fi
  echo
fi

# ---------------------------------------------------------- rcgc for Python
# The Python extension's leak tools beside objgraph on one synthetic heap of
# about 1,400,000 tracked objects (python/bench/vs_objgraph.py): why, growth,
# snapshot. Full runs only (not --quick, --classic); BENCH_SKIP="python"
# skips it; BENCH_PY_SESSIONS sets the heap's size (sessions, default 200000).
python_vs_objgraph() {
  if ! wants python || [ "$mode" != full ] || [ "${classic_only:-0}" = 1 ]; then return; fi
  if ! /usr/bin/python3 -c 'import objgraph' >/dev/null 2>&1; then
    say "python: objgraph missing (scripts/ensure-deps.sh bench installs it): skipped"
    return
  fi
  if ! "$REPO/scripts/build-python.sh" >"$OUT/python-build.txt" 2>&1; then
    say "FAILED: building the Python extension (see $OUT/python-build.txt)"
    status=1
    return
  fi
  echo
  echo "rcgc for Python beside objgraph (python/bench/vs_objgraph.py, one run)"
  if ! PYTHONPATH="$REPO/python" /usr/bin/python3 "$REPO/python/bench/vs_objgraph.py" \
      ${BENCH_PY_SESSIONS:-} | tee "$OUT/python.txt"; then
    say "FAILED: python/bench/vs_objgraph.py"
    status=1
  fi
}

if ! wants classic; then
  say "classic benchmarks skipped (BENCH_SKIP)"
  python_vs_objgraph
  exit $status
fi
classic_workloads
# report.py classic merges its part into the JSON the table just wrote (or,
# with --classic alone, into the existing one), and fails when a classic_rcgc
# run failed or the systems' check lines differ.
if ! python3 "$REPO/bench/report.py" classic --out "$OUT/classic" --json "$JSON"; then
  say "FAILED: classic benchmarks (see above and $OUT/classic/*.err)"
  status=1
fi
python_vs_objgraph
exit $status
