/*
** ptrtab.h -- the library's table keyed by address: open addressing with
** linear probing and backward-shift deletion (no tombstones), a capacity
** that is a power of two, kept at most half full by its users so every
** probe ends at an empty slot. Not public API.
**
** A slot is any struct whose first member is the key, a const void *
** (NULL: the slot is empty); the calls take the slot size, so each user
** keeps its own slot type and its own arrays (the weak-reference table of
** src/core/weakref.c and the expect-freed watches of
** src/leak/leak.c are the two). Nothing here allocates: a user that grows its
** table allocates the new zeroed array and moves the entries with
** rcgc__ptrtab_rehash.
*/
#ifndef RCGC_PTRTAB_H
#define RCGC_PTRTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline size_t rcgc__ptr_hash(const void *key, size_t cap) {
  uint64_t x = (uint64_t)(uintptr_t)key;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return (size_t)x & (cap - 1);
}

static inline const void *rcgc__ptrtab_key(const void *slots, size_t ssize, size_t i) {
  const void *key;
  memcpy(&key, (const char *)slots + i * ssize, sizeof key);
  return key;
}

/* The slot holding 'key', or NULL (cap may be 0). */
static inline void *rcgc__ptrtab_find(void *slots, size_t cap, size_t ssize, const void *key) {
  if (cap == 0)
    return NULL;
  for (size_t i = rcgc__ptr_hash(key, cap);; i = (i + 1) & (cap - 1)) {
    const void *k = rcgc__ptrtab_key(slots, ssize, i);
    if (k == key)
      return (char *)slots + i * ssize;
    if (k == NULL)
      return NULL;
  }
}

/* The empty slot where 'key' (not in the table) goes; the caller fills it,
** key first. */
static inline void *rcgc__ptrtab_place(void *slots, size_t cap, size_t ssize, const void *key) {
  size_t i = rcgc__ptr_hash(key, cap);
  while (rcgc__ptrtab_key(slots, ssize, i) != NULL)
    i = (i + 1) & (cap - 1);
  return (char *)slots + i * ssize;
}

/* Empty 'slot', shifting later entries of its probe chain back so that no
** chain is broken; the slot that ends up empty is zeroed. */
static inline void rcgc__ptrtab_delete(void *slots, size_t cap, size_t ssize, void *slot) {
  char *base = slots;
  size_t mask = cap - 1, i = (size_t)((char *)slot - base) / ssize, j = i;
  for (;;) {
    j = (j + 1) & mask;
    const void *k = rcgc__ptrtab_key(slots, ssize, j);
    if (k == NULL)
      break;
    size_t home = rcgc__ptr_hash(k, cap);
    /* can the entry at j move to the hole at i? (i lies cyclically in
    ** [home, j)) */
    bool movable = (i <= j) ? (home <= i || home > j) : (home <= i && home > j);
    if (movable) {
      memcpy(base + i * ssize, base + j * ssize, ssize);
      i = j;
    }
  }
  memset(base + i * ssize, 0, ssize);
}

/* Move every entry of 'old' (oldcap slots) into the empty table 'slots'. */
static inline void rcgc__ptrtab_rehash(const void *old, size_t oldcap, void *slots, size_t cap,
                                       size_t ssize) {
  for (size_t i = 0; i < oldcap; i++) {
    const void *k = rcgc__ptrtab_key(old, ssize, i);
    if (k != NULL)
      memcpy(rcgc__ptrtab_place(slots, cap, ssize, k), (const char *)old + i * ssize, ssize);
  }
}

#endif /* RCGC_PTRTAB_H */
