"""Helper for bench/run.sh: runs the CPython anchor's own functions
(cpython_bench.py of the anchors directory, imported unmodified) in two modes the
anchor script has no switch for.

  python3 anchor_cpython.py ANCHORS_DIR memory N
      resident memory growth per node around building the anchor's tree(N),
      held; prints
      memory nodes=N rss_bytes_per_node=X native_bytes_per_node=Y native=...
  python3 anchor_cpython.py ANCHORS_DIR quick CHURN_LIVE CHURN_RINGS GROW_LIVE N...
      the anchor's workloads at smaller churn/grow sizes (smoke tests)
  python3 anchor_cpython.py ANCHORS_DIR pauses BT_LIVE BT_RINGS CC_LIVE CC_REPLACEMENTS
      the two pause workloads, which the anchor script does not have,
      written as rcgc_bench.c writes them (bench/README.md): bigtree (a held
      tree of BT_LIVE nodes, the anchor's tree(), while BT_RINGS rings are
      made and dropped) and cyclechurn (cycles of 2-20 payload nodes holding
      at least CC_LIVE nodes, CC_REPLACEMENTS random cycles replaced by new
      ones); prints
      bigtree live=... rings=... total=...s ns_per_ring=... collections=...
          full=... max_pause_ms=... p50_pause_ms=... p99_pause_ms=...
          backlog_max=... backlog_max_bytes=...
      cyclechurn live=... cycles=... replacements=... total=...s
          ns_per_replacement=... (then as bigtree)
  python3 anchor_cpython.py ANCHORS_DIR shuffled N...
      live-tree-shuffled and mixed-shuffled, which the anchor script does
      not have, per N: the graphs of live-tree and mixed (the anchor's Node,
      its tree() and rings() links) with the nodes allocated in a random
      order with respect to them, exactly as rcgc_bench.c's shuffled()
      builds them (the same splitmix64 shuffle, seed 1), timed as the
      anchor's bench() times live-tree and mixed; prints the anchor's lines
      (live-tree-shuffled N seconds ns_per_node, mixed-shuffled 2N ...).
      Each collection must find exactly the rings' nodes (0 for the tree);
      otherwise a message on stderr and exit status 3.
"""
import gc
import os
import sys
import time


def rss_bytes():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Pauses:
    """gc.callbacks as the anchor's churn and grow use them (a pause is the
    time from 'start' to 'stop'; generation 2 counts as full), keeping every
    pause, and the garbage backlog at each start: the nodes the workload
    dropped (self.dropped, which it counts) minus the objects the
    collections reported collected so far. Every object a collection frees
    here is a dropped node (the payloads are bytes objects, which the
    collector does not track)."""

    def __init__(self):
        self.all, self.full, self.collected = [], 0, 0
        self.dropped, self.backlog_max, self.t0 = 0, 0, 0.0

    def __call__(self, phase, info):
        if phase == 'start':
            backlog = self.dropped - self.collected
            if backlog > self.backlog_max:
                self.backlog_max = backlog
            self.t0 = time.perf_counter()
            return
        self.all.append(time.perf_counter() - self.t0)
        if info['generation'] == 2:
            self.full += 1
        self.collected += info['collected']

    def quantile(self, q):
        """Nearest rank, as rcgc_bench.c's pause_quantile computes it."""
        if not self.all:
            return 0.0
        v = sorted(self.all)
        return v[max(1, int(q * len(v) + 0.999999999)) - 1]

    def line(self, node_bytes):
        mx = max(self.all) if self.all else 0.0
        return (f"collections={len(self.all)} full={self.full} max_pause_ms={mx * 1e3:.3f} "
                f"p50_pause_ms={self.quantile(0.5) * 1e3:.3f} "
                f"p99_pause_ms={self.quantile(0.99) * 1e3:.3f} "
                f"backlog_max={self.backlog_max} "
                f"backlog_max_bytes={self.backlog_max * node_bytes}")

    def check(self, what, rest):
        """The automatic collections and a final one freed every dropped node."""
        if self.collected + rest != self.dropped:
            print(f"anchor_cpython.py: {what}: collected {self.collected} + {rest}, "
                  f"dropped {self.dropped}", file=sys.stderr, flush=True)
            return 1
        return 0

    def finish(self, what, head, per, total, node_bytes):
        """Stop watching, print the workload's line (head, time per 'per'
        item), check that every dropped node was freed. Returns 1 on a
        failed check."""
        gc.callbacks.remove(self)
        print(f"{what} {head} total={total:.3f}s ns_per_{per[0]}={total / per[1] * 1e9:.0f} "
              f"{self.line(node_bytes)}", flush=True)
        return self.check(what, gc.collect())


def bigtree(b, live, rings_n):
    """A held tree of `live` nodes (the anchor's tree()), rings_n rings made
    and dropped one at a time, automatic collection on."""
    gc.collect()
    keep = b.tree(live)
    gc.collect()
    node_bytes = sys.getsizeof(keep)  # the GC header included
    p = Pauses()
    gc.callbacks.append(p)
    Node = b.Node
    t = time.perf_counter()
    for _ in range(rings_n):
        x, y, z = Node(), Node(), Node()
        x.a = y; y.a = z; z.a = x
        x = y = z = None
        p.dropped += 3
    total = time.perf_counter() - t
    bad = p.finish('bigtree', f"live={live} rings={rings_n}", ('ring', rings_n), total,
                   node_bytes)
    del keep
    gc.collect()
    return bad


class PNode:
    """cyclechurn's node: two links and a 64-byte payload."""
    __slots__ = ('a', 'b', 'payload')

    def __init__(self):
        self.a = None; self.b = None; self.payload = bytes(64)


