/*
** test_trim.c -- a heap that shrinks gives its empty pool pages back.
**
** Pool pages are 64 KiB; a collection returns the pages none of whose blocks
** is allocated, beyond a reserve of 1 MiB (a quarter of the live bytes when
** that is more), once at least half of the pool memory and 4 MiB are free.
** The allocator hook counts the bytes the heap holds, so the tests see
** exactly what went back; the heap's count of trims (internal.h) shows when
** the pages were read.
*/
#include "testlib.h"

#include "internal.h" /* heap->trim_scans */

TL_DEFINE;

#define N 200000
#define PAGE (64 * 1024)
#define PAGE_HEADER 32          /* the page header, rounded to 16 bytes */
#define RESERVE_PAGES 16        /* 1 MiB */
#define QUARANTINE_PAGES 5      /* debug builds keep 4096 freed blocks */

typedef struct cell {
  long value, pad;
} cell;
static const rcgc_type cell_type = {.name = "Cell", .size = sizeof(cell)};

static cell **cells;

/* N cells, cell i holding i; returns the block size of one cell. */
static size_t make_cells(void) {
  cells = malloc(N * sizeof *cells);
  cr_assert_not_null(cells);
  for (long i = 0; i < N; i++) {
    cells[i] = rcgc_new(tl.heap, &cell_type);
    cr_assert_not_null(cells[i]);
    cells[i]->value = i;
  }
  cr_assert_eq(rcgc_heap_object_count(tl.heap), N);
  return rcgc_heap_bytes(tl.heap) / N;
}

static void drop_cells(void) {
  for (long i = 0; i < N; i++)
    rcgc_decref(tl.heap, cells[i]);
  free(cells);
  cells = NULL;
}

Test(trim, empty_pages_go_back_after_a_collection, .init = tl_setup, .fini = tl_teardown) {
  TL_SKIP_UNDER_STRESS();
  size_t bsize = make_cells();
  size_t per_page = (PAGE - PAGE_HEADER) / bsize;
  long long before = tl.alloc.live_bytes;
  long kept = 10000;
  for (long i = 0; i < N - kept; i++) {
    rcgc_decref(tl.heap, cells[i]);
    cells[i] = NULL;
  }
  /* freeing alone returns nothing: pages go back at a collection */
  cr_assert_eq(tl.alloc.live_bytes, before);
  rcgc_collect(tl.heap, 2);
  long long released = before - tl.alloc.live_bytes;
  cr_assert_eq(released % PAGE, 0, "released %lld bytes: not whole pages", released);
  long pages = (long)(released / PAGE);
  long empty = (long)((size_t)(N - kept) / per_page); /* pages holding freed cells only */
  cr_assert_leq(pages, empty, "%ld pages released, only %ld were empty", pages, empty);
  cr_assert_geq(pages, empty - 1 - RESERVE_PAGES - QUARANTINE_PAGES,
                "%ld pages released of %ld empty ones", pages, empty);
  /* the kept cells are intact */
  for (long i = N - kept; i < N; i++)
    cr_assert_eq(cells[i]->value, i);
  /* nothing more to give back: a second collection changes nothing */
  long long after = tl.alloc.live_bytes;
  rcgc_collect(tl.heap, 2);
  cr_assert_eq(tl.alloc.live_bytes, after);
  /* the heap grows again from fresh pages, objects zeroed as always */
  for (long i = 0; i < N - kept; i++) {
    cells[i] = rcgc_new(tl.heap, &cell_type);
    cr_assert_not_null(cells[i]);
    cr_assert_eq(cells[i]->value, 0);
    cr_assert_eq(cells[i]->pad, 0);
    cells[i]->value = i;
  }
  cr_assert_eq(rcgc_heap_object_count(tl.heap), N);
  for (long i = 0; i < N; i++)
    cr_assert_eq(cells[i]->value, i);
  drop_cells();
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
}

Test(trim, a_page_with_one_live_block_stays, .init = tl_setup, .fini = tl_teardown) {
  TL_SKIP_UNDER_STRESS();
  size_t bsize = make_cells();
  size_t per_page = (PAGE - PAGE_HEADER) / bsize;
  long long before = tl.alloc.live_bytes;
  /* keep one cell in every stretch of per_page / 2: every page keeps one */
  long step = (long)per_page / 2;
  for (long i = 0; i < N; i++) {
    if (i % step != 0) {
      rcgc_decref(tl.heap, cells[i]);
      cells[i] = NULL;
    }
  }
  cr_assert_eq(tl.heap->trim_scans, 0);
  rcgc_collect(tl.heap, 2);
  cr_assert_eq(tl.alloc.live_bytes, before, "a page with a live block was released");
  /* the trim ran and found nothing; the next collection does not read the
  ** pages again (the free memory has not doubled) */
  cr_assert_eq(tl.heap->trim_scans, 1);
  rcgc_collect(tl.heap, 2);
  cr_assert_eq(tl.heap->trim_scans, 1, "a fragmented heap was read again");
  cr_assert_eq(tl.alloc.live_bytes, before);
  for (long i = 0; i < N; i += step)
    cr_assert_eq(cells[i]->value, i);
  for (long i = 0; i < N; i += step)
    rcgc_decref(tl.heap, cells[i]);
  free(cells);
  cells = NULL;
}

