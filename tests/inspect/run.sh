#!/bin/sh
# Tests for rcgc-inspect, registered with CTest (see CMakeLists.txt).
#   run.sh small  BIN SRCDIR WORKDIR   exact output of every command on the
#                                      hand-written snapshots in data/
#   run.sh errors BIN SRCDIR WORKDIR   malformed / truncated files and usage
#                                      errors (every number out of its range):
#                                      exact message, non-zero exit
#   run.sh hostile BIN SRCDIR WORKDIR  large hostile inputs made at test time
#                                      (gen_hostile.py): exact output, and
#                                      bounds on time and peak memory
#   run.sh replay BIN SRCDIR WORKDIR   BIN is the fuzz target built with
#                                      INSPECT_FUZZ_REPLAY: runs the committed
#                                      fuzz corpus (fuzz_corpus/) once
#   run.sh v8     BIN SRCDIR WORKDIR   a snapshot written by node's V8 must load
#                                      (exit 77 = skipped when node is missing)
#   run.sh big    BIN SRCDIR WORKDIR   1,000,000-object synthetic snapshot:
#                                      prints the time and peak memory of summary
set -u
mode=$1 BIN=$2 SRC=$3 WORK=$4
mkdir -p "$WORK" || exit 1
fails=0

# check NAME EXPECTED_EXIT EXPECTED_STDERR -- CMD...: run CMD (in data/), compare
# exit status and stderr exactly.
check() {
  name=$1 want_rc=$2 want_err=$3
  shift 4
  ( cd "$WORK" && "$@" ) >"$WORK/out" 2>"$WORK/err"
  rc=$?
  got_err=$(cat "$WORK/err")
  if [ "$rc" != "$want_rc" ] || [ "$got_err" != "$want_err" ]; then
    echo "FAIL $name: exit $rc (want $want_rc)"
    echo "  stderr: $got_err"
    echo "  want:   $want_err"
    fails=$((fails + 1))
  else
    echo "ok   $name"
  fi
}

case $mode in
small)
  cd "$SRC/data" || exit 1
  {
    for c in "summary small.heapsnapshot" "cycles small.heapsnapshot" \
      "cycles small.heapsnapshot --unreachable" "why small.heapsnapshot @7" \
      "why small.heapsnapshot Node" "why small.heapsnapshot 11" "why small.heapsnapshot 1" \
      "top small.heapsnapshot" "top small.heapsnapshot 2" \
      "diff before.heapsnapshot small.heapsnapshot" "dot small.heapsnapshot 3 --depth 2" \
      "dot small.heapsnapshot 9 --back --depth 3 --too-many 1"; do
      echo "\$ rcgc-inspect $c"
      # shellcheck disable=SC2086
      "$BIN" $c
      echo "[exit $?]"
    done
  } >"$WORK/small.out" 2>&1
  if diff -u "$SRC/expected_small.txt" "$WORK/small.out"; then
    echo "ok   all commands on data/small.heapsnapshot"
  else
    fails=1
  fi
  if command -v dot >/dev/null 2>&1; then
    if "$BIN" dot small.heapsnapshot 9 --back --depth 3 --too-many 1 | dot -Tsvg >/dev/null; then
      echo "ok   graphviz accepts the DOT output"
    else
      echo "FAIL graphviz rejects the DOT output"
      fails=$((fails + 1))
    fi
  fi
  ;;
