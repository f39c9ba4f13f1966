/*
** inspect.c -- the commands of rcgc-inspect, which queries Chrome DevTools /
** V8 .heapsnapshot files (the format rcgc_* snapshot writers and V8
** produce):
**
**   rcgc-inspect summary FILE
**   rcgc-inspect cycles  FILE [--unreachable] [--limit N]
**   rcgc-inspect why     FILE (ID | @ID | TYPE) [-k N]
**   rcgc-inspect diff    BEFORE AFTER [--limit N]
**   rcgc-inspect top     FILE [N]
**   rcgc-inspect dot     FILE ID [--depth N] [--back] [--too-many N]
**
** inspect_main (inspect.h) runs one command line and returns its exit
** status: 0 success, 1 unreadable / malformed file or object not found, 2
** usage error. It never exits and writes only to the streams it is given,
** so the same code serves main.c and the fuzz target (fuzz_inspect.c).
** Errors read "rcgc-inspect: FILE: ...". Every number on the command line
** is checked against its whole range before use (see num_arg). All graph
** work is done by src/graph; this file only parses arguments and formats
** results.
*/
#include "inspect.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"

#define PROG "rcgc-inspect"

static const char usage_text[] =
    "usage: " PROG " COMMAND [ARGS]\n"
    "\n"
    "Query heap snapshots in Chrome DevTools .heapsnapshot format (written by\n"
    "rcgc or by V8/node).\n"
    "\n"
    "commands:\n"
    "  summary FILE                 node/edge counts, bytes, roots, per-type table\n"
    "  cycles FILE [--unreachable] [--limit N]\n"
    "                               reference cycles (strongly connected components)\n"
    "                               with their closing edges; [source] marks cycles\n"
    "                               nothing else points into; --unreachable looks\n"
    "                               only at objects not reachable from the root\n"
    "  why FILE ID|@ID|TYPE [-k N]  shortest retaining paths from the root to the\n"
    "                               node with that id, or to the closest instance of\n"
    "                               that type (N paths, default 3)\n"
    "  diff BEFORE AFTER [--limit N]\n"
    "                               per-type growth and objects new in AFTER (by id)\n"
    "  top FILE [N]                 N largest retained sizes (dominator tree), default 10\n"
    "  dot FILE ID [--depth N] [--back] [--too-many N]\n"
    "                               Graphviz DOT of the node's neighbourhood on stdout\n"
    "                               (--back: referrers instead of referents)\n"
    "\n"
    "numbers: -k 1..4294967295, --depth 0..1000000, --limit, --too-many and top's\n"
    "         N 0..4294967295 (--limit 0, --too-many 0: no limit), ID\n"
    "         0..18446744073709551615\n"
    "options: -h, --help  this text\n"
    "exit status: 0 ok, 1 bad file or object not found, 2 usage error\n";

/* Print "rcgc-inspect: WHAT 'ARG'" and a hint; returns 2. */
static int usage_error(const inspect_io *io, const char *what, const char *arg) {
  fprintf(io->err, PROG ": %s '%s'\nTry '" PROG " --help'.\n", what, arg);
  return 2;
}

/* ------------------------------------------------------------ arguments */

/* Parse 's' as a decimal number in [lo, hi]: digits only (no sign, no
** space), checked for overflow digit by digit. Returns 0, or -1 when it
** is not such a number. */
static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out) {
  if (!s || !*s)
    return -1;
  uint64_t v = 0;
  for (const char *p = s; *p; p++) {
    if (*p < '0' || *p > '9')
      return -1;
    unsigned d = (unsigned)(*p - '0');
    if (v > (UINT64_MAX - d) / 10)
      return -1;
    v = v * 10 + d;
  }
  if (v < lo || v > hi)
    return -1;
  *out = v;
  return 0;
}

