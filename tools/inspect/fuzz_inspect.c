/*
** fuzz_inspect.c -- libFuzzer target for rcgc-inspect: the snapshot parser
** and every command, through inspect_main (inspect.h), on hostile input.
**
** Input layout:
**   byte 0    the command: 0 summary, 1 cycles, 2 why, 3 diff, 4 top,
**             5 dot (taken modulo 7), or 6: "command line mode" below
**   byte 1    flags: 1 --unreachable / --back, 2 pass the number option
**             (--limit, -k, --depth, or top's N), 4 --too-many, 8 why by
**             type name instead of by id
**   byte 2    the value of that option (-k: value + 1, its range starts at 1)
**   byte 3    the node id for why / dot, the --too-many value, and the
**             type name for why (one of a few fixed names)
**   the rest  the snapshot "A"; for diff, split at its first NUL byte into
**             BEFORE "A" and AFTER "B" (no NUL: both are the same text)
** Command line mode: the rest up to the first newline is split at spaces
** into the arguments after the program name, and what follows the newline
** is the snapshot, split as above, named "A" and "B"; any other file name
** fails to open. This reaches the argument parser with arbitrary text.
**
** Everything is parsed from memory (snapshot_parse) and the output goes to
** /dev/null: only crashes, sanitizer reports, leaks and timeouts count.
** Built by scripts/run-fuzz-inspect.sh (clang -fsanitize=fuzzer,address,
** undefined). With -DINSPECT_FUZZ_REPLAY it has a main() instead, which
** runs the inputs (files, or directories of files) named on its command
** line once each: tests/inspect replays the committed corpus that way in
** every build.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"

typedef struct inputs {
  const unsigned char *a, *b;
  size_t alen, blen;
} inputs;

static int load_mem(void *ud, snapshot *s, const char *name, char *err, size_t errcap) {
  const inputs *in = ud;
  if (!strcmp(name, "A"))
    return snapshot_parse(s, name, in->a, in->alen, err, errcap);
  if (!strcmp(name, "B"))
    return snapshot_parse(s, name, in->b, in->blen, err, errcap);
  snprintf(err, errcap, "%s: cannot open: not one of the fuzzer's inputs", name);
  return -1;
}

static FILE *devnull(void) {
  static FILE *f;
  if (!f)
    f = fopen("/dev/null", "w");
  if (!f)
    abort();
  return f;
}

/* Split data at its first NUL into the two snapshots. */
static void split(inputs *in, const unsigned char *data, size_t size) {
  const unsigned char *z = memchr(data, 0, size);
  in->a = in->b = data;
  in->alen = in->blen = size;
  if (z) {
    in->alen = (size_t)(z - data);
    in->b = z + 1;
    in->blen = size - in->alen - 1;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 4)
    return 0;
  static const char *cmds[] = {"summary", "cycles", "why", "diff", "top", "dot"};
  static const char *types[] = {"Node", "Graph", "(string)", "(garbage)", "(rcgc roots)", "Nope"};
  char *argv[40];
  int argc = 0;
  char num[24], id[24];
  char *line = NULL;
  inputs in;
  unsigned c = data[0] % 7, fl = data[1];
  argv[argc++] = (char *)"rcgc-inspect";
  if (c == 6) {
    const unsigned char *rest = data + 1, *nl = memchr(rest, '\n', size - 1);
    size_t llen = nl ? (size_t)(nl - rest) : size - 1;
    line = malloc(llen + 1);
    if (!line)
      return 0;
    memcpy(line, rest, llen);
    line[llen] = '\0';
    for (char *t = strtok(line, " "); t && argc < 39; t = strtok(NULL, " "))
      argv[argc++] = t;
    size_t off = 1 + llen + (nl ? 1 : 0);
    split(&in, data + off, size - off);
  } else {
    split(&in, data + 4, size - 4);
    argv[argc++] = (char *)cmds[c];
    argv[argc++] = (char *)"A";
    if (c == 3)
      argv[argc++] = (char *)"B";
    snprintf(id, sizeof id, "%u", (unsigned)data[3]);
    if (c == 2)
      argv[argc++] = fl & 8 ? (char *)types[data[3] % 6] : id;
    if (c == 5)
      argv[argc++] = id;
    if (fl & 1 && c == 1)
      argv[argc++] = (char *)"--unreachable";
    if (fl & 1 && c == 5)
      argv[argc++] = (char *)"--back";
    if (fl & 2) {
      snprintf(num, sizeof num, "%u", (unsigned)data[2] + (c == 2));
      static const char *opt[] = {NULL, "--limit", "-k", "--limit", NULL, "--depth"};
      if (opt[c])
        argv[argc++] = (char *)opt[c];
      if (opt[c] || c == 4)
        argv[argc++] = num;
    }
    if (fl & 4 && c == 5) {
      argv[argc++] = (char *)"--too-many";
      argv[argc++] = id;
    }
  }
  argv[argc] = NULL;
  inspect_io io = {devnull(), devnull(), load_mem, &in};
  inspect_main(argc, argv, &io);
  free(line);
  return 0;
}

#ifdef INSPECT_FUZZ_REPLAY
#include <dirent.h>

static int replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "fuzz_inspect: cannot open %s\n", path);
    return -1;
  }
  size_t cap = 4096, len = 0;
  unsigned char *buf = malloc(cap);
  for (size_t got; buf && (got = fread(buf + len, 1, cap - len, f)) > 0;) {
    len += got;
    if (len == cap) {
      unsigned char *p = realloc(buf, cap *= 2);
      if (!p)
        free(buf);
      buf = p;
    }
  }
  fclose(f);
  if (!buf)
    return -1;
  LLVMFuzzerTestOneInput(buf, len);
  free(buf);
  return 0;
}

int main(int argc, char **argv) {
  unsigned long n = 0;
  int bad = 0;
  for (int i = 1; i < argc; i++) {
    DIR *d = opendir(argv[i]);
    if (!d) {
      bad |= replay_file(argv[i]);
      n++;
      continue;
    }
    for (struct dirent *e; (e = readdir(d));) {
      if (e->d_name[0] == '.')
        continue;
      char p[4096];
      snprintf(p, sizeof p, "%s/%s", argv[i], e->d_name);
      bad |= replay_file(p);
      n++;
    }
    closedir(d);
  }
  printf("fuzz_inspect: replayed %lu input%s\n", n, n == 1 ? "" : "s");
  return bad ? 1 : n ? 0 : 1;
}
#endif
