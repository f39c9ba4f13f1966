"""GCBench and binary-trees (bench/README.md, "Classic benchmarks") on
CPython, with __slots__ classes: the same programs as classic_rcgc.c and
classic_c.c, with the same output.

  python3 classic_python.py gcbench|binary-trees [--cyclic] [DEPTH]

The cyclic variant gives every node a reference to its parent, so every
tree is reclaimed by the cycle collector. Collections and pauses come from
gc.callbacks (start/stop); after the long-lived structures are dropped, a
last gc.collect() (not counted among the collections) reclaims the rest,
and the result line reports what the collections freed in all and how many
nodes are still alive. The number of nodes is computed from the depths (a
counter in the constructor would slow the program down); the check lines
count them by walking the trees.
"""
import gc
import resource
import sys
import time


class TreeNode:
    __slots__ = ('left', 'right')

    def __init__(self):
        self.left = None
        self.right = None


class CyclicTreeNode:
    __slots__ = ('left', 'right', 'parent')

    def __init__(self):
        self.left = None
        self.right = None
        self.parent = None


class Node:
    __slots__ = ('left', 'right', 'i', 'j')

    def __init__(self, left=None, right=None):
        self.left = left
        self.right = right
        self.i = 0
        self.j = 0


class CyclicNode:
    __slots__ = ('left', 'right', 'i', 'j', 'parent')

    def __init__(self, left=None, right=None):
        self.left = left
        self.right = right
        self.i = 0
        self.j = 0
        self.parent = None


def tree_size(d):
    return (1 << (d + 1)) - 1


# ------------------------------------------------------------ binary-trees

# The node class and the variant, set by main() (module-level functions:
# closures would themselves be cycles, counted by the collector).
make = None
cyclic = False


def bottom_up_tree(depth):
    n = make()
    if depth > 0:
        n.left = bottom_up_tree(depth - 1)
        n.right = bottom_up_tree(depth - 1)
        if cyclic:
            n.left.parent = n
            n.right.parent = n
    return n


def item_check(n):
    if n.left is None:
        return 1
    return 1 + item_check(n.left) + item_check(n.right)


def binary_trees(max_depth):
    min_depth = 4
    max_depth = max(min_depth + 2, max_depth)
    nodes = tree_size(max_depth + 1) + tree_size(max_depth)

    stretch = bottom_up_tree(max_depth + 1)
    print(f'stretch tree of depth {max_depth + 1}\t check: {item_check(stretch)}')
    stretch = None

    long_lived = bottom_up_tree(max_depth)
    for d in range(min_depth, max_depth + 1, 2):
        iterations = 1 << (max_depth - d + min_depth)
        check = 0
        for _ in range(iterations):
            t = bottom_up_tree(d)
            check += item_check(t)
            t = None
        nodes += iterations * tree_size(d)
        print(f'{iterations}\t trees of depth {d}\t check: {check}')
    print(f'long lived tree of depth {max_depth}\t check: {item_check(long_lived)}')
    long_lived = None
    return nodes


# ---------------------------------------------------------------- GCBench

def populate(d, n):
    if d <= 0:
        return
    d -= 1
    n.left = make()
    n.right = make()
    if cyclic:
        n.left.parent = n
        n.right.parent = n
    populate(d, n.left)
    populate(d, n.right)


def make_tree(d):
    if d <= 0:
        return make()
    n = make(make_tree(d - 1), make_tree(d - 1))
    if cyclic:
        n.left.parent = n
        n.right.parent = n
    return n


def count(n):
    return 0 if n is None else 1 + count(n.left) + count(n.right)


def gcbench(depth):
    stretch_depth, min_depth, array_size = depth + 2, 4, 500000
    nodes = tree_size(stretch_depth) + tree_size(depth)
    t = make_tree(stretch_depth)
    print(f'stretch tree of depth {stretch_depth}: {count(t)} nodes')
    t = None

    long_lived = make()
    populate(depth, long_lived)
    array = [0.0] * array_size
    for i in range(1, array_size // 2):
        array[i] = 1.0 / i

    for d in range(min_depth, depth + 1, 2):
        iterations = 2 * tree_size(stretch_depth) // tree_size(d)
        for _ in range(iterations):
            t = make()
            populate(d, t)
            t = None
        for _ in range(iterations):
            t = make_tree(d)
            t = None
        nodes += 2 * iterations * tree_size(d)
        print(f'{iterations} trees of depth {d} top-down and {iterations} bottom-up')
    ok = 'ok' if array[1000] == 1.0 / 1000 else 'WRONG'
    print(f'long-lived tree of depth {depth}: {count(long_lived)} nodes; array[1000] {ok}')
    long_lived = array = None
    return nodes


# ------------------------------------------------------------------- main

def main():
    global make, cyclic
    args = sys.argv[1:]
    cyclic = '--cyclic' in args
    args = [a for a in args if a != '--cyclic']
    if not args or args[0] not in ('gcbench', 'binary-trees') or len(args) > 2:
        sys.exit('usage: classic_python.py gcbench|binary-trees [--cyclic] [DEPTH]')
    workload = args[0]
    depth = int(args[1]) if len(args) > 1 else (16 if workload == 'gcbench' else 10)
    sys.setrecursionlimit(max(1000, 4 * depth + 100))

    stats = {'count': 0, 'full': 0, 'max': 0.0, 'sum': 0.0, 'collected': 0, 't0': 0.0}

    def on_collect(phase, info):
        if phase == 'start':
            stats['t0'] = time.perf_counter()
            return
        d = time.perf_counter() - stats['t0']
        stats['sum'] += d
        stats['max'] = max(stats['max'], d)
        stats['count'] += 1
        stats['full'] += info['generation'] == 2
        stats['collected'] += info['collected']

    print(f'version CPython {sys.version.split()[0]}')
    gc.collect()
    gc.callbacks.append(on_collect)
    t0 = time.perf_counter()
    if workload == 'gcbench':
        make = CyclicNode if cyclic else Node
        nodes = gcbench(depth)
    else:
        make = CyclicTreeNode if cyclic else TreeNode
        nodes = binary_trees(depth)
    seconds = time.perf_counter() - t0
    sys.stdout.flush()
    gc.callbacks.remove(on_collect)
    collected = stats['collected'] + gc.collect()
    alive = sum(1 for o in gc.get_objects() if type(o) is make)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f'result workload={workload} variant={"cyclic" if cyclic else "acyclic"} '
          f'depth={depth} seconds={seconds:.3f} nodes={nodes} '
          f'collections={stats["count"]} full={stats["full"]} '
          f'max_pause_ms={stats["max"] * 1e3:.3f} gc_seconds={stats["sum"]:.3f} '
          f'collected={collected} alive={alive} maxrss_kb={rss}')


if __name__ == '__main__':
    main()