Test(trim, a_heap_that_stays_half_full_keeps_its_pages, .init = tl_setup, .fini = tl_teardown) {
  TL_SKIP_UNDER_STRESS();
  make_cells();
  long long before = tl.alloc.live_bytes;
  /* free the first 40%: less than half of the pool is free */
  for (long i = 0; i < N * 4 / 10; i++) {
    rcgc_decref(tl.heap, cells[i]);
    cells[i] = NULL;
  }
  rcgc_collect(tl.heap, 2);
  cr_assert_eq(tl.alloc.live_bytes, before);
  drop_cells();
}

/* The page map (INVARIANT PM) finds the page of every pooled block and of
** no other address, follows pages that go back, and rcgc_check_heap
** reports a page the map lost. */
Test(trim, the_page_map_finds_every_page_and_the_check_sees_a_lost_one, .init = tl_setup,
     .fini = tl_teardown) {
  TL_SKIP_UNDER_STRESS();
  size_t bsize = make_cells();
  for (long i = 0; i < N; i += 997) {
    pool_page_t *p = rcgc__page_of(tl.heap, cells[i]);
    cr_assert_not_null(p, "no page for cell %ld", i);
    char *first = page_start(p) + page_block_index(p, cells[i]) * bsize;
    cr_assert_leq(first, (char *)cells[i]);
    cr_assert_lt((char *)cells[i], first + bsize, "cell %ld is not in block %u of its page", i,
                 page_block_index(p, cells[i]));
  }
  size_t pages = 0;
  for (pool_page_t *p = tl.heap->pages; p != NULL; p = p->next, pages++) {
    cr_assert_eq(rcgc__page_of(tl.heap, p), p);
    cr_assert_eq(rcgc__page_of(tl.heap, (char *)p + PAGE - 1), p);
    cr_assert_eq(page_block_index(p, page_start(p) + (page_blocks(p) - 1) * bsize + bsize - 1),
                 page_blocks(p) - 1);
  }
  cr_assert_eq(pages, tl.heap->npages);
  void *elsewhere = malloc(64);
  cr_assert_null(rcgc__page_of(tl.heap, elsewhere));
  cr_assert_null(rcgc__page_of(tl.heap, &pages));
  free(elsewhere);
  /* a page the map lost is reported, once the map is mended no more */
  pool_page_t *victim = tl.heap->pages;
  page_win_t *lost = NULL;
  for (size_t i = 0; i < tl.heap->pagemap.cap && lost == NULL; i++)
    if (tl.heap->pagemap.e[i].pg[0] == victim || tl.heap->pagemap.e[i].pg[1] == victim)
      lost = &tl.heap->pagemap.e[i];
  cr_assert_not_null(lost);
  int k = lost->pg[1] == victim;
  lost->pg[k] = NULL;
  cr_assert_gt(rcgc_check_heap(tl.heap), 0);
  char line[128];
  snprintf(line, sizeof line, "rcgc: check: pool page %p is not found through the page map\n",
           (void *)victim);
  cr_assert_eq(tl_count_lines(&tl.sink, line), 1, "%s", tl.sink.buf);
  cr_assert_eq(tl_count_lines(&tl.sink, "rcgc: check: the page map names "), 1, "%s", tl.sink.buf);
  lost->pg[k] = victim;
  tl_sink_reset(&tl.sink);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0, "%s", tl.sink.buf ? tl.sink.buf : "");
  /* pages that go back leave the map; the check still holds */
  for (long i = 0; i < N - 1000; i++) {
    rcgc_decref(tl.heap, cells[i]);
    cells[i] = NULL;
  }
  rcgc_collect(tl.heap, 2);
  cr_assert_lt(tl.heap->npages, pages);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0, "%s", tl.sink.buf ? tl.sink.buf : "");
  for (long i = 0; i < N - 1000; i++)
    cells[i] = rcgc_new(tl.heap, &cell_type);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0, "%s", tl.sink.buf ? tl.sink.buf : "");
  drop_cells();
}

