// memlab_check.js SNAPSHOT EXPECT.json -- read a snapshot written by
// rcgc.snapshot() with memlab's heap parser (@memlab/core, found through
// NODE_PATH) and compare with what the Python side expects: node and edge
// counts, and memlab's shortest path from the root to the target (ids and
// edge names) equal to rcgc.why's path. Prints one JSON line; exit 1 on a
// difference.
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
  console.log(JSON.stringify(got));
  const ok = got.nodes === want.nodes && got.edges === want.edges &&
      JSON.stringify(path) === JSON.stringify(want.path);
  process.exit(ok ? 0 : 1);
}
main().catch(e => { console.error(e); process.exit(1); });