errors)
  D=$SRC/data
  W=$WORK
  head -c 700 "$D/small.heapsnapshot" >"$W/trunc.heapsnapshot"
  sed 's/^2,1,5,1,48,$/2,1,5,1,48/' "$D/small.heapsnapshot" >"$W/comma.heapsnapshot"
  sed 's/^3,1,21,1,16\],$/3,1,21,1,16,7],/' "$D/small.heapsnapshot" >"$W/mult.heapsnapshot"
  sed 's/^45,2,5\],$/46,2,5],/' "$D/small.heapsnapshot" >"$W/to.heapsnapshot"
  sed 's/^3,1,21,1,16\],$/3,1,21,2,16],/;s/"node_count":11,"edge_count":14,//' "$D/small.heapsnapshot" >"$W/ec.heapsnapshot"
  sed 's/"node_count":11/"node_count":12/' "$D/small.heapsnapshot" >"$W/nc.heapsnapshot"
  sed 's/^3,1,19,1,16,$/3,1,19,1,"16",/' "$D/small.heapsnapshot" >"$W/str.heapsnapshot"
  sed 's/^3,1,19,1,16,$/3,1,19,1,-16,/' "$D/small.heapsnapshot" >"$W/neg.heapsnapshot"
  sed 's/^7,2,13,1,0,$/70,2,13,1,0,/' "$D/small.heapsnapshot" >"$W/name.heapsnapshot"
  sed 's/^7,2,13,1,0,$/7,9,13,1,0,/' "$D/small.heapsnapshot" >"$W/type.heapsnapshot"
  sed 's/"edge_fields":\["to_node",/"edge_fields":["to",/' "$D/small.heapsnapshot" >"$W/field.heapsnapshot"
  printf '[1,2]' >"$W/arr.heapsnapshot"
  : >"$W/empty.heapsnapshot"
  printf '{"nodes":[],"edges":[],"strings":[]}' >"$W/nometa.heapsnapshot"
  printf '{"a":1} x' >"$W/trail.heapsnapshot"
  P=rcgc-inspect
  check truncated 1 "$P: trunc.heapsnapshot: byte 700 (line 18, column 4): unexpected end of file in \"nodes\" (truncated file?)" -- "$BIN" summary trunc.heapsnapshot
  check missing-comma 1 "$P: comma.heapsnapshot: byte 622 (line 12, column 2): after array element, I expect ',' or ']' in \"nodes\"" -- "$BIN" summary comma.heapsnapshot
  check node-multiple 1 "$P: mult.heapsnapshot: \"nodes\" has 56 values, not a multiple of the 5 node fields" -- "$BIN" summary mult.heapsnapshot
  check to-node 1 "$P: to.heapsnapshot: \"edges\"[39]: to_node 46 is not a node offset (a multiple of 5 below 55)" -- "$BIN" why to.heapsnapshot 3
  check edge-count 1 "$P: ec.heapsnapshot: \"nodes\"[53]: edge_count 2 of node 10 runs past the 14 edges in \"edges\"" -- "$BIN" top ec.heapsnapshot
  check node-count 1 "$P: nc.heapsnapshot: \"snapshot.node_count\" is 12 but \"nodes\" holds 11 nodes" -- "$BIN" cycles nc.heapsnapshot
  check string-in-nodes 1 "$P: str.heapsnapshot: byte 710 (line 18, column 14): expected a non-negative integer in \"nodes\" at index 49, found a string" -- "$BIN" summary str.heapsnapshot
  check negative 1 "$P: neg.heapsnapshot: byte 709 (line 18, column 13): expected a non-negative integer in \"nodes\" at index 49, found a negative number" -- "$BIN" summary neg.heapsnapshot
  check name-range 1 "$P: name.heapsnapshot: \"nodes\"[30]: name 70 is out of range (9 strings)" -- "$BIN" summary name.heapsnapshot
  check type-range 1 "$P: type.heapsnapshot: \"nodes\"[31]: node type 9 is out of range (3 node types)" -- "$BIN" summary type.heapsnapshot
  check missing-field 1 "$P: field.heapsnapshot: \"snapshot.meta.edge_fields\" lacks \"to_node\"" -- "$BIN" summary field.heapsnapshot
  check top-array 1 "$P: arr.heapsnapshot: byte 1 (line 1, column 2): expected a JSON object at top level, found an array" -- "$BIN" summary arr.heapsnapshot
  check empty 1 "$P: empty.heapsnapshot: byte 0 (line 1, column 1): unexpected end of file in the document (truncated file?)" -- "$BIN" summary empty.heapsnapshot
  check no-meta 1 "$P: nometa.heapsnapshot: missing \"snapshot.meta\" (not a heap snapshot?)" -- "$BIN" summary nometa.heapsnapshot
  check trailing 1 "$P: trail.heapsnapshot: byte 9 (line 1, column 10): trailing garbage in the document" -- "$BIN" summary trail.heapsnapshot
  check no-file 1 "$P: nosuch.heapsnapshot: cannot open: No such file or directory" -- "$BIN" summary nosuch.heapsnapshot
  check diff-second-bad 1 "$P: trunc.heapsnapshot: byte 700 (line 18, column 4): unexpected end of file in \"nodes\" (truncated file?)" -- "$BIN" diff "$D/small.heapsnapshot" trunc.heapsnapshot
  check no-id 1 "$P: $D/small.heapsnapshot: no node with id 999" -- "$BIN" why "$D/small.heapsnapshot" 999
  check no-type 1 "$P: $D/small.heapsnapshot: no node with id or type 'Nope'" -- "$BIN" why "$D/small.heapsnapshot" Nope
  U="Try '$P --help'."
  check no-args 2 "$("$BIN" --help)" -- "$BIN"
  check unknown-cmd 2 "$P: unknown command 'frob'
