"""Helper for bench/run.sh: runs the CPython anchor's own functions
(cpython_bench.py of the anchors directory, imported unmodified) in two modes the
anchor script has no switch for.

  python3 anchor_cpython.py ANCHORS_DIR memory N
      resident memory growth per node around building the anchor's tree(N),
      held; prints
      memory nodes=N rss_bytes_per_node=X native_bytes_per_node=Y native=...
  python3 anchor_cpython.py ANCHORS_DIR quick CHURN_LIVE CHURN_RINGS GROW_LIVE N...
      the anchor's workloads at smaller churn/grow sizes (smoke tests)
"""
import gc
import os
import sys


def rss_bytes():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


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
    else:
        sys.exit(f"anchor_cpython.py: unknown mode {mode}")


if __name__ == '__main__':
    main()
