/*
** weakref.c -- weak references.
**
** A weak reference is a managed, tracked object of rcgc_weakref_type (so it
** can itself be garbage, and the collector can tell). The objects it points
** at carry no field for it: the heap keeps a side table, referent ->
** doubly linked list of its weak references, and the referent's TI_WEAKREFD
** flag says whether it has an entry, so objects without weak references
** never touch the table.
**
** Invariants:
**  W1. obj has TI_WEAKREFD  <=>  the table has a slot with key obj, whose
**      list is non-empty.
**  W2. wr->referent != NULL  <=>  wr is on the list of wr->referent.
**  W3. the table uses linear probing with backward-shift deletion: no
**      tombstones; wr_used <= wr_cap / 2.
**
** When the referent dies by refcount, rcgc__weakrefs_on_death clears every
** weak reference first and then calls the callbacks (each callback sees
** all of them cleared). The collector's ordering lives in collect.c.
*/
#include "internal.h"
#include "ptrtab.h"

static wr_slot_t *find_slot(rcgc_heap *heap, const void *key) {
  return rcgc__ptrtab_find(heap->wr_slots, heap->wr_cap, sizeof(wr_slot_t), key);
}

/* Make room for one more key. Returns false when memory is short. */
static bool reserve(rcgc_heap *heap) {
  if ((heap->wr_used + 1) * 2 <= heap->wr_cap)
    return true;
  size_t ncap = heap->wr_cap ? heap->wr_cap * 2 : 64;
  wr_slot_t *ns = rcgc__raw_alloc(heap, ncap * sizeof *ns);
  if (ns == NULL)
    return false;
  memset(ns, 0, ncap * sizeof *ns);
  rcgc__ptrtab_rehash(heap->wr_slots, heap->wr_cap, ns, ncap, sizeof *ns);
  rcgc__raw_free(heap, heap->wr_slots, heap->wr_cap * sizeof *heap->wr_slots);
  heap->wr_slots = ns;
  heap->wr_cap = ncap;
  return true;
}

/* Remove slot 's' keeping W3 (backward shift). */
static void delete_slot(rcgc_heap *heap, wr_slot_t *s) {
  rcgc__ptrtab_delete(heap->wr_slots, heap->wr_cap, sizeof(wr_slot_t), s);
  heap->wr_used--;
}

struct rcgc_weakref *rcgc__weakref_list(rcgc_heap *heap, const void *obj) {
  wr_slot_t *s = find_slot(heap, obj);
  return s ? s->list : NULL;
}

void rcgc__weakref_detach(rcgc_heap *heap, struct rcgc_weakref *wr) {
  void *obj = wr->referent;
  if (obj == NULL)
    return;
  wr_slot_t *s = find_slot(heap, obj);
  if (wr->prev != NULL)
    wr->prev->next = wr->next;
  else if (s != NULL)
    s->list = wr->next;
  if (wr->next != NULL)
    wr->next->prev = wr->prev;
  wr->next = wr->prev = NULL;
  wr->referent = NULL;
  if (s != NULL && s->list == NULL) {
    delete_slot(heap, s);
    AS_HEAD(obj)->tinfo &= ~TI_WEAKREFD;
  }
}

/* The referent 'h' is dying by refcount: clear every weak reference to it,
** then call the callbacks of those that have one, each holding a reference
** to its weak reference while it runs. */
void rcgc__weakrefs_on_death(rcgc_heap *heap, head_t *h) {
  wr_slot_t *s = find_slot(heap, FROM_HEAD(h));
  h->tinfo &= ~TI_WEAKREFD;
  if (s == NULL)
    return;
  struct rcgc_weakref *wr = s->list, *pending = NULL, **tail = &pending;
  delete_slot(heap, s);
  while (wr != NULL) {
    struct rcgc_weakref *next = wr->next;
    wr->referent = NULL;
    wr->prev = NULL;
    wr->next = NULL;
    /* a weak reference that is itself dying (refcount 0, on the zero
    ** stack) never fires, as weak references that are garbage never do */
    if (wr->callback != NULL && AS_HEAD(wr)->refcnt > 0) {
      ref_inc(heap, AS_HEAD(wr));
      *tail = wr;
      tail = &wr->next;
    } else {
      wr->callback = NULL;
    }
    wr = next;
  }
  rcgc__weakrefs_fire(heap, pending);
}

