/* Helper for bench/run.sh: the Boehm anchor's own functions
 * (boehm_bench.c of the anchors directory, included unmodified with its main
 * renamed) in two modes the anchor has no switch for.
 *   gcc -O2 -I ANCHORS_DIR anchor_boehm.c -lgc
 *   ./a.out memory N   resident memory and heap-in-use growth per node
 *                      around the anchor's tree(N), held:
 *     memory nodes=N rss_bytes_per_node=X native_bytes_per_node=Y native=GC_heap_in_use
 *   ./a.out churn LIVE RINGS
 *                      the anchor's churn with its held tree built while
 *                      collection is disabled (see fixed_churn below)
 *   ./a.out grow LIVE  the anchor's own grow()
 *   ./a.out quick CHURN_LIVE CHURN_RINGS GROW_LIVE N...
 *                      the anchor's workloads at smaller churn/grow sizes
 *                      (with fixed_churn)
 *   ./a.out shuffled N...
 *                      live-tree-shuffled and mixed-shuffled, which the
 *                      anchor does not have (see shuffled below), timed as
 *                      the anchor's bench() times live-tree and mixed:
 *     live-tree-shuffled N seconds ns_per_node, mixed-shuffled 2N ...
 *                      after each collection the tree must still have its
 *                      N nodes (walked from the root); otherwise a message
 *                      on stderr and exit status 3 */
#define main boehm_anchor_main
#include "boehm_bench.c"
#undef main

#include <string.h>
#include <unistd.h>

static long rss_bytes(void) {
    long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return -1;
    if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
    fclose(f);
    return resident * sysconf(_SC_PAGESIZE);
}

/* The anchor's churn() calls tree() with collection enabled. tree() holds
 * its nodes only in an atomic (unscanned) array while it links them, so a
 * collection triggered during the build frees nodes that are still in the
 * array; the links are then written into free objects (use after free: the
 * free lists are corrupted). On this machine the anchor crashes in the
 * GC_gcollect() that follows (SIGSEGV); where it survives, the held
 * structure is far smaller than LIVE nodes. This is the same measurement
 * with the tree built as the anchor's bench() builds it: collection
 * disabled during the build. It prints the anchor's churn line plus
 * tree=built-with-gc-disabled. */
static void fixed_churn(long live, long rn) {
    GC_disable(); keep = tree(live); GC_enable();
    GC_gcollect();
    long gcs0 = GC_get_gc_no(); double t = now();
    for (long i = 0; i < rn; i++) { node *x = mk(), *y = mk(), *z = mk(); x->a = y; y->a = z; z->a = x; }
    double dt = now() - t;
    printf("churn live=%ld rings=%ld total=%.3fs ns_per_ring=%.0f collections=%ld tree=built-with-gc-disabled\n",
           live, rn, dt, dt / rn * 1e9, (long)(GC_get_gc_no() - gcs0));
    fflush(stdout);
}