/* Under a pause budget an automatic collection returns pages at once only
** when the trim, predicted from the last one's time per page, fits in half
** the budget; otherwise the trim waits for rcgc_collect_step, which runs it
** in slices while the program allocates and frees (and once it runs, the
** automatic points carry it on), or for a collection without a budget
** (rcgc_collect), which runs or finishes it. The trim's time is part of
** the collection's duration: here the allocator takes 200 us to take each
** page back. */
static long drop_most(void) {
  long kept = 10000;
  for (long i = 0; i < N - kept; i++) {
    rcgc_decref(tl.heap, cells[i]);
    cells[i] = NULL;
  }
  return kept;
}

/* A trim waits: an automatic collection after most cells died, with the
** last trim's time per page said to be 1 ms. */
static long long pending_trim(void) {
  cr_assert_eq(rcgc_set_policy(tl.heap, RCGC_POLICY_SUSPECTS), RCGC_OK); /* budgets are its */
  make_cells();
  long long before = tl.alloc.live_bytes;
  drop_most();
  cr_assert_eq(rcgc_set_pause_budget(tl.heap, 1000), RCGC_OK);
  tl.heap->trim_page_cost = 1e-3;
  rcgc__collect(tl.heap, 0, COLLECT_SUSPECTS); /* an automatic collection */
  cr_assert_eq(tl.heap->trim_scans, 0);
  cr_assert(tl.heap->trim_pending);
  cr_assert_eq(tl.heap->trim_phase, 0);
  cr_assert_eq(tl.alloc.live_bytes, before, "pages went back over the budget");
  return before;
}

/* Idle time until the waiting trim begins: a collection that is due runs
** first (a call each). */
static void begin_trim(void) {
  for (int i = 0; i < 100 && tl.heap->trim_phase == 0; i++)
    cr_assert_geq(rcgc_collect_step(tl.heap, 1), 0);
  cr_assert_neq(tl.heap->trim_phase, 0, "rcgc_collect_step did not begin the trim");
}

Test(trim, under_a_pause_budget_a_long_trim_runs_in_slices_while_the_program_runs,
     .init = tl_setup, .fini = tl_teardown) {
  TL_SKIP_UNDER_STRESS();
  long long before = pending_trim();
  enum { M = 3000 };
  cell *fresh[M];
  long steps = 0, made = 0;
  int r;
  begin_trim();
  while ((r = rcgc_collect_step(tl.heap, 200)) == 1) {
    steps++;
    cr_assert_eq(rcgc_check_heap(tl.heap), 0, "%s", tl.sink.buf ? tl.sink.buf : "");
    /* the program allocates and frees between slices */
    for (int k = 0; k < 10 && made < M; k++, made++) {
      fresh[made] = rcgc_new(tl.heap, &cell_type);
      cr_assert_not_null(fresh[made]);
      cr_assert_eq(fresh[made]->value, 0);
      fresh[made]->value = -made;
    }
    if (made >= 2)
      for (int k = 0; k < 3 && made > 0; k++) {
        made--;
        cr_assert_eq(fresh[made]->value, -made);
        rcgc_decref(tl.heap, fresh[made]);
      }
    cr_assert_lt(steps, 1000000, "the trim never ends");
  }
  cr_assert_eq(r, 0);
  cr_assert_gt(steps, 1, "the trim ran in one slice");
  cr_assert_eq(tl.heap->trim_jobs, 1);
  cr_assert_eq(tl.heap->trim_phase, 0);
  cr_assert_eq(tl.heap->trim_scans, 1);
  long long released = before - tl.alloc.live_bytes;
  cr_assert_gt(released / PAGE, 50, "released %lld bytes", released);
  rcgc_incremental_stats s;
  cr_assert_eq(rcgc_get_incremental_stats(tl.heap, &s), RCGC_OK);
  cr_assert_geq(s.slices, steps, "the trim's slices are not in the statistics");
  /* the free lists it gave back are whole: a trim in one step finds every
  ** marked block on them (debug builds check) and nothing more to give */
  tl.heap->trim_at = 0;
  cr_assert_eq(rcgc__pools_trim(tl.heap), 0);
  cr_assert_eq(tl_count_lines(&tl.sink, "rcgc: internal invariant"), 0, "%s", tl.sink.buf);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0, "%s", tl.sink.buf ? tl.sink.buf : "");
  for (long i = N - 10000; i < N; i++)
    cr_assert_eq(cells[i]->value, i);
  for (long i = 0; i < made; i++) {
    cr_assert_eq(fresh[i]->value, -i);
    rcgc_decref(tl.heap, fresh[i]);
  }
  drop_cells();
}