$U" -- "$BIN" frob x
  check missing-arg 2 "$P: missing argument for 'why'
$U" -- "$BIN" why x
  check bad-option 2 "$P: this command does not take option '--depth'
$U" -- "$BIN" top x --depth 3
  check unknown-option 2 "$P: unknown option '--frob'
$U" -- "$BIN" summary x --frob
  check bad-number 2 "$P: top's N expects a number from 0 to 4294967295, not 'abc'
$U" -- "$BIN" top "$D/small.heapsnapshot" abc
  check extra-arg 2 "$P: unexpected argument 'y'
$U" -- "$BIN" summary x y
  check dot-type 2 "$P: not a node id: 'Graph'" -- "$BIN" dot "$D/small.heapsnapshot" Graph
  # every number is checked against its whole range, never truncated
  # (-k 4294967296 once became 0 and called a reachable object garbage)
  R32="a number from 0 to 4294967295"
  check k-2to32 2 "$P: -k expects a number from 1 to 4294967295, not '4294967296'
$U" -- "$BIN" why "$D/small.heapsnapshot" 7 -k 4294967296
  check k-zero 2 "$P: --paths expects a number from 1 to 4294967295, not '0'
$U" -- "$BIN" why "$D/small.heapsnapshot" 7 --paths 0
  check k-negative 2 "$P: -k expects a number from 1 to 4294967295, not '-1'
$U" -- "$BIN" why "$D/small.heapsnapshot" 7 -k -1
  check k-plus 2 "$P: -k expects a number from 1 to 4294967295, not '+3'
$U" -- "$BIN" why "$D/small.heapsnapshot" 7 -k +3
  check k-space 2 "$P: -k expects a number from 1 to 4294967295, not ' 3'
$U" -- "$BIN" why "$D/small.heapsnapshot" 7 -k " 3"
  check k-2to64 2 "$P: -k expects a number from 1 to 4294967295, not '18446744073709551616'
$U" -- "$BIN" why "$D/small.heapsnapshot" 7 -k 18446744073709551616
  check limit-cycles 2 "$P: --limit expects $R32, not '4294967296'
$U" -- "$BIN" cycles "$D/small.heapsnapshot" --limit 4294967296
  check limit-diff 2 "$P: --limit expects $R32, not '99999999999999999999'
$U" -- "$BIN" diff "$D/before.heapsnapshot" "$D/small.heapsnapshot" --limit 99999999999999999999
  check depth 2 "$P: --depth expects a number from 0 to 1000000, not '1000001'
$U" -- "$BIN" dot "$D/small.heapsnapshot" 3 --depth 1000001
  check too-many 2 "$P: --too-many expects $R32, not '4294967296'
$U" -- "$BIN" dot "$D/small.heapsnapshot" 3 --too-many 4294967296
  check top-n 2 "$P: top's N expects $R32, not '4294967306'
$U" -- "$BIN" top "$D/small.heapsnapshot" 4294967306
  check why-id 2 "$P: ID expects a number from 0 to 18446744073709551615, not '18446744073709551623'