/* Parse the value of the numeric argument 'name' (an option, or a
** description of a positional argument) in [lo, hi]. Returns 0, or 2
** after printing a message that names the argument and the range. */
static int num_arg(const inspect_io *io, const char *name, const char *s, uint64_t lo, uint64_t hi,
                   uint64_t *out) {
  if (!parse_u64(s, lo, hi, out))
    return 0;
  fprintf(io->err,
          PROG ": %s expects a number from %llu to %llu, not '%s'\nTry '" PROG " --help'.\n", name,
          (unsigned long long)lo, (unsigned long long)hi, s);
  return 2;
}

#define MAX_DEPTH 1000000u

typedef struct args {
  const char *pos[3];
  int npos;
  uint64_t depth, too_many, k, limit;
  int back, unreachable;
} args;

enum { OPT_DEPTH = 1, OPT_BACK = 2, OPT_TOO_MANY = 4, OPT_K = 8, OPT_LIMIT = 16, OPT_UNREACH = 32 };

/* Parse argv[2..] for a command accepting 'allowed' options and between
** minpos and maxpos positional arguments. Returns 0 or 2 (usage error,
** message printed). */
static int parse_args(const inspect_io *io, int argc, char **argv, unsigned allowed, int minpos,
                      int maxpos, args *a) {
  memset(a, 0, sizeof *a);
  a->depth = 3;
  a->too_many = 10;
  a->k = 3;
  a->limit = 50;
  for (int i = 2; i < argc; i++) {
    const char *s = argv[i];
    unsigned opt = 0;
    uint64_t *slot = NULL, lo = 0, hi = UINT32_MAX;
    if (!strcmp(s, "--depth"))
      opt = OPT_DEPTH, slot = &a->depth, hi = MAX_DEPTH;
    else if (!strcmp(s, "--too-many"))
      opt = OPT_TOO_MANY, slot = &a->too_many;
    else if (!strcmp(s, "-k") || !strcmp(s, "--paths"))
      opt = OPT_K, slot = &a->k, lo = 1;
    else if (!strcmp(s, "--limit"))
      opt = OPT_LIMIT, slot = &a->limit;
    else if (!strcmp(s, "--back"))
      opt = OPT_BACK;
    else if (!strcmp(s, "--unreachable"))
      opt = OPT_UNREACH;
    else if (s[0] == '-' && s[1] && strcmp(s, "-") != 0)
      return usage_error(io, "unknown option", s);
    if (opt && !(allowed & opt))
      return usage_error(io, "this command does not take option", s);
    if (slot) {
      if (i + 1 >= argc)
        return usage_error(io, "a number must follow option", s);
      int rc = num_arg(io, s, argv[++i], lo, hi, slot);
      if (rc)
        return rc;
      continue;
    }
    if (opt == OPT_BACK) {
      a->back = 1;
      continue;
    }
    if (opt == OPT_UNREACH) {
      a->unreachable = 1;
      continue;
    }
    if (a->npos == maxpos)
      return usage_error(io, "unexpected argument", s);
    a->pos[a->npos++] = s;
  }
  if (a->npos < minpos)
    return usage_error(io, "missing argument for", argv[1]);
  return 0;
}

/* ------------------------------------------------------------ helpers */

static int load(const inspect_io *io, snapshot *s, const char *path) {
  char err[512];
  int rc = io->load ? io->load(io->load_ud, s, path, err, sizeof err)
                    : snapshot_load(s, path, err, sizeof err);
  if (rc) {
    fprintf(io->err, PROG ": %s\n", err);
    return 1;
  }
  return 0;
}

static const char *desc(const snapshot *s, uint32_t v, char *buf) {
  return snapshot_node_desc(s, v, buf, 160);
}

/* Print a path: node0 --e0--> node1 --e1--> ... on one line. */
static void print_path(const inspect_io *io, const snapshot *s, const uint32_t *nodes,
                       const size_t *edges, uint32_t len) {
  char b[160], e[100];
  fputs(desc(s, nodes[0], b), io->out);
  for (uint32_t i = 0; i < len; i++) {
    fprintf(io->out, " --%s--> ", snapshot_edge_label(s, edges[i], e, sizeof e));
    fputs(desc(s, nodes[i + 1], b), io->out);
  }
  fputc('\n', io->out);
}