MASK = (1 << 64) - 1


class Rng:
    """splitmix64, exactly as rcgc_bench.c's rng_next."""

    def __init__(self, seed):
        self.s = seed

    def next(self):
        self.s = z = (self.s + 0x9E3779B97F4A7C15) & MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)


def make_cycle(k):
    first = prev = PNode()
    for _ in range(k - 1):
        n = PNode(); prev.a = n; prev = n
    prev.a = first
    return first


def cyclechurn(live, reps):
    """Cycles of 2-20 payload nodes (random sizes) until at least `live`
    nodes are held; then `reps` times a random cycle is dropped and a new
    one of random size takes its place, automatic collection on."""
    gc.collect()
    rng = Rng(1)
    cyc, size, held = [], [], 0
    while held < live:
        k = 2 + rng.next() % 19
        cyc.append(make_cycle(k)); size.append(k); held += k
    gc.collect()
    node_bytes = sys.getsizeof(cyc[0]) + sys.getsizeof(cyc[0].payload)
    n = len(cyc)
    p = Pauses()
    gc.callbacks.append(p)
    t = time.perf_counter()
    for _ in range(reps):
        j = rng.next() % n
        k = 2 + rng.next() % 19
        cyc[j] = None
        p.dropped += size[j]
        cyc[j] = make_cycle(k); size[j] = k
    total = time.perf_counter() - t
    bad = p.finish('cyclechurn', f"live={held} cycles={n} replacements={reps}",
                   ('replacement', reps), total, node_bytes)
    del cyc
    gc.collect()
    return bad


def shuffle_order(total, seed=1):
    """The permutation rcgc_bench.c's shuffled() makes: a Fisher-Yates
    shuffle of 0..total-1 (for i from the last index down to 1, swap p[i]
    with p[splitmix64() % (i + 1)]), splitmix64 inline for speed."""
    p = list(range(total))
    s = seed
    for i in range(total - 1, 0, -1):
        s = (s + 0x9E3779B97F4A7C15) & MASK
        z = ((s ^ (s >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        j = (z ^ (z >> 31)) % (i + 1)
        p[i], p[j] = p[j], p[i]
    return p


def build_shuffled(Node, n, order):
    """All len(order) nodes made first, put in the shuffled order; v[i]
    linked as the anchor's tree() links its i-th node, then the rest as
    rings of three (x.a = y, y.a = z, z.a = x) and dropped. Returns the root."""
    made = [Node() for _ in range(len(order))]
    v = [made[k] for k in order]
    del made
    for i in range(n):
        l, r = 2 * i + 1, 2 * i + 2
        if l < n: v[i].a = v[l]
        if r < n: v[i].b = v[r]
    for i in range(n, len(v), 3):
        x, y, z = v[i], v[i + 1], v[i + 2]
        x.a = y; y.a = z; z.a = x
    x = y = z = None
    root = v[0]
    del v
    return root


def shuffled_bench(b, kind, n, reps=3):
    """As the anchor's bench(): best of 3 full collections, automatic
    collection off while building; the permutation is made once."""
    rings_n = 3 * (n // 3) if kind == 'mixed-shuffled' else 0
    order = shuffle_order(n + rings_n)
    best, bad = None, 0
    for _ in range(reps):
        gc.collect(); gc.disable()
        keep = build_shuffled(b.Node, n, order)
        t = time.perf_counter(); found = gc.collect(); dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
        if found != rings_n:
            print(f"anchor_cpython.py: {kind} {n}: gc.collect() found {found}, "
                  f"expected {rings_n}", file=sys.stderr, flush=True)
            bad = 1
        keep = None; gc.enable(); gc.collect()
    total = 2 * n if kind == 'mixed-shuffled' else n  # as the anchor counts mixed
    print(f"{kind} {total} {best:.6f} {best / total * 1e9:.1f}", flush=True)
    return bad


def main():
    sys.dont_write_bytecode = True  # never write into the anchors directory
    sys.path.insert(0, sys.argv[1])
    import cpython_bench as b
    mode = sys.argv[2]
    if mode == 'memory':
        n = int(sys.argv[3])
        gc.collect()
        before = rss_bytes()
        keep = b.tree(n)
        after = rss_bytes()
        # sys.getsizeof includes the GC header of a tracked object
        print(f"memory nodes={n} rss_bytes_per_node={(after - before) / n:.1f} "
              f"native_bytes_per_node={sys.getsizeof(keep):.1f} native=sys.getsizeof",
              flush=True)
    elif mode == 'quick':
        live, rn, grow_live = (int(x) for x in sys.argv[3:6])
        print(sys.version.split()[0], flush=True)
        for n in (int(x) for x in sys.argv[6:]):
            for k in ('rings', 'live-tree', 'mixed'):
                b.bench(k, n)
        b.churn(live, rn)
        b.grow(grow_live)
    elif mode == 'pauses':
        bt_live, bt_rings, cc_live, cc_reps = (int(x) for x in sys.argv[3:7])
        print(sys.version.split()[0], flush=True)
        bad = bigtree(b, bt_live, bt_rings)
        bad += cyclechurn(cc_live, cc_reps)
        sys.exit(3 if bad else 0)
    elif mode == 'shuffled':
        print(sys.version.split()[0], flush=True)
        bad = 0
        for n in (int(x) for x in sys.argv[3:]):
            for k in ('live-tree-shuffled', 'mixed-shuffled'):
                bad += shuffled_bench(b, k, n)
        sys.exit(3 if bad else 0)
    else:
        sys.exit(f"anchor_cpython.py: unknown mode {mode}")


if __name__ == '__main__':
    main()
