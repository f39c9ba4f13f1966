/*
** snapshot.h -- load a Chrome DevTools / V8 .heapsnapshot file into an
** rcgc__graph (src/graph/graph.h) for rcgc-inspect.
**
** The loader runs yajl's event parser over the whole file in one call (no
** JSON tree is built): the "nodes" and "edges" integer arrays are collected
** raw, "strings" go into one arena, and the meta section says how to read
** them (any order of node_fields / edge_fields is honoured). After the parse
** the raw arrays are checked and converted to CSR. Time and memory are
** linear in the file's size, whatever counts it declares.
**
** Graph conventions used by rcgc-inspect:
**   - g.name[v] is the node's CLASS (what summaries group by): the node name
**     for types object / native / synthetic / hidden, else "(<type>)" with
**     the string types folded into "(string)";
**   - g.id = the snapshot's node ids, g.self_size = self sizes;
**   - the graph's string table holds the file's strings that name a node
**     or a named edge (in file order: pointers into 'strbuf'), then the
**     class names made up here; a string is cut at an embedded NUL;
**   - g.edge_name[e] = the name string for named edge types, RCGC_G_NONE for
**     "element" / "hidden" edges (whose number is kept in edge_index);
**   - edges of type "weak" carry RCGC_G_EDGE_WEAK;
**   - the single root is node 0 (the snapshot's synthetic root).
*/
#ifndef RCGC_INSPECT_SNAPSHOT_H
#define RCGC_INSPECT_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "graph.h"

typedef struct snapshot {
  rcgc__graph g;
  const char *path;     /* as given by the user (for messages) */
  uint32_t *raw_name;   /* [n] the node's own name (string index of g) */
  uint8_t *node_type;   /* [n] index into node_types */
  uint8_t *edge_type;   /* [m] index into edge_types */
  uint32_t *edge_index; /* [m] name_or_index as read (element index) */
  char **node_types;    /* node type names (from meta) */
  uint32_t nnode_types;
  char **edge_types; /* edge type names (from meta) */
  uint32_t nedge_types;
  uint8_t *synthetic; /* [n] 1 for nodes of type "synthetic" */
  char *strbuf;       /* the file's strings, each NUL-terminated */
  uint32_t nborrowed; /* g.strings[0, nborrowed) point into strbuf */
} snapshot;

/* Load 'path'. Returns 0 on success. On failure returns -1 and writes a
** one-line message (without the program name or a trailing newline) to
** err (capacity errcap) of the form
**   "<path>: byte <N> (line <L>, column <C>): <what was expected>"
** for syntax errors, or "<path>: <what is wrong>" for I/O and semantic
** errors; 's' is then empty (snapshot_free is still safe). */
int snapshot_load(snapshot *s, const char *path, char *err, size_t errcap);
/* The same for a snapshot already in memory (data[0, len), need not be
** NUL-terminated); 'name' stands for the file in messages and s->path. */
int snapshot_parse(snapshot *s, const char *name, const unsigned char *data, size_t len, char *err,
                   size_t errcap);
void snapshot_free(snapshot *s);

/* Write a printable description of node v: "Class @id", or
** "Class \"name\" @id" when the node's own name differs from its class
** (strings, closures, ...). Names are truncated to 60 bytes and control
** characters replaced. Returns buf. */
char *snapshot_node_desc(const snapshot *s, uint32_t v, char *buf, size_t cap);

/* Write the label of edge e: its name for named edges, "[<index>]" for
** element / hidden edges. Returns buf. */
char *snapshot_edge_label(const snapshot *s, size_t e, char *buf, size_t cap);

/* Index of the node with snapshot id 'id', or RCGC_G_NONE. O(n). */
uint32_t snapshot_find_id(const snapshot *s, uint64_t id);

#endif