/* Call the callbacks of 'pending' (cleared weak references, each held by
** the caller and chained through 'next'), releasing each hold. */
void rcgc__weakrefs_fire(rcgc_heap *heap, struct rcgc_weakref *pending) {
  while (pending != NULL) {
    struct rcgc_weakref *next = pending->next;
    pending->next = NULL;
    rcgc_weakref_fn cb = pending->callback;
    pending->callback = NULL;
    USER_BEGIN(heap);
    cb(heap, pending, pending->ud);
    USER_END(heap);
    rcgc_decref_slow_(heap, pending);
    pending = next;
  }
}

/* Step 8 of a collection (collect.c): clear every weak reference to, and
** inside, the final garbage 'garbage' (members have PREV_COLLECTING). The
** callbacks of weak references to it were cleared and called at step 5,
** except those of weak references made since, by finalizers: a weak
** reference with a callback that is not garbage itself is held and
** chained on the returned list for rcgc__weakrefs_fire, which the
** collector calls once the garbage is freed (the callback sees its
** referent gone, as at step 5). Garbage weak references never fire. */
struct rcgc_weakref *rcgc__weakrefs_clear_garbage(rcgc_heap *heap, head_t *garbage) {
  struct rcgc_weakref *pending = NULL, **tail = &pending;
  for (head_t *h = next_of(garbage); h != garbage; h = next_of(h)) {
    if (h->tinfo & TI_WEAKREFD) {
      struct rcgc_weakref *wr;
      while ((wr = rcgc__weakref_list(heap, FROM_HEAD(h))) != NULL) {
        head_t *wh = AS_HEAD(wr);
        rcgc__weakref_detach(heap, wr);
        if (wr->callback != NULL && !(wh->gc_prev & PREV_COLLECTING) && wh->refcnt > 0) {
          ref_inc(heap, wh);
          *tail = wr;
          tail = &wr->next;
        } else {
          wr->callback = NULL;
        }
      }
    }
    if (type_of(heap, h) == &rcgc_weakref_type) {
      struct rcgc_weakref *wr = FROM_HEAD(h);
      wr->callback = NULL;
      if (wr->referent != NULL)
        rcgc__weakref_detach(heap, wr);
    }
  }
  return pending;
}

void rcgc__weakrefs_release(rcgc_heap *heap) {
  rcgc__raw_free(heap, heap->wr_slots, heap->wr_cap * sizeof *heap->wr_slots);
  heap->wr_slots = NULL;
  heap->wr_cap = heap->wr_used = 0;
}

/* ------------------------------------------------------------ the type */

static int wr_traverse(void *obj, rcgc_visit_fn visit, void *arg) {
  (void)obj;
  (void)visit;
  (void)arg;
  return 0; /* holds no strong reference; tracked so it can be garbage */
}

static void wr_destroy(rcgc_heap *heap, void *obj) {
  struct rcgc_weakref *wr = obj;
  if (wr->referent != NULL)
    rcgc__weakref_detach(heap, wr);
}

static int wr_repr(const void *obj, char *buf, size_t cap) {
  const struct rcgc_weakref *wr = obj;
  if (wr->referent == NULL)
    return snprintf(buf, cap, "<weakref %p; dead>", obj);
  return snprintf(buf, cap, "<weakref %p; to %p>", obj, wr->referent);
}

const rcgc_type rcgc_weakref_type = {
    .name = "weakref", .size = sizeof(struct rcgc_weakref), .traverse = wr_traverse,
    .destroy = wr_destroy, .repr = wr_repr};

/* ------------------------------------------------------------ public */

