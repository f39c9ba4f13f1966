/*
** main.c -- rcgc-inspect: query .heapsnapshot files from the command line.
** The commands are in inspect.c; run "rcgc-inspect --help" for the list.
*/
#include <stdio.h>

#include "inspect.h"

int main(int argc, char **argv) {
  inspect_io io = {stdout, stderr, NULL, NULL};
  return inspect_main(argc, argv, &io);
}
