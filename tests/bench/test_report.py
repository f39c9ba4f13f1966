"""bench/report.py on output directories written here, as bench/run.sh
would leave them: the systems rcgc-budget (the default policy with a pause
budget) and rcgc-off (classic_rcgc with automatic collection off), the
shuffled workloads and the free instructions get their cells, rows and JSON
entries, and a run without them keeps the tables and JSON as they were."""
import argparse
import importlib.util
import json
import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT = os.environ.get('RCGC_REPORT_PY',
                        os.path.join(HERE, '..', '..', 'bench', 'report.py'))


@pytest.fixture(scope='module')
def report():
    spec = importlib.util.spec_from_file_location('report', REPORT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def write(d, name, text):
    path = os.path.join(d, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


def anchor_run(d, system, version, churn_ns, churn_pause, bt_max, bt_p50, cc_backlog):
    write(d, f'{system}.txt', '\n'.join([
        version,
        'rings 100000 0.001000 10.0',
        'live-tree 100000 0.001000 10.0',
        'mixed 200000 0.002000 10.0',
        f'churn live=100000 rings=300000 total=0.016s ns_per_ring={churn_ns} '
        f'collections=100 full=0 max_pause_ms={churn_pause}',
        'grow live=400000 total=0.012s collections=80 full=0 max_pause_ms=0.20',
        f'bigtree live=200000 rings=100000 total=0.005s ns_per_ring=50 collections=40 '
        f'full=0 max_pause_ms={bt_max} p50_pause_ms={bt_p50} p99_pause_ms=0.500 '
        'backlog_max=6000 backlog_max_bytes=240000',
        'cyclechurn live=50001 cycles=4546 replacements=100000 total=0.100s '
        'ns_per_replacement=1000 collections=400 full=0 max_pause_ms=0.400 '
        f'p50_pause_ms=0.200 p99_pause_ms=0.300 backlog_max={cc_backlog} '
        f'backlog_max_bytes={cc_backlog * 100}', '']))
    write(d, f'{system}.rc', '0\n')
    write(d, f'{system}.time', '0.4\n')
    write(d, f'{system}.err', '')


def shuffled_runs(d):
    """The shuffled workloads: rcgc's in its own output (after mixed), the
    anchors' in SYSTEM-shuffled.txt; CPython's and Boehm's ordered ones too."""
    for system, tree, mixed in (('rcgc', 40.0, 30.0), ('rcgc-cpython', 50.0, 15.0)):
        with open(os.path.join(d, f'{system}.txt')) as f:
            lines = f.read().splitlines()
        i = lines.index('mixed 200000 0.002000 10.0') + 1
        lines[i:i] = [f'live-tree-shuffled 100000 0.004000 {tree}',
                      f'mixed-shuffled 200000 0.006000 {mixed}']
        write(d, f'{system}.txt', '\n'.join(lines) + '\n')
    for system, ordered, tree, mixed in (('cpython', 50.0, 200.0, 120.0),
                                         ('boehm', 5.0, 10.0, 4.0)):
        write(d, f'{system}.txt', f'{system} 1\nlive-tree 100000 0.005000 {ordered}\n'
              f'mixed 200000 0.010000 {ordered}\n')
        write(d, f'{system}.rc', '0\n')
        write(d, f'{system}-shuffled.txt', f'{system} 1\nlive-tree-shuffled 100000 0.01 {tree}\n'
              f'mixed-shuffled 200000 0.02 {mixed}\n')
        write(d, f'{system}-shuffled.rc', '0\n')


def anchor_dir(d, budget):
    write(d, 'mode', 'quick\n')
    write(d, 'skipped.tsv', '' if budget else 'rcgc-budget\tBENCH_SKIP\n')
    anchor_run(d, 'rcgc', 'rcgc 0.1.0 policy=default', 50, 0.10, 0.200, 0.050, 3000)
    anchor_run(d, 'rcgc-cpython', 'rcgc 0.1.0 policy=cpython', 100, 0.05, 0.100, 0.010, 90000)
    if budget:
        anchor_run(d, 'rcgc-budget', 'rcgc 0.1.0 policy=default budget_us=1000',
                   150, 0.60, 0.400, 0.250, 6000)
        write(d, 'rcgc-budget.err', ''.join(
            f'{w} incremental: collections={n} slices={n + 2} longest_slice_ms=0.600 '
            f'total_ms=37.5 table_grows=4 peak_extra_bytes=524360 abandoned=0\n'
            for w, n in (('churn', 100), ('grow', 80), ('bigtree', 40), ('cyclechurn', 420))))
    write(d, 'rcgc-memory.txt', 'memory nodes=1000000 rss_bytes_per_node=40.2 '
          'native_bytes_per_node=40.0 native=rcgc_heap_bytes policy=default\n')


def run_table(report, tmp_path, budget, capsys, shuffled=False):
    d = str(tmp_path / 'out')
    anchor_dir(d, budget)
    if shuffled:
        shuffled_runs(d)
    js = str(tmp_path / 'results.json')
    assert report.table(argparse.Namespace(out=d, json=js, previous=None)) == 0
    with open(js) as f:
        return capsys.readouterr().out, json.load(f)


def test_parse_incremental(report):
    got = report.parse_incremental(
        'rcgc_bench: something else\n'
        'churn incremental: collections=3 slices=7 longest_slice_ms=0.580 total_ms=37.7 '
        'table_grows=4 peak_extra_bytes=524360 abandoned=0\n'
        'incremental: collections=1 slices=2 longest_slice_ms=0.5 total_ms=1.0 '
        'table_grows=0 peak_extra_bytes=0 abandoned=0 running=0\n')
    assert got == {
        'churn': {'collections': 3, 'slices': 7, 'longest_slice_ms': 0.58, 'total_ms': 37.7,
                  'table_grows': 4, 'peak_extra_bytes': 524360, 'abandoned': 0},
        None: {'collections': 1, 'slices': 2, 'longest_slice_ms': 0.5, 'total_ms': 1.0,
               'table_grows': 0, 'peak_extra_bytes': 0, 'abandoned': 0, 'running': 0}}
    assert report.budget_us('rcgc 0.1.0 policy=default budget_us=1000') == 1000
    assert report.budget_us('rcgc 0.1.0 policy=default') is None


def test_table_budget(report, tmp_path, capsys):
    out, doc = run_table(report, tmp_path, True, capsys)
    lines = out.splitlines()
    title = next(l for l in lines if l.startswith('  ') and 'rcgc (default policy)' in l)
    assert title.rstrip().endswith('rcgc (default policy, 1000 us budget)')

    def row(label):
        return next(l for l in lines if l.startswith(label + '  '))
    assert row('churn ns/ring').endswith('150 (3.00x)')
    assert row('churn collections').endswith('100 (full 0, 102 slices)')
    assert row('churn max pause ms').endswith('0.60 (6.00x)')
    assert row('bigtree p50 pause ms').endswith('0.250 (5.00x)')
    assert row('cyclechurn backlog max nodes').endswith('6000 (2.00x)')
    assert row('cyclechurn collections').endswith('400 (full 0, 422 slices)')
    assert row('rings 100000').endswith('10.0 (1.00x)')
    assert any(l.startswith('note: rcgc-budget: rcgc_bench --policy default --budget 1000 ')
               for l in lines)

    assert doc['systems']['rcgc-budget']['pause_budget_us'] == 1000
    assert doc['systems']['rcgc-budget']['policy'] == 'default'
    assert doc['budget']['pause_budget_us'] == 1000
    churn = doc['churn']['rcgc-budget']
    assert churn['speedup_ns_per_ring'] == 3.0
    assert churn['speedup_max_pause'] == 6.0
    assert churn['incremental'] == {
        'collections': 100, 'slices': 102, 'longest_slice_ms': 0.6, 'total_ms': 37.5,
        'table_grows': 4, 'peak_extra_bytes': 524360, 'abandoned': 0}
    assert doc['grow']['rcgc-budget']['incremental']['slices'] == 82
    bt = doc['bigtree']['rcgc-budget']
    assert bt['ratios'] == {'ns_per_ring': 1.0, 'max_pause_ms': 2.0, 'p50_pause_ms': 5.0,
                            'p99_pause_ms': 1.0, 'backlog_max': 1.0,
                            'backlog_max_bytes': 1.0}
    assert doc['cyclechurn']['rcgc-budget']['ratios']['backlog_max'] == 2.0
    assert bt['incremental']['slices'] == 42
    assert doc['cyclechurn']['rcgc-budget']['incremental']['slices'] == 422
    assert doc['workloads'][0]['rcgc-budget'] == {'seconds': 0.001, 'ns_per_node': 10.0,
                                                  'speedup': 1.0}
    # The other systems' entries are those of a run without it.
    assert doc['churn']['rcgc-cpython']['speedup_ns_per_ring'] == 2.0
    assert 'rcgc-budget' not in doc['policies']['default']


def test_table_without_budget(report, tmp_path, capsys):
    with_b, doc_b = run_table(report, tmp_path / 'a', True, capsys)
    without, doc = run_table(report, tmp_path / 'b', False, capsys)
    assert 'budget' not in doc and 'rcgc-budget' not in doc['systems']
    assert 'strict' not in doc and 'rcgc-strict' not in doc['systems']
    for part in ('churn', 'grow', 'bigtree', 'cyclechurn'):
        assert 'rcgc-budget' not in doc[part]
    assert doc['skipped'] == {'rcgc-budget': 'BENCH_SKIP'}
    # Every row is the row of the run with rcgc-budget without its column.
    table = [l for l in without.splitlines() if l and not l.startswith(('note:', 'rcgc bench'))]
    table_b = [l for l in with_b.splitlines()
               if l and not l.startswith(('note:', 'rcgc bench'))]
    assert len(table) == len(table_b)
    title_b = next(l for l in table_b if l.startswith('  ') and 'rcgc (default policy)' in l)
    width = title_b.index('rcgc (default policy, 1000 us budget)')  # its column
    for a, b in zip(table, table_b):
        if a.startswith('systems:'):
            assert b == a + ', rcgc 0.1.0 policy=default budget_us=1000'
        elif a.startswith(('rings', 'live-tree', 'mixed', 'churn', 'grow', 'bigtree',
                           'cyclechurn', '  ')):
            assert b[:width].rstrip() == a
    assert not any('budget' in l for l in table[1:])
    # The same keys as the run with it, less its own.
    drop = lambda d: {k: v for k, v in d.items() if k != 'rcgc-budget'}
    assert drop(doc_b['churn']) == doc['churn']
    assert drop(doc_b['bigtree']) == doc['bigtree']
    assert [drop(w) for w in doc_b['workloads']] == doc['workloads']


def classic_run(d, system, version, seconds, pause, extra_err=''):
    for variant, collected in (('acyclic', 0), ('cyclic', 1000)):
        base = f'{system}.gcbench.10.{variant}'
        write(d, base + '.txt', '\n'.join([
            f'version {version}',
            'stretch tree of depth 12: 8191 nodes',
            f'result workload=gcbench variant={variant} depth=10 seconds={seconds} '
            f'nodes=1000 collections=20 full=0 max_pause_ms={pause} gc_seconds=0.001 '
            f'collected={collected} alive=0 maxrss_kb=4096', '']))
        write(d, base + '.rc', '0\n')
        write(d, base + '.time', '0.1\n')
        write(d, base + '.err', extra_err)


def classic_budget_dir(d):
    """A quick classic run of rcgc-default and rcgc-budget (gcbench 10)."""
    write(d, 'mode', 'quick\n')
    write(d, 'skipped.tsv', '')
    classic_run(d, 'rcgc-default', 'rcgc 0.1.0 policy=default (library default)', 0.010, 0.100)
    classic_run(d, 'rcgc-budget', 'rcgc 0.1.0 policy=default (library default) budget_us=500',
                0.020, 0.400,
                'incremental: collections=20 slices=25 longest_slice_ms=0.400 total_ms=3.0 '
                'table_grows=2 peak_extra_bytes=4096 abandoned=0 running=0\n')


def classic_lines(report, d, js, capsys):
    """report.py classic on 'd': its printed lines, its JSON's "classic", and
    a function giving the line that starts with a label."""
    out, doc = run_classic(report, d, js, capsys)
    lines = out.splitlines()
    return lines, doc, lambda label: next(l for l in lines if l.startswith(label + '  '))


def test_classic_budget(report, tmp_path, capsys):
    d = str(tmp_path / 'classic')
    classic_budget_dir(d)
    lines, doc, row = classic_lines(report, d, str(tmp_path / 'r.json'), capsys)
    assert row('gcbench-cyclic 10 s').endswith('rcgc-budget 0.020 (2.00x)')
    assert row('gcbench-cyclic 10 max pause ms').endswith('rcgc-budget 0.40 (4.00x)')
    assert row('gcbench-cyclic 10 collections').endswith('rcgc-budget 20 (full 0, 25 slices)')
    assert row('gcbench-cyclic 10 budget').endswith(
        '25 slices (3.0 ms in all, 2 table grows, 4096 extra bytes at the peak)')
    assert any(l.startswith('note: rcgc-budget: classic_rcgc --policy default --budget 500 ')
               for l in lines)
    e = doc['workloads'][1]['systems']['rcgc-budget']
    assert (e['speedup'], e['ratio_max_pause']) == (2.0, 4.0)
    assert e['incremental']['slices'] == 25
    assert doc['budget']['pause_budget_us'] == 500
    assert doc['systems']['rcgc-budget'].endswith('budget_us=500')


def test_classic_strict(report, tmp_path, capsys):
    d = str(tmp_path / 'classic')
    classic_budget_dir(d)
    classic_run(d, 'rcgc-strict',
                'rcgc 0.1.0 policy=default (library default) budget_us=500 strict_stores',
                0.030, 0.050,
                'incremental: collections=30 slices=70 longest_slice_ms=0.050 total_ms=7.0 '
                'table_grows=0 peak_extra_bytes=8192 abandoned=0 running=0\n')
    lines, doc, row = classic_lines(report, d, str(tmp_path / 'r.json'), capsys)
    # its column comes last, after rcgc-budget's
    cells = row('gcbench-cyclic 10 s').split()
    assert cells[-6:] == ['rcgc-budget', '0.020', '(2.00x)', 'rcgc-strict', '0.030', '(3.00x)']
    assert row('gcbench-cyclic 10 max pause ms').endswith('rcgc-strict 0.05 (0.50x)')
    assert row('gcbench-cyclic 10 collections').endswith('rcgc-strict 20 (full 0, 70 slices)')
    assert row('gcbench-cyclic 10 strict').endswith(
        '70 slices (7.0 ms in all, 0 table grows, 8192 extra bytes at the peak)')
    assert any(l.startswith('note: rcgc-strict: classic_rcgc --policy default --budget 500 '
                            '--strict: ') for l in lines)
    e = doc['workloads'][1]['systems']['rcgc-strict']
    assert (e['speedup'], e['ratio_max_pause']) == (3.0, 0.5)
    assert e['incremental']['slices'] == 70
    assert doc['strict']['pause_budget_us'] == 500
    assert doc['systems']['rcgc-strict'].endswith('strict_stores')


def test_classic_without_budget(report, tmp_path, capsys):
    d = str(tmp_path / 'classic')
    write(d, 'mode', 'quick\n')
    write(d, 'skipped.tsv', '')
    classic_run(d, 'rcgc-default', 'rcgc 0.1.0 policy=default (library default)', 0.010, 0.100)
    js = str(tmp_path / 'r.json')
    assert report.classic(argparse.Namespace(out=d, json=js)) == 0
    out = capsys.readouterr().out
    assert 'budget' not in out
    with open(js) as f:
        doc = json.load(f)['classic']
    assert 'budget' not in doc and 'rcgc-budget' not in doc['systems']


def classic_one(d, system, variant, version, seconds, collectors=True):
    """One classic run of gcbench 10: malloc and mimalloc have no collections."""
    base = f'{system}.gcbench.10.{variant}'
    gc = (' collections=0 full=0 max_pause_ms=0.000 gc_seconds=0.000 collected=0 alive=0'
          if collectors else '')
    write(d, base + '.txt', '\n'.join([
        f'version {version}',
        'stretch tree of depth 12: 8191 nodes',
        f'result workload=gcbench variant={variant} depth=10 seconds={seconds} '
        f'nodes=1000{gc} maxrss_kb=4096', '']))
    write(d, base + '.rc', '0\n')
    write(d, base + '.time', '0.1\n')
    write(d, base + '.err', '')


OFF_WHY = ('automatic collection off runs the acyclic variant only: the cyclic '
           "variant's trees are reclaimed by the collector or never")


def classic_off_dir(d, off):
    write(d, 'mode', 'quick\n')
    write(d, 'skipped.tsv', '' if off else 'rcgc-off\tBENCH_SKIP\n')
    # CPython's line (three fields) and rcgc-off's (a fourth: the system)
    # name the same workload and variant.
    write(d, 'not-run.tsv', 'gcbench 10\tcyclic\tCPython was not run\n'
          + (f'gcbench 10\tcyclic\t{OFF_WHY}\trcgc-off\n' if off else ''))
    classic_run(d, 'rcgc-default', 'rcgc 0.1.0 policy=default (library default)', 0.010, 0.100)
    for s, seconds in (('malloc', 0.006), ('mimalloc', 0.004), ('boehm', 0.015)):
        for v in ('acyclic', 'cyclic'):
            classic_one(d, s, v, f'{s} 1', seconds, collectors=s == 'boehm')
    if off:
        classic_one(d, 'rcgc-off', 'acyclic',
                    'rcgc 0.1.0 policy=off (automatic collection off: rcgc_disable)', 0.005)


def run_classic(report, d, js, capsys):
    assert report.classic(argparse.Namespace(out=d, json=js)) == 0
    with open(js) as f:
        return capsys.readouterr().out, json.load(f)['classic']


def test_classic_off(report, tmp_path, capsys):
    d = str(tmp_path / 'classic')
    classic_off_dir(d, True)
    out, doc = run_classic(report, d, str(tmp_path / 'r.json'), capsys)
    lines = out.splitlines()

    def row(label):
        return next(l for l in lines if l.startswith(label + '  '))
    assert row('gcbench 10 s').endswith('rcgc-off 0.005 (0.50x)')
    assert row('gcbench 10 collections').endswith('rcgc-off 0 (full 0)')
    assert row('gcbench-cyclic 10 s').endswith('cpython n/a*  rcgc-off n/a**')
    assert row('gcbench-cyclic 10 max pause ms').endswith('rcgc-off n/a**')
    assert row('gcbench 10 off') == ('gcbench 10 off  rcgc-off 0.005 s  malloc 0.006 (1.20x)  '
                                     'mimalloc 0.004 (0.80x)  boehm 0.015 (3.00x)')
    assert not any(l.startswith('gcbench-cyclic 10 off') for l in lines)
    assert 'note: n/a*: CPython was not run' in lines
    assert f'note: n/a**: rcgc-off: {OFF_WHY}' in lines
    assert any(l.startswith('note: rcgc-off: classic_rcgc --policy off: ') for l in lines)

    e = doc['workloads'][0]['systems']['rcgc-off']
    assert (doc['workloads'][0]['variant'], e['seconds'], e['speedup'], e['speedup_malloc'],
            e['speedup_mimalloc'], e['speedup_boehm']) == ('acyclic', 0.005, 0.5, 1.2, 0.8, 3.0)
    assert 'rcgc-off' not in doc['workloads'][1]['systems']
    assert doc['not_run'] == {'gcbench 10 cyclic': 'CPython was not run'}
    assert doc['off']['not_run'] == {'gcbench 10 cyclic': OFF_WHY}
    assert doc['systems']['rcgc-off'] == 'rcgc 0.1.0 policy=off (automatic collection off: rcgc_disable)'


def test_classic_without_off(report, tmp_path, capsys):
    classic_off_dir(str(tmp_path / 'a'), True)
    classic_off_dir(str(tmp_path / 'b'), False)
    with_off, doc_off = run_classic(report, str(tmp_path / 'a'), str(tmp_path / 'a.json'), capsys)
    without, doc = run_classic(report, str(tmp_path / 'b'), str(tmp_path / 'b.json'), capsys)
    assert 'rcgc-off' not in doc['systems'] and 'off' not in doc
    assert doc['skipped'] == {'rcgc-off': 'BENCH_SKIP'}

    # Every row of the table is the row of the run with rcgc-off without its cell.
    def table(out):
        return [l for l in out.splitlines() if not l.startswith('note:')
                and l.split('  ')[0].endswith((' s', ' peak RSS MB', ' collections',
                                               ' max pause ms'))]
    rows, rows_off = table(without), table(with_off)
    assert len(rows) == len(rows_off) == 8
    for a, b in zip(rows, rows_off):
        assert b[:b.index('  rcgc-off ')].rstrip() == a
    notes = [l for l in without.splitlines() if l.startswith('note:')]
    assert [l for l in notes if 'rcgc-off' in l] == ['note: rcgc-off skipped: BENCH_SKIP']
    assert not any('rcgc-off' in l or l.startswith('gcbench 10 off')
                   for l in without.splitlines() if l not in notes)
    # The same keys as the run with it, less its own.
    for w, w_off in zip(doc['workloads'], doc_off['workloads']):
        assert {k: v for k, v in w_off['systems'].items() if k != 'rcgc-off'} == w['systems']


def instr_dir(d, free, n=1000):
    """callgrind's stderr for each run bench/run.sh --instructions makes: Ir
    = 100 per node for collect, 200 for build, 150 for free (per tree node)."""
    for policy in ('default', 'cpython'):
        for kind in ('rings', 'live-tree', 'mixed'):
            nodes = 2 * n if kind == 'mixed' else n
            parts = {'collect': 100 * nodes, 'build': 200 * nodes}
            if free and kind != 'rings':
                parts['free'] = 150 * n
            for part, ir in parts.items():
                write(d, f'instr.{policy}.{kind}.{part}.err',
                      f'==1== Events    : Ir\n==1== Collected : {ir}\n==1==\n')


def run_instructions(report, tmp_path, free, capsys, baseline=None):
    d = str(tmp_path / 'out')
    instr_dir(d, free)
    js = str(tmp_path / 'instructions.json')
    base = None
    if baseline is not None:
        base = str(tmp_path / 'base.json')
        with open(base, 'w') as f:
            json.dump(baseline, f)
    assert report.instructions(argparse.Namespace(
        out=d, nodes=1000, json=js, baseline=base, baseline_commit='abc1234')) == 0
    with open(js) as f:
        return capsys.readouterr().out, json.load(f)


def test_instructions_free(report, tmp_path, capsys):
    baseline = {'date': 'then', 'rcgc_revision': 'abc1234', 'policies': {'default': '-'},
                'workloads': [
        {'workload': 'live-tree', 'nodes': 1000, 'collect_ir': 100000, 'build_ir': 200000,
         'free_ir': 120000, 'cpython_policy': {'collect_ir': 100000, 'build_ir': 200000}}]}
    out, doc = run_instructions(report, tmp_path, True, capsys, baseline)
    lines = out.splitlines()

    def row(label):
        return next(l for l in lines if l.startswith(label + '  '))
    assert row('rings 1000 default').split() == [
        'rings', '1000', 'default', 'collect', '100.0', 'Ir/node', '(100000', 'Ir)',
        'build', '200.0', 'Ir/node', '(200000', 'Ir)']
    assert row('live-tree 1000 default').endswith(
        'free 150.0 Ir/node (150000 Ir) +25.0% (was 120.0)')
    assert row('live-tree 1000 cpython').endswith('free 150.0 Ir/node (150000 Ir)')
    # mixed: free per node of the tree (1000), not of the 2000 nodes
    assert row('mixed 2000 default').endswith('free 150.0 Ir/node (150000 Ir)')
    assert any(l.endswith('; free = dropping the held tree, freed by reference counting '
                          '(per node of the tree: 1000)') for l in lines)
    w = {x['workload']: x for x in doc['workloads']}
    assert 'free_ir' not in w['rings'] and 'free_ir' not in w['rings']['cpython_policy']
    assert (w['live-tree']['free_ir'], w['live-tree']['free_ir_per_node']) == (150000, 150.0)
    assert w['live-tree']['change_pct'] == {'collect': 0.0, 'build': 0.0, 'free': 25.0}
    assert w['live-tree']['baseline_ir_per_node']['free'] == 120.0
    assert (w['mixed']['free_ir'], w['mixed']['free_ir_per_node']) == (150000, 150.0)
    assert w['mixed']['cpython_policy']['free_ir_per_node'] == 150.0
    assert doc['free']['per_node'].startswith('free_ir_per_node = free_ir / 1000')


def test_instructions_without_free(report, tmp_path, capsys):
    with_free, doc_f = run_instructions(report, tmp_path / 'a', True, capsys)
    out, doc = run_instructions(report, tmp_path / 'b', False, capsys)
    assert 'free' not in out and 'free' not in doc
    # Every row is the row with free less its free cell; the same keys less free's.
    rows = [l for l in out.splitlines() if ' Ir/node ' in l]
    rows_f = [l for l in with_free.splitlines() if ' Ir/node ' in l]
    assert len(rows) == len(rows_f) == 6
    for a, b in zip(rows, rows_f):
        assert (b[:b.index('  free ')] if '  free ' in b else b).rstrip() == a

    def drop(fig):
        return {k: v for k, v in fig.items() if not k.startswith('free_')}
    for w, wf in zip(doc['workloads'], doc_f['workloads']):
        assert dict(drop(wf), cpython_policy=drop(wf['cpython_policy'])) == w


def test_instructions_baseline_of_another_size(report, tmp_path, capsys):
    # A baseline measured on 20,000 nodes gives no change to either policy's
    # figures of a 1,000-node run.
    baseline = {'date': 'then', 'rcgc_revision': 'abc1234', 'policies': {'default': '-'},
                'workloads': [{'workload': 'live-tree', 'nodes': 20000, 'collect_ir': 100000,
                               'build_ir': 200000, 'cpython_policy': {
                                   'collect_ir': 100000, 'build_ir': 200000}}]}
    out, doc = run_instructions(report, tmp_path, False, capsys, baseline)
    assert not any('%' in l for l in out.splitlines() if l.startswith('live-tree'))
    w = next(x for x in doc['workloads'] if x['workload'] == 'live-tree')
    assert 'change_pct' not in w and 'change_pct' not in w['cpython_policy']


def test_table_shuffled(report, tmp_path, capsys):
    out, doc = run_table(report, tmp_path, True, capsys, shuffled=True)
    lines = out.splitlines()

    def row(label):
        return next(l for l in lines if l.startswith(label + '  ')).split()
    # beside the ordered rows: live-tree, its shuffled rows, mixed, its shuffled rows
    labels = [l.split('  ')[0] for l in lines
              if l.startswith(('rings', 'live-tree', 'mixed'))]
    assert labels == ['rings 100000', 'live-tree 100000', 'live-tree-shuffled 100000',
                      'live-tree-shuffled 100000 / ordered', 'mixed 200000',
                      'mixed-shuffled 200000', 'mixed-shuffled 200000 / ordered']
    assert row('live-tree-shuffled 100000') == [
        'live-tree-shuffled', '100000', '40.0', '50.0', '1.25x', '200.0', '(5.00x)',
        '10.0', '(0.25x)']
    assert row('live-tree-shuffled 100000 / ordered') == [
        'live-tree-shuffled', '100000', '/', 'ordered', '4.00x', '5.00x', '4.00x', '2.00x']
    assert row('mixed-shuffled 200000 / ordered') == [
        'mixed-shuffled', '200000', '/', 'ordered', '3.00x', '1.50x', '2.40x', '0.80x']
    assert any(l.startswith('note: live-tree-shuffled, mixed-shuffled: ') for l in lines)

    sh = doc['shuffled']['workloads']
    assert [(w['workload'], w['nodes'], w['ordered']) for w in sh] == [
        ('live-tree-shuffled', 100000, 'live-tree'), ('mixed-shuffled', 200000, 'mixed')]
    assert sh[0]['rcgc'] == {'seconds': 0.004, 'ns_per_node': 40.0, 'shuffled_vs_ordered': 4.0}
    assert sh[0]['rcgc-cpython'] == {'seconds': 0.004, 'ns_per_node': 50.0, 'speedup': 1.25,
                                     'shuffled_vs_ordered': 5.0}
    assert sh[0]['default_vs_cpython_policy'] == 1.25
    assert sh[0]['cpython'] == {'seconds': 0.01, 'ns_per_node': 200.0, 'speedup': 5.0,
                                'speedup_cpython_policy': 4.0, 'shuffled_vs_ordered': 4.0}
    assert sh[1]['boehm'] == {'seconds': 0.02, 'ns_per_node': 4.0, 'speedup': 0.133,
                              'speedup_cpython_policy': 0.267, 'shuffled_vs_ordered': 0.8}
    assert 'rcgc-budget' not in sh[0] and 'php' not in sh[0]
    assert [(w['workload'], w['nodes']) for w in doc['workloads']] == [
        ('rings', 100000), ('live-tree', 100000), ('mixed', 200000)]


def test_table_notes_separate_runs_that_exited(report, tmp_path, capsys):
    # a pause run that crashed (with its last error line) and a shuffled run
    # that failed (without one): a note each, and each status in the json
    d = str(tmp_path / 'out')
    anchor_dir(d, True)
    shuffled_runs(d)
    write(d, 'cpython-pauses.rc', '139\n')
    write(d, 'cpython-pauses.err', 'starting\nSegmentation fault\n')
    write(d, 'cpython-shuffled.rc', '1\n')
    js = str(tmp_path / 'results.json')
    assert report.table(argparse.Namespace(out=d, json=js, previous=None)) == 0
    with open(js) as f:
        doc = json.load(f)
    out = capsys.readouterr().out
    assert 'note: cpython pause workloads exited with status 139: Segmentation fault' in out
    assert 'note: cpython shuffled workloads exited with status 1\n' in out
    assert doc['systems']['cpython']['pauses_exit_status'] == 139
    assert doc['systems']['cpython']['shuffled_exit_status'] == 1
    assert 'pauses_exit_status' not in doc['systems']['rcgc']


def test_table_without_shuffled(report, tmp_path, capsys):
    with_s, doc_s = run_table(report, tmp_path / 'a', True, capsys, shuffled=True)
    d = str(tmp_path / 'b' / 'out')
    anchor_dir(d, True)
    shuffled_runs(d)
    for system in ('rcgc', 'rcgc-cpython'):  # no shuffled lines: as before them
        with open(os.path.join(d, f'{system}.txt')) as f:
            text = f.read()
        write(d, f'{system}.txt', '\n'.join(l for l in text.splitlines()
                                            if 'shuffled' not in l) + '\n')
    js = str(tmp_path / 'b' / 'results.json')
    assert report.table(argparse.Namespace(out=d, json=js, previous=None)) == 0
    without = capsys.readouterr().out
    with open(js) as f:
        doc = json.load(f)
    assert 'shuffled' not in doc and 'shuffled' not in without
    assert doc['workloads'] == doc_s['workloads']
    # Every other row is the same, cell for cell.
    table = [l.split() for l in without.splitlines()
             if l and not l.startswith(('note:', 'rcgc bench', '  '))]
    table_s = [l.split() for l in with_s.splitlines()
               if l and not l.startswith(('note:', 'rcgc bench', '  ')) and 'shuffled' not in l]
    assert table == table_s
