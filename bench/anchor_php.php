<?php
// Helper for bench/run.sh: runs the PHP anchor's own functions
// (php_bench.php of the anchors directory, unmodified: its function definitions are
// loaded, its top-level run is not) in two modes the anchor has no switch for.
//
//   php anchor_php.php ANCHORS_DIR memory N
//       memory growth per node around building the anchor's tree(N), held:
//       memory nodes=N rss_bytes_per_node=X native_bytes_per_node=Y native=memory_get_usage
//   php anchor_php.php ANCHORS_DIR quick CHURN_LIVE CHURN_RINGS GROW_LIVE N...
//       the anchor's workloads at smaller churn/grow sizes (smoke tests)
ini_set('memory_limit', '-1');
$src = file_get_contents($argv[1] . '/php_bench.php');
$cut = strpos($src, "ini_set('memory_limit'");
if ($src === false || $cut === false) { fwrite(STDERR, "anchor_php.php: cannot find the anchor's definitions\n"); exit(2); }
eval('?>' . substr($src, 0, $cut));

function rss_bytes() {
  $f = explode(' ', trim(file_get_contents('/proc/self/statm')));
  return (int)$f[1] * 4096;
}

$mode = $argv[2];
if ($mode === 'memory') {
  $n = (int)$argv[3];
  gc_collect_cycles();
  $r0 = rss_bytes(); $m0 = memory_get_usage();
  $keep = tree($n);
  $r1 = rss_bytes(); $m1 = memory_get_usage();
  printf("memory nodes=%d rss_bytes_per_node=%.1f native_bytes_per_node=%.1f native=memory_get_usage\n",
         $n, ($r1 - $r0) / $n, ($m1 - $m0) / $n);
} elseif ($mode === 'quick') {
  echo PHP_VERSION, "\n";
  foreach (array_slice($argv, 6) as $n) foreach (['rings', 'live-tree', 'mixed'] as $k) bench($k, (int)$n);
  churn((int)$argv[3], (int)$argv[4]);
  grow((int)$argv[5], 10);
} else {
  fwrite(STDERR, "anchor_php.php: unknown mode $mode\n"); exit(2);
}