static rcgc_weakref *weakref_new(rcgc_heap *heap, void *obj, rcgc_weakref_fn callback,
                                 void *ud) {
  if (!rcgc__valid_object(heap, obj, "rcgc_weakref_new"))
    return NULL;
  head_t *h = AS_HEAD(obj);
  if (h->refcnt == 0) {
    rcgc__misuse(heap, obj, "weak reference to a dead object",
                 "rcgc_weakref_new on an object whose refcount is 0");
    return NULL;
  }
  if (heap->in_traverse) {
    /* it allocates and holds 'obj' meanwhile: nothing of it may happen */
    rcgc__misuse(heap, obj, "graph mutated inside traverse",
                 "rcgc_weakref_new called from inside a traverse function; refused");
    return NULL;
  }
  struct rcgc_weakref *wr = NULL;
  /* hold obj: the allocation below may run a collection */
  ref_inc(heap, h);
  if (reserve(heap)) {
    wr = rcgc_new(heap, &rcgc_weakref_type);
    if (wr != NULL) {
      wr->referent = obj;
      wr->callback = callback;
      wr->ud = ud;
      wr_slot_t *s = find_slot(heap, obj);
      if (s == NULL) {
        s = rcgc__ptrtab_place(heap->wr_slots, heap->wr_cap, sizeof(wr_slot_t), obj);
        s->key = obj;
        s->list = NULL;
        heap->wr_used++;
        h->tinfo |= TI_WEAKREFD;
      }
      wr->next = s->list;
      if (s->list != NULL)
        s->list->prev = wr;
      s->list = wr;
    }
  }
  rcgc_decref_slow_(heap, obj);
  return wr;
}

rcgc_weakref *rcgc_weakref_new(rcgc_heap *heap, void *obj, rcgc_weakref_fn callback, void *ud) {
  if (heap == NULL || obj == NULL)
    return NULL;
  ENTER(heap, NULL);
  rcgc_weakref *wr = weakref_new(heap, obj, callback, ud);
  LEAVE(heap);
  return wr;
}

static void *weakref_get(rcgc_heap *heap, rcgc_weakref *wr) {
  /* a freed block, a non-object, another heap's weak reference (debug
  ** builds): its referent field means nothing here */
  if (!rcgc__valid_object(heap, wr, "rcgc_weakref_get"))
    return NULL;
  /* any other object's first field would be read as a referent */
  if (type_of(heap, AS_HEAD(wr)) != &rcgc_weakref_type) {
    rcgc__misuse(heap, wr, "not a weak reference",
                 "rcgc_weakref_get on an object that is not a weak reference; refused");
    return NULL;
  }
  if (wr->referent == NULL)
    return NULL;
  if (heap->in_traverse) {
    rcgc__misuse(heap, wr, "graph mutated inside traverse",
                 "rcgc_weakref_get called from inside a traverse function; refused");
    return NULL;
  }
  void *obj = wr->referent;
  /* a referent whose count reached 0 is dead: it waits on the zero stack
  ** for its turn, when its weak references are cleared */
  if (AS_HEAD(obj)->refcnt == 0)
    return NULL;
  ref_inc(heap, AS_HEAD(obj));
  return obj;
}

void *rcgc_weakref_get(rcgc_heap *heap, rcgc_weakref *wr) {
  if (heap == NULL || wr == NULL)
    return NULL;
  ENTER(heap, NULL);
  void *obj = weakref_get(heap, wr);
  LEAVE(heap);
  return obj;
}

int rcgc_weakref_alive(const rcgc_weakref *wr) {
  return wr != NULL && wr->referent != NULL && AS_HEAD(wr->referent)->refcnt > 0;
}

size_t rcgc_weakref_count(rcgc_heap *heap, const void *obj) {
  if (heap == NULL || obj == NULL)
    return 0;
  ENTER(heap, 0);
  size_t n = 0;
  if (AS_CHEAD(obj)->tinfo & TI_WEAKREFD)
    for (struct rcgc_weakref *wr = rcgc__weakref_list(heap, obj); wr != NULL; wr = wr->next)
      n++;
  LEAVE(heap);
  return n;
}