$U" -- "$BIN" why "$D/small.heapsnapshot" 18446744073709551623
  check dot-id 2 "$P: ID expects a number from 0 to 18446744073709551615, not '18446744073709551616'
$U" -- "$BIN" dot "$D/small.heapsnapshot" @18446744073709551616
  check why-id-max 1 "$P: $D/small.heapsnapshot: no node with id 18446744073709551615" -- \
    "$BIN" why "$D/small.heapsnapshot" 18446744073709551615
  # the largest values are taken as given: same answers as the defaults
  check k-max 0 "" -- "$BIN" why "$D/small.heapsnapshot" @7 -k 4294967295
  "$BIN" why "$D/small.heapsnapshot" @7 >"$W/k3.out"
  if cmp -s "$W/out" "$W/k3.out" && grep -q '^Node @7: 1 retaining path' "$W/out"; then
    echo "ok   -k 4294967295 finds the retaining path"
  else
    echo "FAIL -k 4294967295 answered:"; cat "$W/out"; fails=$((fails + 1))
  fi
  check limit-max 0 "" -- "$BIN" cycles "$D/small.heapsnapshot" --limit 4294967295
  "$BIN" cycles "$D/small.heapsnapshot" --limit 0 >"$W/all.out"
  if cmp -s "$W/out" "$W/all.out" && grep -q '^cycle 4:' "$W/out"; then
    echo "ok   --limit 4294967295 shows every cycle"
  else
    echo "FAIL --limit 4294967295 answered:"; cat "$W/out"; fails=$((fails + 1))
  fi
  check help 0 "" -- "$BIN" --help
  ;;
hostile)
  # bounded NAME WANT_EXIT MAX_SECONDS MAX_KIB WANT_STDOUT WANT_STDERR -- CMD...:
  # run CMD (in WORK); exit status, stdout and stderr exactly as given, wall
  # time and peak memory (RSS) at most the bounds. The bounds leave a wide
  # margin over this code (a sanitizer build included) and are far below
  # what the defects they guard against cost (quoted for each).
  bounded() {
    name=$1 want_rc=$2 max_s=$3 max_kib=$4 want_out=$5 want_err=$6
    shift 7
    m=$(cd "$WORK" && python3 "$SRC/measure.py" "$WORK/out" "$WORK/err" -- "$@") || m="? ? ?"
    set -- $m
    rc=$1 secs=$2 kib=$3
    if [ "$rc" != "$want_rc" ] || [ "$(cat "$WORK/out")" != "$want_out" ] ||
       [ "$(cat "$WORK/err")" != "$want_err" ] ||
       ! awk -v s="$secs" -v k="$kib" -v ms="$max_s" -v mk="$max_kib" \
         'BEGIN { exit !(s + 0 <= ms + 0 && k + 0 <= mk + 0) }'; then
      echo "FAIL $name: exit $rc (want $want_rc), ${secs}s (max $max_s), $kib KiB (max $max_kib)"
      echo "  stdout: $(head -c 600 "$WORK/out")"
      echo "  want:   $want_out"
      echo "  stderr: $(head -c 600 "$WORK/err")"
      echo "  want:   $want_err"
      fails=$((fails + 1))
    else
      echo "ok   $name (${secs}s, $kib KiB)"
    fi
  }
  G="python3 $SRC/gen_hostile.py"
  P=rcgc-inspect
  X=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...
  # one 128 MiB string: each byte tokenized once (fed to yajl in 1 MiB
  # chunks, the string was re-scanned from its start at every chunk: 6 s
  # on an idle machine, 52 s for 400 MB). The time bound is relative to the
  # same bytes cut into 1 MiB strings, measured just before (on a busy
  # machine both slow down alike): at most 3 times that plus 1 s, where the
  # quadratic tokenizer took 30 times as long. Memory: the mapped file plus
  # the string, at most 3 times the file.
  WHY3="(string) \"$X\" @3: 1 retaining path (shortest first, distinct last edges)