/* Reachable mask from the root over strong edges; NULL on out of memory. */
static uint8_t *reachable_mask(const snapshot *s, uint64_t *nreach, uint64_t *breach) {
  rcgc__bfs b;
  if (rcgc__bfs_run(&s->g, NULL, 0, NULL, &b))
    return NULL;
  uint8_t *r = malloc(s->g.n ? s->g.n : 1);
  *nreach = *breach = 0;
  if (r)
    for (uint32_t v = 0; v < s->g.n; v++) {
      r[v] = b.dist[v] != RCGC_G_NONE;
      if (r[v]) {
        ++*nreach;
        *breach += s->g.self_size[v];
      }
    }
  rcgc__bfs_free(&s->g, &b);
  return r;
}

static int oom(const inspect_io *io) {
  fprintf(io->err, PROG ": out of memory\n");
  return 1;
}

/* Parse the node argument "ID" or "@ID" (digits, a uint64_t). Returns 0
** with *isnum = 0 when it is not of that form (a type name, for why), 0
** with *isnum = 1 and *id set, or 2 after a message when the number is out
** of range. */
static int id_arg(const inspect_io *io, const char *arg, int *isnum, uint64_t *id) {
  const char *p = arg[0] == '@' ? arg + 1 : arg;
  *isnum = *p != '\0' && strspn(p, "0123456789") == strlen(p);
  if (!*isnum)
    return 0;
  return num_arg(io, "ID", p, 0, UINT64_MAX, id);
}

/* The node with snapshot id 'id', or RCGC_G_NONE after a message. */
static uint32_t find_id(const inspect_io *io, const snapshot *s, uint64_t id) {
  uint32_t n = snapshot_find_id(s, id);
  if (n == RCGC_G_NONE)
    fprintf(io->err, PROG ": %s: no node with id %llu\n", s->path, (unsigned long long)id);
  return n;
}

/* ------------------------------------------------------------ summary */

static int cmd_summary(const inspect_io *io, const args *a) {
  snapshot s;
  if (load(io, &s, a->pos[0]))
    return 1;
  const rcgc__graph *g = &s.g;
  rcgc__hist h;
  uint64_t nreach = 0, breach = 0;
  uint8_t *reach = reachable_mask(&s, &nreach, &breach);
  if (!reach || rcgc__hist_build(g, NULL, &h)) {
    free(reach);
    snapshot_free(&s);
    return oom(io);
  }
  fprintf(io->out, "snapshot: %s\n", a->pos[0]);
  fprintf(io->out, "nodes: %u\n", g->n);
  fprintf(io->out, "edges: %zu\n", g->m);
  fprintf(io->out, "total self size: %llu bytes\n", (unsigned long long)h.total_bytes);
  if (g->n) {
    /* roots: distinct strong targets of the root node */
    uint64_t nroots = 0;
    uint8_t *seen = calloc(g->n, 1);
    if (!seen) {
      free(reach);
      rcgc__hist_free(g, &h);
      snapshot_free(&s);
      return oom(io);
    }
    for (size_t e = g->edge_start[0]; e < g->edge_start[1]; e++)
      if (!rcgc__edge_is_weak(g, e) && !seen[g->edge_to[e]]) {
        seen[g->edge_to[e]] = 1;
        nroots++;
      }
    free(seen);
    char b[160];
    fprintf(io->out, "roots: %llu (referenced by the root node %s)\n", (unsigned long long)nroots,
            desc(&s, 0, b));
    fprintf(io->out, "reachable from the root: %llu nodes, %llu bytes\n",
            (unsigned long long)nreach, (unsigned long long)breach);
    fprintf(io->out, "unreachable from the root: %llu nodes, %llu bytes\n",
            (unsigned long long)(g->n - nreach), (unsigned long long)(h.total_bytes - breach));
    for (uint32_t v = 0; v < g->n; v++)
      if (s.synthetic[v] && !strcmp(rcgc__node_name(g, v), "(garbage)")) {
        size_t ng = g->edge_start[v + 1] - g->edge_start[v];
        fprintf(io->out, "garbage list: %zu object%s (%s)\n", ng, ng == 1 ? "" : "s",
                desc(&s, v, b));
      }
  }
  fprintf(io->out, "\n%10s %14s  %s\n", "count", "bytes", "type");
  for (uint32_t i = 0; i < h.nentries; i++)
    fprintf(io->out, "%10llu %14llu  %s\n", (unsigned long long)h.e[i].count,
            (unsigned long long)h.e[i].bytes, h.e[i].name[0] ? h.e[i].name : "(no name)");
  free(reach);
  rcgc__hist_free(g, &h);
  snapshot_free(&s);
  return 0;
}

