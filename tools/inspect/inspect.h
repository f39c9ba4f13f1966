/*
** inspect.h -- rcgc-inspect's commands as a function, for main.c and for
** the fuzz target (tools/inspect/fuzz_inspect.c).
*/
#ifndef RCGC_INSPECT_INSPECT_H
#define RCGC_INSPECT_INSPECT_H

#include <stddef.h>
#include <stdio.h>

#include "snapshot.h"

typedef struct inspect_io {
  FILE *out; /* results (stdout for the tool) */
  FILE *err; /* messages (stderr for the tool) */
  /* Load the snapshot that a command line names 'name', with the contract
  ** of snapshot_load; NULL: snapshot_load itself (the file system). */
  int (*load)(void *ud, snapshot *s, const char *name, char *err, size_t errcap);
  void *load_ud;
} inspect_io;

/* Run the command line argv[0..argc) ("rcgc-inspect COMMAND ARGS...") and
** return its exit status: 0 success, 1 bad file or object not found, 2
** usage error. Never exits; writes only to io->out and io->err, and frees
** everything it allocated before returning. */
int inspect_main(int argc, char **argv, const inspect_io *io);

#endif
