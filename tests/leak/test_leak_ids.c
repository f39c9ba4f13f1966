/*
** test_leak_ids.c -- heap snapshot node ids stay below 2^32 (DevTools and
** memlab read them into 32-bit arrays): 2 x serial + 1 up to serial
** 2^31 - 2, wrapping around to 3, 5, ... after it. The heap's serial
** counter is moved near the limit through the library's internal header,
** rather than by allocating two billion objects.
*/
#define _POSIX_C_SOURCE 200809L
#include "rcgc_leak.h"
#include "testlib.h"

#include "internal.h" /* heap->serial */

#include <stdint.h>

TL_DEFINE;

/* The ids of the object nodes (every node after the two synthetic ones) of
** a snapshot, in node order. */
static size_t object_ids(const char *text, uint64_t *ids, size_t cap) {
  const char *p = strstr(text, "\"nodes\":[");
  cr_assert_not_null(p);
  p += strlen("\"nodes\":[");
  size_t n = 0, field = 0, node = 0;
  while (*p && *p != ']') {
    char *end;
    unsigned long long v = strtoull(p, &end, 10);
    cr_assert(end != p, "unexpected text in nodes: %.40s", p);
    if (field == 2 && node >= 2) {
      cr_assert_lt(n, cap);
      ids[n++] = v;
    }
    if (++field == 7)
      field = 0, node++;
    p = end;
    while (*p == ',' || *p == '\n')
      p++;
  }
  return n;
}

/* The suite's heap, replaced by one that records serials. */
static void use_serials(void) {
  cr_assert_eq(rcgc_heap_destroy(tl.heap), 0);
  tl.heap = tl_heap_new(RCGC_CONFIG_SERIALS);
}

Test(leak_ids, ids_wrap_below_two_to_the_32, .init = tl_setup, .fini = tl_teardown) {
  use_serials();
  cr_assert_not_null(tl.heap);
  tl.heap->serial = ((uint64_t)1 << 31) - 4; /* the next object: 2^31 - 3 */
  void *obj[6];
  for (int i = 0; i < 6; i++)
    obj[i] = rcgc_new(tl.heap, &tl_leaf_type);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  cr_assert_eq(rcgc_leak_snapshot(tl.heap, rcgc_write_file, f), RCGC_OK);
  fclose(f);
  uint64_t ids[8];
  cr_assert_eq(object_ids(buf, ids, 8), 6);
  /* serials 2^31-3, 2^31-2 (the last unwrapped), then 2^31-1 wraps to 3 */
  const uint64_t want[6] = {4294967291u, 4294967293u, 3, 5, 7, 9};
  for (int i = 0; i < 6; i++)
    cr_assert_eq(ids[i], want[i], "object %d: id %llu, want %llu", i,
                 (unsigned long long)ids[i], (unsigned long long)want[i]);
  free(buf);
  for (int i = 0; i < 6; i++)
    rcgc_decref(tl.heap, obj[i]);
}

Test(leak_ids, small_serials_keep_two_x_serial_plus_one, .init = tl_setup, .fini = tl_teardown) {
  use_serials();
  cr_assert_not_null(tl.heap);
  void *a = rcgc_new(tl.heap, &tl_leaf_type), *b = rcgc_new(tl.heap, &tl_leaf_type);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  cr_assert_eq(rcgc_leak_snapshot(tl.heap, rcgc_write_file, f), RCGC_OK);
  fclose(f);
  uint64_t ids[4];
  cr_assert_eq(object_ids(buf, ids, 4), 2);
  cr_assert_eq(ids[0], 2 * rcgc_serial(tl.heap, a) + 1);
  cr_assert_eq(ids[1], 2 * rcgc_serial(tl.heap, b) + 1);
  free(buf);
  rcgc_decref(tl.heap, a);
  rcgc_decref(tl.heap, b);
}