/* ------------------------------------------------------------ cycles */

static int cmd_cycles(const inspect_io *io, const args *a) {
  snapshot s;
  if (load(io, &s, a->pos[0]))
    return 1;
  const rcgc__graph *g = &s.g;
  uint8_t *mask = NULL;
  int rc = 1;
  uint32_t *order = NULL;
  size_t *edges = NULL;
  rcgc__scc scc;
  memset(&scc, 0, sizeof scc);
  if (a->unreachable) {
    uint64_t nr, br;
    mask = reachable_mask(&s, &nr, &br);
    if (!mask)
      goto out_oom;
    for (uint32_t v = 0; v < g->n; v++)
      mask[v] = !mask[v];
  }
  if (rcgc__scc_run(g, mask, 0, &scc))
    goto out_oom;
  order = malloc((scc.ncyclic ? scc.ncyclic : 1) * sizeof *order);
  if (!order)
    goto out_oom;
  uint32_t k = scc.ncyclic, nsrc = 0;
  for (uint32_t c = 0; c < scc.ncomp; c++)
    nsrc += scc.cyclic[c] && scc.source[c];
  if (rcgc__scc_cycle_order(g, &scc, order))
    goto out_oom; /* graph.h's order */
  fprintf(io->out, "%u cycle%s (strongly connected components with a cycle%s), %u source%s\n", k,
          k == 1 ? "" : "s", a->unreachable ? ", unreachable objects only" : "", nsrc,
          nsrc == 1 ? "" : "s");
  uint32_t limit = (uint32_t)a->limit;
  uint32_t show = limit && limit < k ? limit : k;
  const uint32_t maxlist = 20;
  char b1[160], b2[160], el[100];
  for (uint32_t i = 0; i < show; i++) {
    uint32_t c = order[i];
    uint32_t sz = scc.start[c + 1] - scc.start[c];
    uint64_t bytes = 0;
    for (uint32_t j = scc.start[c]; j < scc.start[c + 1]; j++)
      bytes += g->self_size[scc.members[j]];
    fprintf(io->out, "\ncycle %u%s: %u object%s, %llu bytes\n", i + 1,
            scc.source[c] ? " [source]" : "", sz, sz == 1 ? "" : "s", (unsigned long long)bytes);
    fprintf(io->out, "  members:");
    for (uint32_t j = 0; j < sz && j < maxlist; j++)
      fprintf(io->out, "%s %s", j ? "," : "", desc(&s, scc.members[scc.start[c] + j], b1));
    if (sz > maxlist)
      fprintf(io->out, ", ... (%u more)", sz - maxlist);
    fputc('\n', io->out);
    size_t ne = rcgc__scc_internal_edges(g, &scc, c, 0, NULL, 0);
    size_t want = ne < maxlist ? ne : maxlist;
    free(edges);
    edges = malloc((want ? want : 1) * sizeof *edges);
    if (!edges)
      goto out_oom;
    rcgc__scc_internal_edges(g, &scc, c, 0, edges, want);
    fprintf(io->out, "  closing edges:\n");
    for (size_t j = 0; j < want; j++) {
      size_t e = edges[j];
      fprintf(io->out, "    %s --%s--> %s\n", desc(&s, rcgc__edge_from(g, e), b1),
              snapshot_edge_label(&s, e, el, sizeof el), desc(&s, g->edge_to[e], b2));
    }
    if (ne > want)
      fprintf(io->out, "    ... (%zu more edges)\n", ne - want);
  }
  if (show < k)
    fprintf(io->out, "\n(%u more cycles not shown; use --limit 0 for all)\n", k - show);
  rc = 0;
  goto out;
out_oom:
  rc = oom(io);
out:
  free(edges);
  free(order);
  free(mask);
  rcgc__scc_free(g, &scc);
  snapshot_free(&s);
  return rc;
}