1: (root) @1 --[0]--> (string) \"$X\" @3"
  $G "$WORK/chunks.heapsnapshot" chunks 134217728 || exit 1
  bounded chunked-strings 0 60 393216 "$WHY3" "" -- "$BIN" why chunks.heapsnapshot 3
  rm -f "$WORK/chunks.heapsnapshot"
  max_s=$(awk -v s="$secs" 'BEGIN { printf "%.2f", 3 * s + 1 }')
  $G "$WORK/long.heapsnapshot" long-name 134217728 || exit 1
  bounded long-string 0 "$max_s" 393216 "$WHY3" "" -- "$BIN" why long.heapsnapshot 3
  rm -f "$WORK/long.heapsnapshot"
  # 4,000,000 one-character strings (a 16 MB file): one arena, not one
  # allocation per string (220 MB here); the node is named by the last one
  $G "$WORK/strings.heapsnapshot" strings 4000000 || exit 1
  bounded many-strings 0 20 102400 "snapshot: strings.heapsnapshot
nodes: 1
edges: 0
total self size: 0 bytes
roots: 0 (referenced by the root node z @1)
reachable from the root: 1 nodes, 0 bytes
unreachable from the root: 0 nodes, 0 bytes

     count          bytes  type
         1              0  z" "" -- "$BIN" summary strings.heapsnapshot
  rm -f "$WORK/strings.heapsnapshot"
  # declared counts reserve nothing the file cannot hold: the mismatch is
  # named (a 373-byte file announcing 10^9 nodes was "out of memory")
  $G "$WORK/count.heapsnapshot" count 1000000000 || exit 1
  bounded node-count-1e9 1 20 51200 "" "$P: count.heapsnapshot: \"snapshot.node_count\" is 1000000000 but \"nodes\" holds 1 nodes" -- "$BIN" summary count.heapsnapshot
  $G "$WORK/edges.heapsnapshot" edges 10000000000 || exit 1
  bounded edge-count-1e10 1 20 51200 "" "$P: edges.heapsnapshot: \"snapshot.edge_count\" is 10000000000 but \"edges\" holds 0 edges" -- "$BIN" top edges.heapsnapshot
  $G "$WORK/max.heapsnapshot" count 9223372036854775807 || exit 1
  bounded node-count-max 1 20 51200 "" "$P: max.heapsnapshot: \"snapshot.node_count\" is 9223372036854775807 but \"nodes\" holds 1 nodes" -- "$BIN" why max.heapsnapshot 1
  # diff of 30,000 new objects of as many types, every type listed: the ids
  # of each type are found by binary search (a scan of all nodes per type
  # took 20 s); bound relative to the default --limit 50, as above
  $G "$WORK/one.heapsnapshot" count 1 || exit 1
  $G "$WORK/types.heapsnapshot" types 30000 || exit 1
  (cd "$WORK" && "$BIN" diff one.heapsnapshot types.heapsnapshot --limit 0) >"$WORK/types.want"
  sed -n '/^new objects/,$p' "$WORK/types.want" >"$WORK/types.new"
  if [ "$(wc -l <"$WORK/types.want")" -eq 60007 ] && [ "$(wc -l <"$WORK/types.new")" -eq 30001 ] &&
     [ "$(sed -n 2p "$WORK/types.new")" = "  t1: 1 new, 8 bytes: @3" ] &&
     [ "$(grep -c '^  t[0-9]*: 1 new, 8 bytes: @[0-9]*$' "$WORK/types.new")" -eq 30000 ] &&
     grep -qx '  t30000: 1 new, 8 bytes: @60001' "$WORK/types.new"; then
    echo "ok   diff lists all 30000 types with their new ids"
  else
    echo "FAIL diff --limit 0 of 30000 types:"; head -20 "$WORK/types.new"; fails=$((fails + 1))
  fi
  ( cd "$WORK" && "$BIN" diff one.heapsnapshot types.heapsnapshot ) >"$WORK/types50.want"
  bounded diff-types-limit50 0 60 102400 "$(cat "$WORK/types50.want")" "" -- \
    "$BIN" diff one.heapsnapshot types.heapsnapshot
  max_s=$(awk -v s="$secs" 'BEGIN { printf "%.2f", 3 * s + 1 }')
  bounded diff-types-all 0 "$max_s" 102400 "$(cat "$WORK/types.want")" "" -- \
    "$BIN" diff one.heapsnapshot types.heapsnapshot --limit 0
  rm -f "$WORK/types.heapsnapshot"
  # a file that cannot be mapped (a pipe) is read whole, with the same result
  "$BIN" summary "$SRC/data/small.heapsnapshot" | sed 1d >"$WORK/file.out"
  "$BIN" summary /dev/stdin <"$SRC/data/small.heapsnapshot" >"$WORK/pipe.out"
  if [ "$(head -1 "$WORK/pipe.out")" = "snapshot: /dev/stdin" ] &&
     sed 1d "$WORK/pipe.out" | cmp -s - "$WORK/file.out"; then
    echo "ok   summary of a pipe"
  else
    echo "FAIL summary of a pipe:"; cat "$WORK/pipe.out"; fails=$((fails + 1))
  fi
  ;;
