/*
** threads_stage.h -- the handshake of the tests that make a second thread
** call into a heap while the first is inside it: a stage number under a
** mutex and a condition variable. The first thread, inside the heap (in a
** collection callback), sets stage 1 and waits for stage 2; the second
** waits for stage 1, makes its calls and sets stage 2. So the overlap is
** certain, not left to timing.
**
** Each test file that includes this header gets its own stage (all static);
** stage_reset() puts it back to 0 before a test starts its second thread.
*/
#ifndef RCGC_THREADS_STAGE_H
#define RCGC_THREADS_STAGE_H

#include <pthread.h>

#include "rcgc.h"

static pthread_mutex_t stage_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stage_cv = PTHREAD_COND_INITIALIZER;
static int stage;

/* Block until the stage is at least 's'. */
static inline void wait_stage(int s) {
  pthread_mutex_lock(&stage_mu);
  while (stage < s)
    pthread_cond_wait(&stage_cv, &stage_mu);
  pthread_mutex_unlock(&stage_mu);
}

/* Move to stage 's' and wake every waiter. */
static inline void set_stage(int s) {
  pthread_mutex_lock(&stage_mu);
  stage = s;
  pthread_cond_broadcast(&stage_cv);
  pthread_mutex_unlock(&stage_mu);
}

static inline void stage_reset(void) { set_stage(0); }

/* The first thread's side: a collection callback that, at the start of a
** collection, sets stage 1 and stays inside the heap until the second
** thread has made its calls (stage 2). */
static inline void stage_hold_inside(rcgc_heap *h, rcgc_phase phase, const rcgc_collect_info *info,
                                     void *ud) {
  (void)h;
  (void)info;
  (void)ud;
  if (phase == RCGC_PHASE_START) {
    set_stage(1);
    wait_stage(2);
  }
}

#endif /* RCGC_THREADS_STAGE_H */
