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
 *                      (with fixed_churn) */
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

int main(int argc, char **argv) {
    GC_INIT();
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
    fprintf(stderr, "usage: %s memory N | churn LIVE RINGS | grow LIVE | quick CHURN_LIVE CHURN_RINGS GROW_LIVE N...\n", argv[0]);
    return 2;
}