replay)
  out=$("$BIN" "$SRC/fuzz_corpus") || { echo "FAIL replay: $out"; exit 1; }
  n=$(ls "$SRC/fuzz_corpus" | wc -l)
  if [ "$out" = "fuzz_inspect: replayed $n inputs" ]; then
    echo "ok   $out"
  else
    echo "FAIL replay: '$out' (want $n inputs)"; fails=$((fails + 1))
  fi
  ;;
v8)
  if ! command -v node >/dev/null 2>&1; then
    echo "SKIP: node is not installed, cannot generate a V8 heap snapshot"
    exit 77
  fi
  snap=$WORK/v8.heapsnapshot
  rm -f "$snap"
  node -e "
    class LeakyThing { constructor(i) { this.self = this; this.i = i; } }
    globalThis.keep = [];
    for (let i = 0; i < 50; i++) keep.push(new LeakyThing(i));
    require('v8').writeHeapSnapshot('$snap');" || { echo "FAIL node could not write a snapshot"; exit 1; }
  "$BIN" summary "$snap" >"$WORK/v8.summary" || fails=$((fails + 1))
  grep -q '^nodes: [1-9]' "$WORK/v8.summary" && grep -q ' LeakyThing$' "$WORK/v8.summary" \
    && echo "ok   summary of a V8 snapshot" || { echo "FAIL summary"; cat "$WORK/v8.summary"; fails=$((fails + 1)); }
  "$BIN" why "$snap" LeakyThing >"$WORK/v8.why" || fails=$((fails + 1))
  grep -q '^LeakyThing: 50 instances, 50 reachable from the root$' "$WORK/v8.why" \
    && grep -q -- '--keep--> Array @[0-9]* --\[0\]--> LeakyThing @' "$WORK/v8.why" \
    && echo "ok   why of a V8 snapshot" || { echo "FAIL why"; cat "$WORK/v8.why"; fails=$((fails + 1)); }
  for c in top cycles; do
    "$BIN" $c "$snap" >/dev/null && echo "ok   $c of a V8 snapshot" || fails=$((fails + 1))
  done
  ;;
big)
  snap=$WORK/big.heapsnapshot
  [ -f "$snap" ] || python3 "$SRC/gen_snapshot.py" "$snap" 1000000 || exit 1
  ls -l "$snap"
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "summary: %e s elapsed, %M KiB peak RSS" "$BIN" summary "$snap" || fails=1
  else
    start=$(date +%s.%N)
    "$BIN" summary "$snap" || fails=1
    echo "summary: $(echo "$(date +%s.%N) - $start" | bc) s elapsed"
  fi
  for c in "top" "cycles --limit 3" "why Graph -k 1"; do
    s0=$(date +%s%N)
    # shellcheck disable=SC2086
    "$BIN" ${c%% *} "$snap" $(echo "$c" | cut -s -d' ' -f2-) >/dev/null || fails=1
    echo "$c: $(( ($(date +%s%N) - s0) / 1000000 )) ms"
  done
  ;;
*)
  echo "usage: run.sh small|errors|hostile|replay|v8|big BIN SRCDIR WORKDIR" >&2
  exit 2
  ;;
esac
[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
exit 0
