// memlab_roundtrip.js SNAPSHOT EXPECT.json -- load an rcgc heap snapshot
// with memlab's heap parser (@memlab/core) and check it against what rcgc
// said: node and edge counts, and memlab's shortest retainer path from the
// root for the target object equals rcgc's why-alive path (same ids, same
// edge names), after memlab's synthetic root node.
'use strict';
const fs = require('fs');
const {utils, TraceFinder} = require('@memlab/core');

async function main() {
  const [file, expectFile] = process.argv.slice(2);
  const expect = JSON.parse(fs.readFileSync(expectFile, 'utf8'));
  const snap = await utils.getSnapshotFromFile(file, {buildNodeIdx: true, verbose: false});
  const fail = msg => { console.error('FAIL: ' + msg); process.exit(1); };
  if (snap.nodes.length !== expect.node_count)
    fail(`memlab sees ${snap.nodes.length} nodes, rcgc wrote ${expect.node_count}`);
  if (snap.nodes.length !== expect.objects + 2)
    fail(`node count ${snap.nodes.length} != objects ${expect.objects} + 2 synthetic`);
  if (snap.edges.length !== expect.edge_count)
    fail(`memlab sees ${snap.edges.length} edges, rcgc wrote ${expect.edge_count}`);
  const finder = new TraceFinder();
  finder.annotateShortestPaths(snap);
  const target = snap.getNodeById(expect.target);
  if (!target) fail(`no node with id ${expect.target}`);
  const steps = [];
  for (let p = finder.getPathToGCRoots(snap, target); p; p = p.next)
    steps.push({id: p.node.id, name: p.node.name, edge: p.edge ? p.edge.name_or_index : null});
  if (!steps.length || steps[0].id !== 1) fail('memlab path does not start at the rcgc root');
  const ours = expect.path;
  const theirs = steps.slice(1);
  const show = JSON.stringify({rcgc: ours, memlab: theirs});
  if (theirs.length !== ours.length) fail('path lengths differ: ' + show);
  for (let i = 0; i < ours.length; i++) {
    if (theirs[i].id !== ours[i].id) fail(`step ${i} differs: ` + show);
    if (i > 0 && String(theirs[i - 1].edge) !== String(ours[i].edge))
      fail(`edge ${i} differs: ` + show);
  }
  console.log(`memlab round trip OK: ${snap.nodes.length} nodes, ${snap.edges.length} edges, ` +
              `path of ${ours.length - 1} references to ${target.name} @${target.id}`);
}
main().catch(e => { console.error(e); process.exit(1); });