/* ------------------------------------------------------------ why */

static int cmd_why(const inspect_io *io, const args *a) {
  int isnum, rc;
  uint64_t id = 0;
  if ((rc = id_arg(io, a->pos[1], &isnum, &id)))
    return rc;
  snapshot s;
  if (load(io, &s, a->pos[0]))
    return 1;
  const rcgc__graph *g = &s.g;
  rc = 1;
  char b[160], el[100];
  uint32_t target = isnum ? find_id(io, &s, id) : RCGC_G_NONE;
  if (isnum && target == RCGC_G_NONE)
    goto out;
  if (!isnum) {
    /* closest instance of the type by BFS distance from the root */
    rcgc__bfs bfs;
    if (rcgc__bfs_run(g, NULL, 0, NULL, &bfs)) {
      rc = oom(io);
      goto out;
    }
    uint64_t count = 0, reach = 0;
    uint32_t best = RCGC_G_NONE, first = RCGC_G_NONE;
    for (uint32_t v = 0; v < g->n; v++) {
      if (strcmp(rcgc__node_name(g, v), a->pos[1]) != 0)
        continue;
      count++;
      if (first == RCGC_G_NONE)
        first = v;
      if (bfs.dist[v] == RCGC_G_NONE)
        continue;
      reach++;
      if (best == RCGC_G_NONE || bfs.dist[v] < bfs.dist[best])
        best = v;
    }
    rcgc__bfs_free(g, &bfs);
    if (!count) {
      fprintf(io->err, PROG ": %s: no node with id or type '%s'\n", s.path, a->pos[1]);
      goto out;
    }
    fprintf(io->out, "%s: %llu instance%s, %llu reachable from the root\n", a->pos[1],
            (unsigned long long)count, count == 1 ? "" : "s", (unsigned long long)reach);
    target = best != RCGC_G_NONE ? best : first;
  }
  rcgc__paths p;
  if (rcgc__retaining_paths(g, target, (uint32_t)a->k, &p)) {
    rc = oom(io);
    goto out;
  }
  if (p.npaths == 0) {
    fprintf(io->out,
            "%s is not reachable from the root: it is garbage, or held only by unreachable\n"
            "objects or weak references\n",
            desc(&s, target, b));
    /* show who refers to it, to start the hunt */
    uint32_t shown = 0;
    for (uint32_t u = 0; u < g->n && shown < 10; u++)
      for (size_t e = g->edge_start[u]; e < g->edge_start[u + 1] && shown < 10; e++)
        if (g->edge_to[e] == target) {
          if (!shown)
            fprintf(io->out, "referenced by:\n");
          char b2[160];
          fprintf(io->out, "  %s --%s%s--> %s\n", desc(&s, u, b2),
                  snapshot_edge_label(&s, e, el, sizeof el),
                  rcgc__edge_is_weak(g, e) ? " (weak)" : "", desc(&s, target, b));
          shown++;
        }
    if (!shown)
      fprintf(io->out, "referenced by: nothing\n");
  } else if (p.len[0] == 0) {
    fprintf(io->out, "%s is the root\n", desc(&s, target, b));
  } else {
    fprintf(io->out, "%s: %u retaining path%s (shortest first, distinct last edges)\n",
            desc(&s, target, b), p.npaths, p.npaths == 1 ? "" : "s");
    for (uint32_t i = 0; i < p.npaths; i++) {
      fprintf(io->out, "%u: ", i + 1);
      print_path(io, &s, p.nodes + p.off[i], p.edges + (p.off[i] - i), p.len[i]);
    }
  }
  rcgc__paths_free(g, &p);
  rc = 0;
out:
  snapshot_free(&s);
  return rc;
}

