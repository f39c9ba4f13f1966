// memlab_check.js SNAPSHOT EXPECT.json -- read a snapshot written by
// rcgc.snapshot() with memlab's heap parser (@memlab/core, found through
// NODE_PATH) and compare with what the Python side expects: node and edge
// counts, and memlab's shortest path from the root to the target (ids and
// edge names) equal to rcgc.why's path; with "weak": {from, to} in
// EXPECT, the type memlab gives the edge between those nodes ("weak"
// expected). Prints one JSON line; exit 1 on a difference.
'use strict';
const fs = require('fs');
const {utils, TraceFinder} = require('@memlab/core');

async function main() {
  const [file, expectFile] = process.argv.slice(2);
  const want = JSON.parse(fs.readFileSync(expectFile, 'utf8'));
  const snap = await utils.getSnapshotFromFile(file, {buildNodeIdx: true, verbose: false});
  const finder = new TraceFinder();
  finder.annotateShortestPaths(snap);
  const target = snap.getNodeById(want.target);
  const path = [];
  if (target)
    for (let p = finder.getPathToGCRoots(snap, target); p; p = p.next)
      path.push({id: p.node.id, edge: p.edge ? String(p.edge.name_or_index) : null});
  const got = {nodes: snap.nodes.length, edges: snap.edges.length, path};
  if (want.weak) {
    const from = snap.getNodeById(want.weak.from);
    got.weak = from ? from.references.filter(e => e.toNode.id === want.weak.to).map(e => e.type) : null;
  }
  console.log(JSON.stringify(got));
  const ok = got.nodes === want.nodes && got.edges === want.edges &&
      JSON.stringify(path) === JSON.stringify(want.path) &&
      (!want.weak || JSON.stringify(got.weak) === '["weak"]');
  process.exit(ok ? 0 : 1);
}
main().catch(e => { console.error(e); process.exit(1); });