/* splitmix64, as rcgc_bench.c and anchor_cpython.py compute it. */
static unsigned long long splitmix64(unsigned long long *state) {
    unsigned long long z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* The graph of the anchor's tree(n) (and, with rings, of its rings(n)),
 * the nodes allocated in a random order with respect to it, exactly as
 * rcgc_bench.c's shuffled() builds it: all nodes made first into an array,
 * shuffled (Fisher-Yates, splitmix64 seed 1), then v[i] linked as tree()
 * links its i-th node and the rest as rings of three. The array is atomic
 * (not scanned) and collection is off while building, as in the anchor's
 * bench(). Returns the root. */
static node *shuffled(long n, int with_rings) {
    long total = n + (with_rings ? (n / 3) * 3 : 0);
    node **v = GC_MALLOC_ATOMIC(total * sizeof *v);
    if (!v) { fprintf(stderr, "anchor_boehm: out of memory\n"); exit(2); }
    for (long i = 0; i < total; i++) v[i] = mk();
    unsigned long long st = 1;
    for (long i = total - 1; i > 0; i--) {
        long j = (long)(splitmix64(&st) % (unsigned long long)(i + 1));
        node *t = v[i]; v[i] = v[j]; v[j] = t;
    }
    for (long i = 0; i < n; i++) { if (2*i+1 < n) v[i]->a = v[2*i+1]; if (2*i+2 < n) v[i]->b = v[2*i+2]; }
    for (long i = n; i < total; i += 3) { v[i]->a = v[i+1]; v[i+1]->a = v[i+2]; v[i+2]->a = v[i]; }
    node *r = v[0]; GC_FREE(v); return r;
}

/* Nodes reachable from the root through a and b (a complete binary tree:
 * every node is reached once), without recursion. */
static long count_tree(node *root, long n) {
    node **stack = malloc((size_t)(n + 1) * sizeof *stack);
    long sp = 0, count = 0;
    if (!stack) { fprintf(stderr, "anchor_boehm: out of memory\n"); exit(2); }
    if (root) stack[sp++] = root;
    while (sp > 0 && count <= n) {
        node *x = stack[--sp];
        count++;
        if (x->a) stack[sp++] = x->a;
        if (x->b) stack[sp++] = x->b;
    }
    free(stack);
    return count;
}

static int bench_shuffled(const char *kind, long n) {
    int mixed = kind[0] == 'm', bad = 0;
    double best = 1e9;
    for (int rep = 0; rep < 3; rep++) {
        GC_gcollect(); GC_disable(); keep = NULL;
        keep = shuffled(n, mixed);
        GC_enable();
        double t = now(); GC_gcollect(); double dt = now() - t;
        if (dt < best) best = dt;
        long c = count_tree(keep, n);
        if (c != n) {
            fprintf(stderr, "anchor_boehm: %s %ld: %ld nodes reachable after the collection\n",
                    kind, n, c);
            bad = 1;
        }
        keep = NULL;
    }
    long total = mixed ? 2 * n : n;
    printf("%s %ld %.6f %.1f\n", kind, total, best, best / total * 1e9); fflush(stdout);
    return bad;
}

int main(int argc, char **argv) {
    GC_INIT();
    if (argc >= 2 && strcmp(argv[1], "shuffled") == 0) {
        int bad = 0;
        printf("bdwgc %u.%u.%u\n", GC_VERSION_MAJOR, GC_VERSION_MINOR, GC_VERSION_MICRO);
        for (int i = 2; i < argc; i++) {
            long n = atol(argv[i]);
            bad |= bench_shuffled("live-tree-shuffled", n);
            bad |= bench_shuffled("mixed-shuffled", n);
        }
        return bad ? 3 : 0;
    }
    if (argc >= 4 && strcmp(argv[1], "churn") == 0) {
        fixed_churn(atol(argv[2]), atol(argv[3]));
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "grow") == 0) {
        grow(atol(argv[2]), 10);
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "memory") == 0) {
        long n = atol(argv[2]);
        /* The anchor's tree() keeps its nodes only in an atomic (unscanned)
         * array while it links them: a collection during the build frees
         * and reuses them and the "tree" comes out corrupt (about 11 B per
         * node). So collection is off while building, as in the anchor's
         * own bench(). Native: bytes in use (heap minus free) after a
         * collection; RSS also counts the tree's temporary array (8 B per
         * node), which Boehm keeps in its heap after GC_FREE. */
        GC_gcollect();
        long r0 = rss_bytes();
        size_t u0 = GC_get_heap_size() - GC_get_free_bytes();
        GC_disable(); keep = tree(n); GC_enable();
        GC_gcollect();
        long r1 = rss_bytes();
        size_t u1 = GC_get_heap_size() - GC_get_free_bytes();
        printf("memory nodes=%ld rss_bytes_per_node=%.1f native_bytes_per_node=%.1f native=GC_heap_in_use\n",
               n, (double)(r1 - r0) / n, (double)(u1 - u0) / n);
        return 0;
    }
    if (argc >= 5 && strcmp(argv[1], "quick") == 0) {
        printf("bdwgc %u.%u.%u\n", GC_VERSION_MAJOR, GC_VERSION_MINOR, GC_VERSION_MICRO);
        for (int i = 5; i < argc; i++) {
            long n = atol(argv[i]);
            bench("rings", n); bench("live-tree", n); bench("mixed", n);
        }
        fixed_churn(atol(argv[2]), atol(argv[3]));
        grow(atol(argv[4]), 10);
        return 0;
    }
    fprintf(stderr, "usage: %s memory N | churn LIVE RINGS | grow LIVE | quick CHURN_LIVE CHURN_RINGS GROW_LIVE N... | shuffled N...\n", argv[0]);
    return 2;
}