/* ------------------------------------------------------------ diff */

/* after - before as "+N" or "-N" (buf: 24 bytes), exact for any uint64_t
** values (a file's byte totals may exceed what a long long holds). */
static const char *delta(uint64_t before, uint64_t after, char *buf) {
  if (after >= before)
    snprintf(buf, 24, "+%llu", (unsigned long long)(after - before));
  else
    snprintf(buf, 24, "-%llu", (unsigned long long)(before - after));
  return buf;
}

static const rcgc__graph *g_names; /* qsort has no context argument */

/* By class name, then by node index. */
static int name_cmp(const void *pa, const void *pb) {
  uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
  int c = strcmp(rcgc__node_name(g_names, a), rcgc__node_name(g_names, b));
  return c ? c : (a > b) - (a < b);
}

static int cmd_diff(const inspect_io *io, const args *a) {
  snapshot sa, sb;
  if (load(io, &sa, a->pos[0]))
    return 1;
  if (load(io, &sb, a->pos[1])) {
    snapshot_free(&sa);
    return 1;
  }
  int rc = 1;
  rcgc__hist ha, hb, hn;
  rcgc__hist_diff d;
  memset(&ha, 0, sizeof ha);
  memset(&hb, 0, sizeof hb);
  memset(&hn, 0, sizeof hn);
  memset(&d, 0, sizeof d);
  uint8_t *isnew = malloc(sb.g.n ? sb.g.n : 1);
  uint32_t *bynm = NULL, nn = 0;
  if (!isnew || rcgc__hist_build(&sa.g, NULL, &ha) || rcgc__hist_build(&sb.g, NULL, &hb) ||
      rcgc__hist_diff_build(&sa.g, &ha, &hb, &d)) {
    rc = oom(io);
    goto out;
  }
  long nnew = rcgc__new_nodes(&sa.g, &sb.g, isnew);
  if (nnew < 0 || rcgc__hist_build(&sb.g, isnew, &hn) ||
      !(bynm = malloc((nnew ? (size_t)nnew : 1) * sizeof *bynm))) {
    rc = oom(io);
    goto out;
  }
  /* the new nodes sorted by class, so that each type's first ids are found
  ** by binary search (one scan of all nodes per type is quadratic when a
  ** file has as many types as nodes) */
  for (uint32_t v = 0; v < sb.g.n; v++)
    if (isnew[v])
      bynm[nn++] = v;
  g_names = &sb.g;
  qsort(bynm, nn, sizeof *bynm, name_cmp);
  uint32_t limit = (uint32_t)a->limit;
  fprintf(io->out, "before: %u nodes, %llu bytes (%s)\n", sa.g.n,
          (unsigned long long)ha.total_bytes, a->pos[0]);
  fprintf(io->out, "after:  %u nodes, %llu bytes (%s)\n", sb.g.n,
          (unsigned long long)hb.total_bytes, a->pos[1]);
  char d1[24], d2[24];
  fprintf(io->out, "change: %s nodes, %s bytes\n", delta(sa.g.n, sb.g.n, d1),
          delta(ha.total_bytes, hb.total_bytes, d2));
  fprintf(io->out, "\n%12s %14s %10s %14s  %s\n", "count delta", "bytes delta", "count", "bytes",
          "type");
  for (uint32_t i = 0; i < d.nentries && (!limit || i < limit); i++) {
    const rcgc__hist_delta *x = &d.e[i];
    fprintf(io->out, "%12s %14s %10llu %14llu  %s\n", delta(x->count_before, x->count_after, d1),
            delta(x->bytes_before, x->bytes_after, d2), (unsigned long long)x->count_after,
            (unsigned long long)x->bytes_after, x->name[0] ? x->name : "(no name)");
  }
  if (limit && d.nentries > limit)
    fprintf(io->out, "(%u more types)\n", d.nentries - limit);
  if (!d.nentries)
    fprintf(io->out, "(no change)\n");
  fprintf(io->out, "\nnew objects in after (id not in before): %ld\n", nnew);
  for (uint32_t i = 0; i < hn.nentries && (!limit || i < limit); i++) {
    fprintf(io->out, "  %s: %llu new, %llu bytes:", hn.e[i].name[0] ? hn.e[i].name : "(no name)",
            (unsigned long long)hn.e[i].count, (unsigned long long)hn.e[i].bytes);
    unsigned shown = 0;
    uint32_t lo = 0, hi = nn;
    while (lo < hi) {
      uint32_t mid = lo + (hi - lo) / 2;
      if (strcmp(rcgc__node_name(&sb.g, bynm[mid]), hn.e[i].name) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
    for (; lo < nn && shown < 10 && !strcmp(rcgc__node_name(&sb.g, bynm[lo]), hn.e[i].name); lo++) {
      fprintf(io->out, " @%llu", (unsigned long long)sb.g.id[bynm[lo]]);
      shown++;
    }
    if (hn.e[i].count > shown)
      fprintf(io->out, " ...");
    fputc('\n', io->out);
  }
  if (limit && hn.nentries > limit)
    fprintf(io->out, "  (%u more types)\n", hn.nentries - limit);
  rc = 0;
out:
  free(bynm);
  free(isnew);
  rcgc__hist_free(&sa.g, &ha);
  rcgc__hist_free(&sb.g, &hb);
  rcgc__hist_free(&sb.g, &hn);
  rcgc__hist_diff_free(&sa.g, &d);
  snapshot_free(&sa);
  snapshot_free(&sb);
  return rc;
}

/* ------------------------------------------------------------ top */

static int cmd_top(const inspect_io *io, const args *a) {
  uint64_t n = 10;
  int rc;
  if (a->npos > 1 && (rc = num_arg(io, "top's N", a->pos[1], 0, UINT32_MAX, &n)))
    return rc;
  snapshot s;
  if (load(io, &s, a->pos[0]))
    return 1;
  const rcgc__graph *g = &s.g;
  rcgc__dom d;
  if (rcgc__dom_run(g, &d)) {
    snapshot_free(&s);
    return oom(io);
  }
  uint32_t k = n > g->n ? g->n : (uint32_t)n;
  uint32_t *top = malloc((k ? k : 1) * sizeof *top);
  if (!top) {
    rcgc__dom_free(g, &d);
    snapshot_free(&s);
    return oom(io);
  }
  /* synthetic nodes (the root, "(garbage)", V8's "(GC roots)") are skipped */
  k = rcgc__dom_top(&d, s.synthetic, k, top);
  fprintf(io->out, "reachable from the root: %u nodes, %llu bytes\n", d.nreached,
          (unsigned long long)d.total);
  fprintf(io->out, "\n%14s %12s  %s\n", "retained", "self", "object");
  char b[160];
  for (uint32_t i = 0; i < k; i++)
    fprintf(io->out, "%14llu %12llu  %s\n", (unsigned long long)d.retained[top[i]],
            (unsigned long long)g->self_size[top[i]], desc(&s, top[i], b));
  free(top);
  rcgc__dom_free(g, &d);
  snapshot_free(&s);
  return 0;
}

/* ------------------------------------------------------------ dot */

static void write_file(void *ud, const char *t, size_t n) { fwrite(t, 1, n, (FILE *)ud); }

static size_t dot_label(void *ud, const rcgc__graph *g, uint32_t v, char *buf, size_t cap) {
  const snapshot *s = ud;
  char b[160];
  int l = snprintf(buf, cap, "%s\n%llu bytes", snapshot_node_desc(s, v, b, sizeof b),
                   (unsigned long long)g->self_size[v]);
  if (l < 0)
    return 0;
  return (size_t)l < cap ? (size_t)l : cap - 1;
}

static size_t dot_edge_label(void *ud, const rcgc__graph *g, size_t e, char *buf, size_t cap) {
  (void)g;
  snapshot_edge_label(ud, e, buf, cap);
  return strlen(buf);
}

static int cmd_dot(const inspect_io *io, const args *a) {
  int isnum, rc;
  uint64_t id = 0;
  if ((rc = id_arg(io, a->pos[1], &isnum, &id)))
    return rc;
  if (!isnum) {
    fprintf(io->err, PROG ": not a node id: '%s'\n", a->pos[1]);
    return 2;
  }
  snapshot s;
  if (load(io, &s, a->pos[0]))
    return 1;
  rc = 1;
  uint32_t v = find_id(io, &s, id);
  if (v == RCGC_G_NONE) {
    snapshot_free(&s);
    return 1;
  }
  rcgc__preds p;
  memset(&p, 0, sizeof p);
  if (a->back && rcgc__preds_build(&s.g, &p)) {
    rc = oom(io);
    goto out;
  }
  rcgc__dot_opts o;
  memset(&o, 0, sizeof o);
  o.flags = a->back ? RCGC_G_DOT_BACK : 0;
  o.max_depth = (uint32_t)a->depth;
  o.too_many = (uint32_t)a->too_many;
  o.label = dot_label;
  o.label_ud = &s;
  o.edge_label = dot_edge_label;
  o.preds = a->back ? &p : NULL;
  if (rcgc__dot(&s.g, &v, 1, &o, write_file, io->out)) {
    rc = oom(io);
    goto out;
  }
  rc = 0;
out:
  rcgc__preds_free(&s.g, &p);
  snapshot_free(&s);
  return rc;
}

/* ------------------------------------------------------------ entry */

int inspect_main(int argc, char **argv, const inspect_io *io) {
  if (argc < 2) {
    fputs(usage_text, io->err);
    return 2;
  }
  const char *cmd = argv[1];
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      fputs(usage_text, io->out);
      return 0;
    }
  args a;
  int rc;
  if (!strcmp(cmd, "summary")) {
    if ((rc = parse_args(io, argc, argv, 0, 1, 1, &a)))
      return rc;
    rc = cmd_summary(io, &a);
  } else if (!strcmp(cmd, "cycles")) {
    if ((rc = parse_args(io, argc, argv, OPT_UNREACH | OPT_LIMIT, 1, 1, &a)))
      return rc;
    rc = cmd_cycles(io, &a);
  } else if (!strcmp(cmd, "why")) {
    if ((rc = parse_args(io, argc, argv, OPT_K, 2, 2, &a)))
      return rc;
    rc = cmd_why(io, &a);
  } else if (!strcmp(cmd, "diff")) {
    if ((rc = parse_args(io, argc, argv, OPT_LIMIT, 2, 2, &a)))
      return rc;
    rc = cmd_diff(io, &a);
  } else if (!strcmp(cmd, "top")) {
    if ((rc = parse_args(io, argc, argv, 0, 1, 2, &a)))
      return rc;
    rc = cmd_top(io, &a);
  } else if (!strcmp(cmd, "dot")) {
    if ((rc = parse_args(io, argc, argv, OPT_DEPTH | OPT_BACK | OPT_TOO_MANY, 2, 2, &a)))
      return rc;
    rc = cmd_dot(io, &a);
  } else {
    return usage_error(io, "unknown command", cmd);
  }
  if (fflush(io->out) != 0 || ferror(io->out)) {
    fprintf(io->err, PROG ": error writing output: %s\n", strerror(errno));
    return 1;
  }
  return rc;
}