Test(trim, automatic_points_carry_a_trim_in_slices_to_its_end, .init = tl_setup,
     .fini = tl_teardown) {
  TL_SKIP_UNDER_STRESS();
  long long before = pending_trim();
  rcgc_enable(tl.heap);
  rcgc__schedule(tl.heap);
  /* the automatic points do not begin it */
  for (int i = 0; i < 100000; i++) {
    cell *c = rcgc_new(tl.heap, &cell_type);
    cr_assert_not_null(c);
    rcgc_decref(tl.heap, c);
  }
  cr_assert_eq(tl.heap->trim_phase, 0);
  cr_assert(tl.heap->trim_pending);
  /* idle time begins it, and a program that allocates and drops carries it
  ** on at the automatic points */
  begin_trim();
  long made = 0;
  while (tl.heap->trim_phase != 0 && made < 50000000) {
    cell *c = rcgc_new(tl.heap, &cell_type);
    cr_assert_not_null(c);
    cr_assert_eq(c->value, 0);
    c->value = 1;
    rcgc_decref(tl.heap, c);
    made++;
  }
  cr_assert_eq(tl.heap->trim_phase, 0, "%ld allocations did not end the trim", made);
  cr_assert_eq(tl.heap->trim_scans, 1);
  cr_assert_lt(tl.alloc.live_bytes, before, "no page went back");
  rcgc_disable(tl.heap);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0, "%s", tl.sink.buf ? tl.sink.buf : "");
  drop_cells();
}

Test(trim, rcgc_collect_finishes_a_trim_in_slices_and_counts_it_in_its_pause, .init = tl_setup,
     .fini = tl_teardown) {
  TL_SKIP_UNDER_STRESS();
  long long before = pending_trim();
  begin_trim();
  tl.alloc.page_free_us = 200;
  rcgc_collect(tl.heap, 2);
  tl.alloc.page_free_us = 0;
  cr_assert_eq(tl.heap->trim_phase, 0);
  cr_assert_eq(tl.heap->trim_scans, 1, "rcgc_collect did not trim");
  long long pages = (before - tl.alloc.live_bytes) / PAGE;
  cr_assert_gt(pages, 50);
  rcgc_gen_stats st[RCGC_NUM_GENERATIONS];
  cr_assert_eq(rcgc_get_stats(tl.heap, st), RCGC_OK);
  cr_assert_geq(st[2].max_duration, (double)pages * 200e-6,
                "the trim of %lld pages is not in the %.6f s the collection reports", pages,
                st[2].max_duration);
  drop_cells();
}

Test(trim, under_a_pause_budget_a_trim_that_fits_runs_in_an_automatic_collection,
     .init = tl_setup, .fini = tl_teardown) {
  TL_SKIP_UNDER_STRESS();
  make_cells();
  long long before = tl.alloc.live_bytes;
  drop_most();
  cr_assert_eq(rcgc_set_pause_budget(tl.heap, 1000), RCGC_OK);
  tl.heap->trim_page_cost = 1e-9;
  tl.alloc.page_free_us = 200;
  rcgc__collect(tl.heap, 0, COLLECT_SUSPECTS);
  tl.alloc.page_free_us = 0;
  cr_assert_eq(tl.heap->trim_scans, 1);
  cr_assert_eq(tl.heap->trim_jobs, 0);
  cr_assert(!tl.heap->trim_pending);
  long long pages = (before - tl.alloc.live_bytes) / PAGE;
  cr_assert_gt(pages, 50);
  rcgc_gen_stats st[RCGC_NUM_GENERATIONS];
  cr_assert_eq(rcgc_get_stats(tl.heap, st), RCGC_OK);
  cr_assert_geq(st[0].max_duration, (double)pages * 200e-6);
  cr_assert_gt(tl.heap->trim_page_cost, 150e-6, "the trim's time per page was not measured");
  drop_cells();
}

Test(trim, rcgc_collect_runs_a_waiting_trim_in_one_step, .init = tl_setup, .fini = tl_teardown) {
  TL_SKIP_UNDER_STRESS();
  long long before = pending_trim();
  rcgc_collect(tl.heap, 2);
  cr_assert_eq(tl.heap->trim_scans, 1);
  cr_assert_eq(tl.heap->trim_jobs, 0);
  cr_assert(!tl.heap->trim_pending);
  cr_assert_gt((before - tl.alloc.live_bytes) / PAGE, 50);
  drop_cells();
}
