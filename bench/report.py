#!/usr/bin/env python3
"""Formats what bench/run.sh collected in build/bench/out into one table of
ratios, and writes it as JSON.

  report.py table --out DIR --json FILE [--previous FILE]
      DIR holds, per system (rcgc: rcgc_bench under the default policy,
      rcgc-cpython: under the CPython policy, rcgc-budget: under the default
      policy with a pause budget, cpython, php, boehm):
      SYSTEM.txt (the workload lines), SYSTEM-memory.txt (the bytes-per-node
      line), SYSTEM-pauses.txt (the bigtree and cyclechurn lines, when run in
      a process of their own), SYSTEM-shuffled.txt (the anchors'
      live-tree-shuffled and mixed-shuffled lines; rcgc_bench prints them
      after mixed), .rc (exit status), .err (rcgc-budget's holds
      a "WORKLOAD incremental: ..." line per workload); skipped.tsv (system
      TAB reason); mode.
      --previous: an earlier results.json, to set the CPython policy's
      figures against. A "classic" part already in FILE is kept.
  report.py instructions --out DIR --nodes N --json FILE [--baseline FILE]
      DIR holds instr.POLICY.KIND.{collect,build,free}.err: callgrind's
      stderr, POLICY default and (when measured) cpython; free (dropping
      the held tree) for live-tree and mixed, when measured. --baseline: an earlier
      instructions.json to compute the % change against (--baseline-commit:
      the commit it comes from).
  report.py classic --out DIR --json FILE
      DIR holds SYSTEM.WORKLOAD.DEPTH.VARIANT.{txt,err,rc,time} of the
      classic benchmarks (GCBench, binary-trees; rcgc-budget's .err holds an
      "incremental: ..." line; rcgc-off, automatic collection off, runs the
      acyclic variant only), skipped.tsv, not-run.tsv (workload and depth
      TAB variant TAB reason, then TAB system when it is not CPython) and
      mode; the table
      is printed and the "classic" part of FILE is replaced (the rest of FILE
      is kept). Exits 1 when an rcgc run failed
      or the systems' check lines differ.

Ratios are always other / rcgc: for times, how many times faster rcgc is
(> 1: rcgc faster); for bytes, how many times smaller rcgc is. rcgc is the
default policy; "default vs cpython policy" is rcgc-cpython / rcgc.
rcgc-budget (the default policy with a pause budget, each slice of an
incremental collection a pause) is a column of its own with the ratio
rcgc-budget / rcgc: below 1 its time is shorter (or its pause, its backlog
smaller) than stop-the-world's.
"""
import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys

SYSTEMS = ('rcgc', 'rcgc-cpython', 'cpython', 'php', 'boehm', 'rcgc-budget')
LABEL = {'rcgc': 'rcgc', 'cpython': 'cpython', 'php': 'php', 'boehm': 'boehm',
         'rcgc-budget': 'rcgc-budget'}
NAME = {'rcgc': '', 'rcgc-cpython': '', 'cpython': 'CPython ', 'php': 'PHP ', 'boehm': '',
        'rcgc-budget': ''}
# The system that runs the default policy with a pause budget (run.sh:
# --budget, BENCH_BUDGET_US): its own column, ratios rcgc-budget / rcgc.
BUDGET = 'rcgc-budget'
KINDS = ('rings', 'live-tree', 'mixed')
# The shuffled workloads: the graph of the ordered one, the nodes allocated
# in a random order (bench/README.md). rcgc_bench prints them after mixed;
# the anchors in a process of their own (SYSTEM-shuffled.txt).
SHUFFLED = {'live-tree-shuffled': 'live-tree', 'mixed-shuffled': 'mixed'}
# The pause workloads: per workload, its time per unit (key, label) and the
# keys of its sizes; then the rows every one of them has (key, label,
# digits, divisor; collections have no ratio).
PAUSE_PARTS = (('bigtree', 'ns_per_ring', 'ns/ring', ('live', 'rings')),
               ('cyclechurn', 'ns_per_replacement', 'ns/replacement',
                ('live', 'replacements')))
PAUSE_ROWS = (('collections', 'collections', 0, 1),
              ('max_pause_ms', 'max pause ms', 3, 1),
              ('p50_pause_ms', 'p50 pause ms', 3, 1),
              ('p99_pause_ms', 'p99 pause ms', 3, 1),
              ('backlog_max', 'backlog max nodes', 0, 1),
              ('backlog_max_bytes', 'backlog max KiB', 0, 1024))


def read(path, default=None):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


def number(s):
    if s.endswith('s') and s[:-1].replace('.', '', 1).isdigit():
        s = s[:-1]  # total=2.243s
    try:
        return int(s)
    except ValueError:
        try:
            return float(s)
        except ValueError:
            return s


def parse_kv(line):
    """'churn live=1 total=2.0s x' -> {'live': 1, 'total': 2.0}."""
    out = {}
    for tok in line.split()[1:]:
        if '=' in tok:
            k, v = tok.split('=', 1)
            out[k] = number(v)
    return out


def parse_run(text):
    """The anchors' common output: a version line, workload lines, churn and
    grow lines. Returns a dict; PHP's 'runs' is read as collections."""
    res = {'version': None, 'workloads': {}, 'churn': None, 'grow': None,
           'complete': False}
    res.update({part: None for part, _, _, _ in PAUSE_PARTS})
    if not text:
        return res
    lines = [l for l in text.splitlines() if l.strip()]
    for i, line in enumerate(lines):
        tok = line.split()
        if (tok[0] in KINDS or tok[0] in SHUFFLED) and len(tok) >= 4:
            try:
                res['workloads'][(tok[0], int(tok[1]))] = {
                    'seconds': float(tok[2]), 'ns_per_node': float(tok[3])}
            except ValueError:
                pass
        elif tok[0] in [p[0] for p in PAUSE_PARTS]:
            kv = parse_kv(line)
            if 'total' in kv:
                res[tok[0]] = kv
        elif tok[0] in ('churn', 'grow'):
            kv = parse_kv(line)
            if 'runs' in kv and 'collections' not in kv:
                kv['collections'] = kv['runs']
            if tok[0] == 'churn' and 'ns_per_ring' in kv:
                res['churn'] = kv
            elif tok[0] == 'grow' and 'total' in kv and kv.get('live'):
                kv['ns_per_node'] = round(kv['total'] / kv['live'] * 1e9, 1)
                res['grow'] = kv
                res['complete'] = True
        elif i == 0:
            res['version'] = line.strip()
    return res


def parse_incremental(text):
    """The incremental statistics a run with a pause budget writes on stderr:
    'WORKLOAD incremental: collections=... slices=... longest_slice_ms=...
    total_ms=... table_grows=... peak_extra_bytes=... abandoned=...' per
    workload (rcgc_bench) or one 'incremental: ...' line (classic_rcgc, which
    adds running=). Returns {workload: {key: value}}; classic_rcgc's line is
    under the workload None."""
    out = {}
    for line in (text or '').splitlines():
        tok = line.split()
        if tok and tok[0] == 'incremental:':
            out[None] = parse_kv(line)
        elif len(tok) >= 2 and tok[1] == 'incremental:':
            out[tok[0]] = parse_kv(line)
    return out


def budget_us(version):
    """The pause budget a version line names (' budget_us=N'), or None."""
    m = re.search(r'\bbudget_us=(\d+)', version or '')
    return int(m.group(1)) if m else None


def slices_text(inc):
    """', N slices' for a collections cell, from the incremental statistics."""
    return f', {inc["slices"]} slices' if inc and 'slices' in inc else ''


def parse_memory(text):
    if not text:
        return None
    for line in text.splitlines():
        if line.startswith('memory '):
            return parse_kv(line)
    return None


def ratio(other, ours):
    if not other or ours is None or ours <= 0:
        return None
    return other / ours


def fmt_ratio(r):
    if r is None:
        return ''
    if r >= 100:
        return f'({r:.0f}x)'
    if r >= 10:
        return f'({r:.1f}x)'
    if r >= 0.01:
        return f'({r:.2f}x)'
    if r >= 0.001:
        return f'({r:.3f}x)'
    return f'({r:.1g}x)'


def sig(r):
    """A ratio for the JSON: 4 significant digits (pause ratios span 1e-4
    to 1e3)."""
    return float(f'{r:.4g}')


def fmt_num(v, digits=1):
    if v is None:
        return '-'
    if isinstance(v, int):
        return str(v)
    return f'{v:.{digits}f}'


def machine_info():
    cpu = None
    text = read('/proc/cpuinfo', '')
    for line in text.splitlines():
        if line.startswith('model name'):
            cpu = line.split(':', 1)[1].strip()
            break
    return {'arch': platform.machine(), 'cpu': cpu, 'nproc': os.cpu_count(),
            'kernel': platform.release(),
            'memory_gb': round(os.sysconf('SC_PAGE_SIZE') *
                               os.sysconf('SC_PHYS_PAGES') / 2**30, 1)}


def git_revision(repo):
    try:
        r = subprocess.run(['git', '-C', repo, 'rev-parse', '--short', 'HEAD'],
                           capture_output=True, text=True, timeout=5)
        return r.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


class Row:
    """One line of the table: a label, then per system a value, an optional
    ratio and an optional suffix."""

    def __init__(self, label):
        self.label = label
        self.cells = []

    def add(self, system, value, r=None, extra=''):
        text = f'{LABEL[system]} {value}'
        if r:
            text += f' {r}'
        if extra:
            text += f' {extra}'
        self.cells.append(text)


def render(rows):
    width = max(len(r.label) for r in rows)
    ncol = max(len(r.cells) for r in rows)
    colw = [0] * ncol
    for r in rows:
        for i, c in enumerate(r.cells):
            colw[i] = max(colw[i], len(c))
    out = []
    for r in rows:
        cells = [c.ljust(colw[i]) for i, c in enumerate(r.cells)]
        out.append((r.label.ljust(width) + '  ' + '  '.join(cells)).rstrip())
    return '\n'.join(out)


# The main table's columns: rcgc under each policy, the policy ratio, the
# anchors. Ratios of the anchors are against rcgc's default policy.
POLICY_RATIO = 'policy'
# rcgc-budget comes last, so that the columns before it stay where they were.
COLUMNS = ('rcgc', 'rcgc-cpython', POLICY_RATIO, 'cpython', 'php', 'boehm', BUDGET)
TITLE = {'rcgc': 'rcgc (default policy)', 'rcgc-cpython': 'rcgc (CPython policy)',
         POLICY_RATIO: 'default vs cpython policy', 'cpython': 'CPython',
         'php': 'PHP', 'boehm': 'Boehm', BUDGET: 'rcgc (default policy, pause budget)'}
ANCHORS = ('cpython', 'php', 'boehm')


class Grid:
    """A table with a title row: each row a label and one text per column."""

    def __init__(self, columns):
        self.columns = columns
        self.rows = []

    def row(self, label):
        cells = {}
        self.rows.append((label, cells))
        return cells

    def render(self, titles):
        cols = [c for c in self.columns
                if any(cells.get(c) for _, cells in self.rows)]
        lines = [('', {c: titles[c] for c in cols})] + self.rows
        width = max(len(label) for label, _ in lines)
        colw = {c: max(len(cells.get(c, '')) for _, cells in lines) for c in cols}
        out = []
        for label, cells in lines:
            text = label.ljust(width) + '  ' + '  '.join(
                cells.get(c, '').ljust(colw[c]) for c in cols)
            out.append(text.rstrip())
        return '\n'.join(out)


def fmt_policy_ratio(r):
    return fmt_ratio(r)[1:-1] if r else ''


def previous_doc(path):
    """The previous results (a results.json), or None."""
    if not path:
        return None
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and doc.get('workloads') else None


def against_previous(prev, doc):
    """Rows comparing rcgc's CPython policy of this run with the rcgc of the
    previous results.json run under the same policy: in ns, and normalised by
    CPython's own time in each run (the anchor absorbs a machine that is
    faster or slower that day). A results.json from before the policies
    (no 'rcgc-cpython' system) measured CPython's schedule as 'rcgc'."""
    old_sys = 'rcgc-cpython' if 'rcgc-cpython' in prev.get('systems', {}) else 'rcgc'
    rows, out = [], []

    def add(label, then, now, a_then, a_now, key):
        if not then or not now:
            return
        e = {'row': label, 'previous': then, 'now': now,
             'change_pct': round(100 * (now / then - 1), 1)}
        text = f'then {fmt_num(then)}, now {fmt_num(now)} ({100 * (now / then - 1):+.1f}%)'
        if a_then and a_now:
            # rcgc's time as a fraction of CPython's, then and now.
            n = (now / a_now) / (then / a_then) - 1
            e['change_pct_vs_cpython'] = round(100 * n, 1)
            text += f'; as a share of CPython\'s time {100 * n:+.1f}%'
        out.append(e)
        rows.append((label, text))

    old = {(w['workload'], w['nodes']): w for w in prev.get('workloads', [])}
    for w in doc['workloads']:
        p = old.get((w['workload'], w['nodes']))
        if not p or old_sys not in p or 'rcgc-cpython' not in w:
            continue
        add(f'{w["workload"]} {w["nodes"]} ns/node', p[old_sys]['ns_per_node'],
            w['rcgc-cpython']['ns_per_node'], (p.get('cpython') or {}).get('ns_per_node'),
            (w.get('cpython') or {}).get('ns_per_node'), 'ns_per_node')
    for part, key, sizes in (('churn', 'ns_per_ring', ('live', 'rings')),
                             ('grow', 'ns_per_node', ('live',))):
        p, c = prev.get(part, {}), doc[part]
        if old_sys not in p or 'rcgc-cpython' not in c:
            continue
        if any(p[old_sys].get(k) != c['rcgc-cpython'].get(k) for k in sizes):
            continue
        a_then = (p.get('cpython') or {}).get(key)
        a_now = (c.get('cpython') or {}).get(key)
        if any((p.get('cpython') or {}).get(k) != (c.get('cpython') or {}).get(k)
               for k in sizes):
            a_then = a_now = None
        add(f'{part} {key.replace("_per_", "/")}', p[old_sys][key],
            c['rcgc-cpython'][key], a_then, a_now, key)
    return rows, out


def table(args):
    d = args.out
    mode = (read(os.path.join(d, 'mode'), 'full') or 'full').strip()
    skipped = {}
    for line in (read(os.path.join(d, 'skipped.tsv'), '') or '').splitlines():
        if '\t' in line:
            k, v = line.split('\t', 1)
            skipped[k] = v
    runs, mem, status = {}, {}, {}
    for s in SYSTEMS:
        if s in skipped or read(os.path.join(d, s + '.txt')) is None:
            continue
        runs[s] = parse_run(read(os.path.join(d, s + '.txt')))
        for part in ('churn', 'grow'):  # separate runs (Boehm: see run.sh)
            extra = parse_run(read(os.path.join(d, f'{s}-{part}.txt')))
            if extra[part]:
                if runs[s][part]:
                    extra[part]['in_sequence'] = runs[s][part]
                runs[s][part] = dict(extra[part], separate_process=True)
                runs[s]['complete'] = runs[s]['complete'] or part == 'grow'
        # the shuffled workloads in a process of their own (the anchors)
        extra = parse_run(read(os.path.join(d, f'{s}-shuffled.txt')))
        runs[s]['workloads'].update({k: v for k, v in extra['workloads'].items()
                                     if k[0] in SHUFFLED})
        # the pause workloads in a process of their own (CPython: see run.sh)
        extra = parse_run(read(os.path.join(d, f'{s}-pauses.txt')))
        for part, _, _, _ in PAUSE_PARTS:
            if extra[part]:
                runs[s][part] = dict(extra[part], separate_process=True)
        mem[s] = parse_memory(read(os.path.join(d, s + '-memory.txt')))
        rc = read(os.path.join(d, s + '.rc'), '?').strip()
        status[s] = {'exit_status': int(rc) if rc.lstrip('-').isdigit() else None,
                     'seconds': number((read(os.path.join(d, s + '.time'), '') or '').strip() or '0'),
                     'version': runs[s]['version']}
        if s == BUDGET:
            runs[s]['incremental'] = parse_incremental(read(os.path.join(d, s + '.err')))
    systems = [s for s in SYSTEMS if s in runs]
    ours = runs.get('rcgc')
    if ours is None:
        print('bench: no rcgc results', file=sys.stderr)
        return 1
    cpy = runs.get('rcgc-cpython')
    if 'rcgc' in status:
        status['rcgc']['policy'] = 'default'
    if 'rcgc-cpython' in status:
        status['rcgc-cpython']['policy'] = 'cpython (RCGC_POLICY_CPYTHON)'
    bud = runs.get(BUDGET)
    bud_us = budget_us(bud['version']) if bud else None
    if bud:
        status[BUDGET]['policy'] = 'default'
        status[BUDGET]['pause_budget_us'] = bud_us

    notes = []
    for s in systems:
        rc = status[s]['exit_status']
        if rc == 0:
            continue
        err = (read(os.path.join(d, s + '.err'), '') or '').strip().splitlines()
        tail = err[-1] if err else ''
        if s == 'boehm' and runs[s]['churn'] and runs[s]['churn'].get('separate_process'):
            note = (f'boehm anchor exited with status {rc} (the churn crash, see below); '
                    'its rings/live-tree/mixed results are complete')
            status[s]['note'] = 'anchor crashed in churn; churn/grow measured separately'
        elif s == 'php' and runs[s]['complete']:
            note = (f'php exited with status {rc} after printing every result: '
                    'the known crash at exit (recursive destruction of the grow '
                    'chain overflows the C stack; anchors/README.md)')
            status[s]['note'] = 'expected crash at exit'
        else:
            note = f'{s} exited with status {rc}' + (f': {tail}' if tail else '')
            if s.startswith('rcgc'):
                bugs = [l for l in err if 'BUG' in l]
                if bugs:
                    note += ' -- ' + '; '.join(bugs[:5])
        notes.append(note)
    for s in systems:
        for run, what in (('pauses', 'pause'), ('shuffled', 'shuffled')):
            rc = (read(os.path.join(d, f'{s}-{run}.rc'), '') or '').strip()
            if rc and rc != '0':
                err = (read(os.path.join(d, f'{s}-{run}.err'), '') or '').strip().splitlines()
                notes.append(f'{s} {what} workloads exited with status {rc}'
                             + (f': {err[-1]}' if err else ''))
                status[s][f'{run}_exit_status'] = int(rc) if rc.lstrip('-').isdigit() else None
    for s, why in skipped.items():
        notes.append(f'{s} skipped: {why}')

    load_start = (read(os.path.join(d, 'loadavg.start'), '') or '').strip()
    load_end = ' '.join((read('/proc/loadavg', '') or '').split()[:3])
    try:
        busiest = max(float(x) for x in (load_start + ' ' + load_end).split())
    except ValueError:
        busiest = 0.0
    if busiest > 0.75 * (os.cpu_count() or 1):
        notes.insert(0, f'the machine was busy (load average {load_start} at the start, '
                        f'{load_end} at the end, {os.cpu_count()} cpus): other processes '
                        'competed for the cpus and caches, so every figure is noisy; '
                        'rerun on a quiet machine')
    doc = {
        'date': datetime.datetime.now().astimezone().isoformat(timespec='seconds'),
        'mode': mode,
        'machine': dict(machine_info(), loadavg_start=load_start, loadavg_end=load_end),
        'rcgc_revision': git_revision(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
        'systems': status,
        'skipped': skipped,
        'ratio': 'other / rcgc: > 1 means rcgc is faster (times) or smaller (bytes); '
                 'rcgc is the default policy, rcgc-cpython the CPython policy '
                 '(RCGC_POLICY_CPYTHON), so rcgc-cpython\'s ratios are the '
                 '"default vs cpython policy" column; the anchors\' '
                 'speedup_cpython_policy keys are other / rcgc-cpython; '
                 'bigtree and cyclechurn: "ratios" holds other / rcgc per figure '
                 '(times, pauses, backlog), an anchor\'s "ratios_cpython_policy" '
                 'other / rcgc-cpython',
        'workloads': [],
        'churn': {},
        'grow': {},
        'bigtree': {},
        'cyclechurn': {},
        'memory': {},
        'policies': {},
        'notes': notes,
    }

    grid = Grid(COLUMNS)
    comparison = []  # doc['policies']['rows']

    def policy_cells(cells, label, ours_v, cpy_v, digits, with_ratio=True):
        """Both rcgc columns and the ratio column of one row."""
        cells['rcgc'] = fmt_num(ours_v, digits)
        if cpy_v is None:
            return None
        cells['rcgc-cpython'] = fmt_num(cpy_v, digits)
        r = ratio(cpy_v, ours_v) if with_ratio else None
        cells[POLICY_RATIO] = fmt_policy_ratio(r)
        e = {'row': label, 'default': ours_v, 'cpython': cpy_v}
        if r:
            e['ratio'] = round(r, 3)
        comparison.append(e)
        return r

    # ---- rings / live-tree / mixed, each shuffled one after its ordered one
    def workload_row(key):
        """The row of one workload and size: its cells, and its JSON entry."""
        kind, nodes = key
        label = f'{kind} {nodes}'
        cells = grid.row(label)
        entry = {'workload': kind, 'nodes': nodes}
        base = ours['workloads'][key]['ns_per_node']
        c = cpy['workloads'].get(key) if cpy else None
        r = policy_cells(cells, label, base, c['ns_per_node'] if c else None, 1)
        entry['rcgc'] = dict(ours['workloads'][key])
        if c:
            entry['rcgc-cpython'] = dict(c, **({'speedup': round(r, 3)} if r else {}))
            if r:
                entry['default_vs_cpython_policy'] = round(r, 3)
        bw = bud['workloads'].get(key) if bud else None
        if bw:
            rb = ratio(bw['ns_per_node'], base)
            cells[BUDGET] = f'{fmt_num(bw["ns_per_node"])} {fmt_ratio(rb)}'.rstrip()
            entry[BUDGET] = dict(bw, **({'speedup': round(rb, 3)} if rb else {}))
        for s in ANCHORS:
            w = runs.get(s, {'workloads': {}})['workloads'].get(key)
            if w is None:
                continue
            r = ratio(w['ns_per_node'], base)
            cells[s] = f'{fmt_num(w["ns_per_node"])} {fmt_ratio(r)}'.rstrip()
            e = dict(w, **({'speedup': round(r, 3)} if r else {}))
            rc = ratio(w['ns_per_node'], c['ns_per_node']) if c else None
            if rc:
                e['speedup_cpython_policy'] = round(rc, 3)
            entry[s] = e
        return entry

    keys = sorted((k for k in ours['workloads'] if k[0] in KINDS),
                  key=lambda k: (k[1] if k[0] != 'mixed' else k[1] // 2, KINDS.index(k[0])))
    shuffled_entries = []
    for key in keys:
        doc['workloads'].append(workload_row(key))
        for skind in (k for k, o in SHUFFLED.items() if o == key[0]):
            skey = (skind, key[1])
            if skey not in ours['workloads']:
                continue
            entry = workload_row(skey)
            entry['ordered'] = key[0]
            # shuffled / ordered, per system: above 1 the shuffled heap is slower
            cells = grid.row(f'{skind} {key[1]} / ordered')
            for s in (x for x in COLUMNS if x != POLICY_RATIO):
                sw = runs.get(s, {'workloads': {}})['workloads'].get(skey)
                ow = runs.get(s, {'workloads': {}})['workloads'].get(key)
                rs = ratio(sw['ns_per_node'], ow['ns_per_node']) if sw and ow else None
                if rs:
                    cells[s] = fmt_policy_ratio(rs)
                    entry[s]['shuffled_vs_ordered'] = round(rs, 3)
            shuffled_entries.append(entry)
    if shuffled_entries:
        doc['shuffled'] = {
            'what': 'live-tree-shuffled and mixed-shuffled: the graphs of live-tree and mixed '
                    'with the nodes allocated in a random order with respect to them (a '
                    'Fisher-Yates shuffle, splitmix64 seed 1, the same in every program), '
                    'one full collection timed as for the ordered ones; rcgc-budget does '
                    'not run them, PHP has none',
            'ratio': 'each system\'s speedup (and speedup_cpython_policy, '
                     'default_vs_cpython_policy) as in "workloads", on the shuffled heap; '
                     'shuffled_vs_ordered = that system\'s ns per node shuffled / ordered '
                     '(> 1: the shuffled heap is slower to collect)',
            'workloads': shuffled_entries,
        }
        notes.append('live-tree-shuffled, mixed-shuffled: the graphs of live-tree and mixed, '
                     'their nodes allocated in a random order; each "/ ordered" row is '
                     'shuffled / ordered per system (above 1: slower on the shuffled heap); '
                     'the shuffled rows\' (Nx) are against rcgc (default policy) on the '
                     'shuffled heap; rcgc-budget does not run them, PHP has none')

    # ---- churn and grow: time per unit, collections (full), longest pause
    for part, unit_key, unit, digits in (('churn', 'ns_per_ring', 'ns/ring', 0),
                                         ('grow', 'ns_per_node', 'ns/node', 1)):
        c0 = ours[part]
        if not c0:
            continue
        c1 = cpy[part] if cpy else None
        if c1 and any(c1.get(k) != c0.get(k) for k in ('live', 'rings')):
            notes.append(f'rcgc {part}: the two policies ran different sizes')
        r_ns = grid.row(f'{part} {unit}')
        r_col = grid.row(f'{part} collections')
        r_pause = grid.row(f'{part} max pause ms')
        r = policy_cells(r_ns, f'{part} {unit}', c0[unit_key], c1[unit_key] if c1 else None,
                         digits)
        policy_cells(r_col, f'{part} collections', c0.get('collections'),
                     c1.get('collections') if c1 else None, 1, with_ratio=False)
        if c1:
            comparison.append({'row': f'{part} full collections', 'default': c0.get('full'),
                               'cpython': c1.get('full')})
        policy_cells(r_pause, f'{part} max pause ms', c0.get('max_pause_ms'),
                     c1.get('max_pause_ms') if c1 else None, 2)
        r_col['rcgc'] += f' (full {c0["full"]})'
        if c1:
            r_col['rcgc-cpython'] += f' (full {c1["full"]})'
        cb = bud[part] if bud else None
        if cb:
            sizes = ('live', 'rings') if part == 'churn' else ('live',)
            if any(cb.get(k) != c0.get(k) for k in sizes):
                notes.append(f'rcgc {part}: rcgc-budget ran other sizes than rcgc')
            inc = bud['incremental'].get(part)
            e = dict(cb)
            rn = ratio(cb[unit_key], c0[unit_key])
            rp = ratio(cb.get('max_pause_ms'), c0.get('max_pause_ms'))
            r_ns[BUDGET] = f'{fmt_num(cb[unit_key], digits)} {fmt_ratio(rn)}'.rstrip()
            r_col[BUDGET] = (fmt_num(cb.get('collections'))
                             + f' (full {cb.get("full")}{slices_text(inc)})')
            r_pause[BUDGET] = f'{fmt_num(cb.get("max_pause_ms"), 2)} {fmt_ratio(rp)}'.rstrip()
            if rn:
                e[f'speedup_{unit_key}'] = round(rn, 3)
            if rp:
                e['speedup_max_pause'] = round(rp, 3)
            if inc:
                e['incremental'] = inc
            doc[part][BUDGET] = e
        doc[part]['rcgc'] = dict(c0)
        if c1:
            e = dict(c1)
            if r:
                e[f'speedup_{unit_key}'] = round(r, 3)
            rp = ratio(c1.get('max_pause_ms'), c0.get('max_pause_ms'))
            if rp:
                e['speedup_max_pause'] = round(rp, 3)
            doc[part]['rcgc-cpython'] = e
        for s in ANCHORS:
            c = runs.get(s, {}).get(part)
            if not c:
                continue
            e = dict(c)
            if part == 'churn':
                same = (c.get('live'), c.get('rings')) == (c0.get('live'), c0.get('rings'))
                size_note = '' if same else f' [live={c.get("live")} rings={c.get("rings")}]'
            else:
                size_note = '' if c.get('live') == c0.get('live') else f' [live={c.get("live")}]'
            rn = ratio(c[unit_key], c0[unit_key])
            r_ns[s] = f'{fmt_num(c[unit_key], digits)} {fmt_ratio(rn)}'.rstrip() + size_note
            r_col[s] = fmt_num(c.get('collections')) + (f' (full {c["full"]})' if 'full' in c else '')
            if 'max_pause_ms' in c:
                rp = ratio(c['max_pause_ms'], c0.get('max_pause_ms'))
                r_pause[s] = (f'{fmt_num(c["max_pause_ms"], 2)} {fmt_ratio(rp)}'.rstrip()
                              + (' *' if s == 'php' and part == 'grow' else ''))
                if rp:
                    e['speedup_max_pause'] = round(rp, 3)
            else:
                r_pause[s] = 'n/a'
            if rn:
                e[f'speedup_{unit_key}'] = round(rn, 3)
            if c1:
                rc = ratio(c[unit_key], c1[unit_key])
                if rc:
                    e['speedup_cpython_policy'] = round(rc, 3)
            doc[part][s] = e

    # ---- the pause workloads: time per unit, collections (full), pauses
    # (longest, p50, p99), the garbage backlog's high-water mark
    for part, unit_key, unit, sizes in PAUSE_PARTS:
        c0 = ours[part]
        if not c0:
            continue
        c1 = cpy[part] if cpy else None
        if c1 and any(c1.get(k) != c0.get(k) for k in sizes):
            notes.append(f'rcgc {part}: the two policies ran different sizes')
        entry = {'rcgc': dict(c0)}
        e1 = dict(c1, ratios={}) if c1 else None
        cb = bud[part] if bud else None
        eb = dict(cb, ratios={}) if cb else None
        if cb and any(cb.get(k) != c0.get(k) for k in sizes):
            notes.append(f'rcgc {part}: rcgc-budget ran other sizes than rcgc')
        inc = bud['incremental'].get(part) if bud else None
        anchors = {s: runs.get(s, {}).get(part) for s in ANCHORS}
        anchors = {s: dict(c, ratios={}, ratios_cpython_policy={})
                   for s, c in anchors.items() if c}
        for key, label, digits, div in ((unit_key, unit, 0, 1),) + PAUSE_ROWS:
            def val(c):
                v = (c or {}).get(key)
                return v / div if v is not None and div != 1 else v
            counted = key == 'collections'
            cells = grid.row(f'{part} {label}')
            r = policy_cells(cells, f'{part} {label}', val(c0), val(c1), digits,
                             with_ratio=not counted)
            if counted:
                comparison.append({'row': f'{part} full collections',
                                   'default': c0.get('full'),
                                   'cpython': (c1 or {}).get('full')})
                cells['rcgc'] += f' (full {c0.get("full")})'
                if c1:
                    cells['rcgc-cpython'] += f' (full {c1.get("full")})'
            if r and e1 is not None:
                e1['ratios'][key] = sig(r)
            if eb is not None:
                v = val(eb)
                if counted:
                    cells[BUDGET] = fmt_num(v) + f' (full {eb.get("full")}{slices_text(inc)})'
                else:
                    rb = ratio(v, val(c0))
                    cells[BUDGET] = f'{fmt_num(v, digits)} {fmt_ratio(rb)}'.rstrip()
                    if rb:
                        eb['ratios'][key] = sig(rb)
            for s, e in anchors.items():
                v = val(e)
                if counted:
                    cells[s] = fmt_num(v) + (f' (full {e["full"]})' if 'full' in e else '')
                    continue
                ra = ratio(v, val(c0))
                cells[s] = f'{fmt_num(v, digits)} {fmt_ratio(ra)}'.rstrip()
                if key == unit_key and any(e.get(k) != c0.get(k) for k in sizes):
                    cells[s] += ' [' + ' '.join(f'{k}={e.get(k)}' for k in sizes) + ']'
                if ra:
                    e['ratios'][key] = sig(ra)
                rc = ratio(v, val(c1)) if c1 else None
                if rc:
                    e['ratios_cpython_policy'][key] = sig(rc)
        if e1 is not None:
            entry['rcgc-cpython'] = e1
        entry.update(anchors)
        if eb is not None:
            if inc:
                eb['incremental'] = inc
            entry[BUDGET] = eb
        doc[part] = entry

    # ---- memory (the default policy's process)
    m0 = mem.get('rcgc')
    if m0:
        r_rss, r_nat = grid.row('bytes/node RSS'), grid.row('bytes/node own count')
        for s in systems:
            m = mem.get(s)
            if not m:
                continue
            e = dict(m)
            rr = None if s == 'rcgc' else ratio(m['rss_bytes_per_node'], m0['rss_bytes_per_node'])
            rn = None if s == 'rcgc' else ratio(m['native_bytes_per_node'], m0['native_bytes_per_node'])
            r_rss[s] = f'{fmt_num(m["rss_bytes_per_node"])} {fmt_ratio(rr)}'.rstrip()
            r_nat[s] = (f'{fmt_num(m["native_bytes_per_node"])} {fmt_ratio(rn)}'.rstrip()
                        + f' [{m.get("native")}]')
            if rr:
                e['ratio_rss'] = round(rr, 3)
            if rn:
                e['ratio_native'] = round(rn, 3)
            doc['memory'][s] = e
        if any(doc['memory'].get(s, {}).get('nodes') != m0.get('nodes') for s in doc['memory']):
            notes.append('bytes per node measured on trees of different sizes')

    doc['policies'] = {
        'default': 'rcgc: the library\'s default policy (rcgc_bench --policy default)',
        'cpython': 'rcgc-cpython: RCGC_POLICY_CPYTHON, CPython 3.11\'s schedule '
                   '(rcgc_bench --policy cpython)',
        'ratio': 'cpython / default: > 1 means the default policy is faster '
                 '(times) or pauses shorter; counts have none',
        'rows': comparison,
    }
    if bud:
        doc['budget'] = {
            'system': BUDGET,
            'pause_budget_us': bud_us,
            'what': f'{BUDGET}: the default policy with a pause budget '
                    f'(rcgc_bench --policy default --budget {bud_us}, '
                    'rcgc_set_pause_budget): automatic collections run incrementally, '
                    'each slice (RCGC_PHASE_SLICE) is a pause; "incremental" holds '
                    'rcgc_get_incremental_stats at the end of each workload',
            'ratio': f'{BUDGET} / rcgc (default policy, stop-the-world): < 1 means '
                     'the budget\'s time is shorter, its pauses shorter or its backlog '
                     'smaller; its keys are named as the other systems\' '
                     '(speedup, speedup_max_pause, ratios)',
        }
        notes.append(f'{BUDGET}: rcgc_bench --policy default --budget {bud_us} (a pause '
                     f'budget of {bud_us} us): collections run incrementally, each slice '
                     'is a pause (collections: "(full N, S slices)"); its (Nx) = '
                     f'{BUDGET} / rcgc (default policy): below 1 its figure is smaller '
                     '(faster, shorter pause, smaller backlog) than stop-the-world\'s')
    prev = previous_doc(getattr(args, 'previous', None))
    prev_rows = []
    # Only a run of the same mode: quick runs other programs in another order.
    if prev and cpy and prev.get('mode', 'full') == mode:
        prev_rows, prev_out = against_previous(prev, doc)
        if prev_out:
            doc['policies']['against_previous'] = {
                'date': prev.get('date'), 'rcgc_revision': prev.get('rcgc_revision'),
                'previous_system': 'rcgc-cpython' if 'rcgc-cpython' in prev.get('systems', {})
                                   else 'rcgc (before the policies: CPython\'s schedule)',
                'rows': prev_out}

    b = runs.get('boehm')
    if b and b['churn'] and b['churn'].get('separate_process'):
        seq = b['churn'].get('in_sequence')
        gseq = (b['grow'] or {}).get('in_sequence')
        notes.append('boehm churn and grow: each run again in a fresh process (bench/anchor_boehm.c), '
                     'as rcgc runs them in a fresh heap. Boehm collects when its heap is full: '
                     'in the anchor\'s own run they come after the 4M workloads, in a heap so '
                     'large that they hardly collect' +
                     (f' (anchor, in sequence: churn {seq.get("ns_per_ring")} ns/ring with '
                      f'{seq.get("collections")} collection(s)' if seq else '') +
                     (f', grow {gseq.get("collections")} collections)' if seq and gseq
                      else (')' if seq else '')))
    if b and b['churn'] and b['churn'].get('tree'):
        notes.append('boehm churn: the held tree is built with collection disabled, as the '
                     'anchor\'s bench() does. The anchor\'s churn builds it with collection on '
                     'while tree() holds its nodes only in an unscanned array: a use after free '
                     'that crashes it (SIGSEGV) whenever a collection runs during the build, '
                     'e.g. `boehm_bench 1000`')
    g0 = ours['grow']
    if 'php' in runs and runs['php']['grow'] and g0 and runs['php']['grow'].get('live') != g0.get('live'):
        notes.append('php grow max pause (*): measured by its script around the ring that '
                     'triggered a collection run (PHP has no collection callbacks)')
        notes.append('php grow runs to 1,000,000 nodes (its own script: quadratic on PHP, '
                     '465 s for 4,000,000); its ratio is against our 4,000,000')

    def version(s):
        v = runs[s]['version'] or '?'
        return v if s.startswith('rcgc') else f'{NAME[s]}{v}'
    m = doc['machine']
    print(f'rcgc bench ({mode}), {doc["date"]}, {m["arch"]}, {m["cpu"]}, '
          f'{m["nproc"]} cpus, load {load_start or "?"} -> {load_end or "?"}')
    print(f'systems: {", ".join(version(s) for s in systems)}')
    print('ns per node (lower is better); (Nx) = other / rcgc (default policy): how many '
          'times faster (or, for bytes, smaller) rcgc is; "default vs cpython policy" = '
          'rcgc (CPython policy) / rcgc (default policy): > 1 means the default policy '
          'is faster')
    print()
    titles = dict(TITLE)
    if bud_us:
        titles[BUDGET] = f'rcgc (default policy, {bud_us} us budget)'
    if 'policy=' not in (ours['version'] or ''):
        titles['rcgc'] = 'rcgc (library default)'  # an rcgc_bench from before --policy
    print(grid.render(titles))
    if prev_rows:
        a = doc['policies']['against_previous']
        print()
        print(f'rcgc (CPython policy) against the previous results.json ({a["date"]}, '
              f'revision {a["rcgc_revision"]}, {a["previous_system"]}):')
        w = max(len(l) for l, _ in prev_rows)
        for label, text in prev_rows:
            print(f'{label.ljust(w)}  {text}')
    if notes:
        print()
        for n in notes:
            print(f'note: {n}')
    # The classic benchmarks' part (report.py classic) is kept: it has its
    # own date and revision, and a run that skips them must not lose them.
    try:
        with open(args.json) as f:
            old = json.load(f)
        if isinstance(old, dict) and 'classic' in old:
            doc['classic'] = old['classic']
    except (OSError, ValueError):
        pass
    with open(args.json, 'w') as f:
        json.dump(doc, f, indent=2)
        f.write('\n')
    print(f'\nbench: wrote {os.path.relpath(args.json)}', file=sys.stderr)
    return 0


def instructions(args):
    d, n = args.out, args.nodes
    policies = [p for p in ('default', 'cpython')
                if os.path.exists(os.path.join(d, f'instr.{p}.rings.collect.err'))]
    if not policies:
        print(f'bench: no callgrind output in {d}', file=sys.stderr)
        return 1
    base = None
    try:
        with open(args.baseline) as f:
            base = json.load(f) if args.baseline else None
    except (OSError, ValueError, TypeError):
        base = None
    if not isinstance(base, dict) or not base.get('workloads'):
        base = None
    # A baseline from before the policies measured CPython's schedule (the
    # only one then): both policies are compared with it.
    base_has_policies = bool(base and base.get('policies'))
    base_by_kind = {w.get('workload'): w for w in (base or {}).get('workloads', [])}

    def base_figures(kind, policy):
        w = base_by_kind.get(kind)
        if w is None:
            return None
        if policy == 'cpython' and base_has_policies:
            return w.get('cpython_policy')
        if policy == 'default' or not base_has_policies:
            return w
        return None

    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    doc = {
        'date': datetime.datetime.now().astimezone().isoformat(timespec='seconds'),
        'machine': machine_info(),
        'rcgc_revision': git_revision(repo),
        'tool': 'valgrind --tool=callgrind --toggle-collect=bench_collect* '
                '(resp. bench_build*): instructions executed inside that '
                'function and its callees',
        'policies': {
            'default': 'the top-level figures of each workload: rcgc_bench --policy default '
                       '(the library\'s default policy)',
            'cpython': 'each workload\'s "cpython_policy": rcgc_bench --policy cpython '
                       '(RCGC_POLICY_CPYTHON)'},
        'workloads': []}
    if base:
        doc['baseline'] = {
            'source': 'bench/instructions.json as committed before this run',
            'committed_in': args.baseline_commit,
            'date': base.get('date'), 'rcgc_revision': base.get('rcgc_revision'),
            'policies': 'default and cpython_policy' if base_has_policies else
                        'none (before the policies: CPython\'s schedule, compared with both)',
            'change_pct': '100 * (now / baseline - 1) of the instructions per node'}
    print(f'instructions per node (callgrind Ir), {n}-node workloads, '
          f'policies: {", ".join(policies)}')
    # free: dropping the held tree after the collection (bench_free), measured
    # for live-tree and mixed (rings hold nothing) by an rcgc_bench that has it.
    has_free = any(os.path.exists(os.path.join(d, f'instr.{p}.{k}.free.err'))
                   for p in policies for k in KINDS)
    print('collect = the timed rcgc_collect(heap, 2) alone; build = making the '
          'objects (allocation, rcgc_set, decref)'
          + ('; free = dropping the held tree, freed by reference counting (per node '
             f'of the tree: {n})' if has_free else ''))
    if has_free:
        doc['free'] = {
            'what': 'free_ir: instructions inside bench_free (valgrind --tool=callgrind '
                    '--toggle-collect=bench_free*): the rcgc_decref of the held root after '
                    'the collection, which frees the tree by reference counting; '
                    'live-tree and mixed only (rings hold nothing: their garbage is '
                    'freed by the collection, in collect_ir)',
            'per_node': f'free_ir_per_node = free_ir / {n}, the nodes of the tree '
                        '(mixed too: its rings are gone by then)'}
    if base:
        rev = (f'revision {base["rcgc_revision"]}' if base.get('rcgc_revision') else
               f'committed in {doc["baseline"]["committed_in"] or "?"}')
        print(f'(+x%) = change against the committed bench/instructions.json '
              f'({base.get("date")}, {rev}'
              + ('' if base_has_policies else
                 ', before the policies: CPython\'s schedule, compared with both') + ')')
    print()
    rows = []
    for kind in KINDS:
        nodes = 2 * n if kind == 'mixed' else n
        entry = {'workload': kind, 'nodes': nodes}
        for policy in policies:
            fig = {}
            row = Row(f'{kind} {nodes} {policy}')
            b = base_figures(kind, policy)
            # the workload's size (its cpython_policy figures have none of their own)
            same_size = b is not None and base_by_kind[kind].get('nodes', nodes) == nodes
            change, was = {}, {}
            for part in ('collect', 'build', 'free'):
                path = os.path.join(d, f'instr.{policy}.{kind}.{part}.err')
                if part == 'free' and not os.path.exists(path):
                    continue
                # free: per node of the tree (n), the only nodes it frees
                per = n if part == 'free' else nodes
                text = read(path, '')
                m = re.search(r'Collected\s*:\s*(\d+)', text)
                ir = int(m.group(1)) if m else None
                fig[f'{part}_ir'] = ir
                fig[f'{part}_ir_per_node'] = round(ir / per, 1) if ir else None
                cell = (f'{part} {fmt_num(ir / per if ir else None)} Ir/node '
                        f'({ir if ir is not None else "?"} Ir)')
                old = (b or {}).get(f'{part}_ir')
                if ir and old and same_size:
                    ch = 100 * (ir / old - 1)
                    change[part] = round(ch, 2)
                    was[part] = round(old / per, 1)
                    cell += f' {ch:+.1f}% (was {old / per:.1f})'
                row.cells.append(cell)
            if change:
                fig['baseline_ir_per_node'] = was
                fig['change_pct'] = change
            rows.append(row)
            if policy == 'default':
                entry.update(fig)
            else:
                entry['cpython_policy'] = fig
        if 'default' in policies and 'cpython' in policies:
            dc, cc = entry.get('collect_ir'), entry['cpython_policy'].get('collect_ir')
            if dc and cc:
                entry['collect_cpython_vs_default_pct'] = round(100 * (cc / dc - 1), 2) + 0.0
        doc['workloads'].append(entry)
    print(render(rows))
    with open(args.json, 'w') as f:
        json.dump(doc, f, indent=2)
        f.write('\n')
    print(f'\nbench: wrote {os.path.relpath(args.json)}', file=sys.stderr)
    return 0


# ------------------------------------------------------ classic benchmarks

# classic_rcgc --policy off: automatic collection off (rcgc_disable), the
# acyclic variant only; set beside malloc, mimalloc and boehm.
OFF = 'rcgc-off'
OFF_AGAINST = ('malloc', 'mimalloc', 'boehm')
# classic_rcgc --budget US --strict: the pause budget in a heap with
# RCGC_CONFIG_STRICT_STORES (garbage freed in slices too).
STRICT = 'rcgc-strict'
# rcgc-budget, then rcgc-off, then rcgc-strict come last, so that the cells
# before them stay where they were.
CLASSIC_SYSTEMS = ('rcgc-default', 'rcgc-cpython', 'boehm', 'malloc',
                   'mimalloc', 'cpython', BUDGET, OFF, STRICT)
CLASSIC_RCGC = ('rcgc-default', 'rcgc-cpython', BUDGET, STRICT)
# the systems that run with a pause budget (their stderr has the
# incremental statistics; each only when it ran)
CLASSIC_BUDGETED = (BUDGET, STRICT)
LABEL.update({'rcgc-default': 'rcgc', 'rcgc-cpython': 'rcgc-cpy',
              'malloc': 'malloc', 'mimalloc': 'mimalloc', BUDGET: 'rcgc-budget',
              OFF: 'rcgc-off', STRICT: 'rcgc-strict'})
CLASSIC_WORKLOADS = ('gcbench', 'binary-trees')


def parse_classic(text):
    """A classic_* program's output: the version line, the check lines, the
    result line (key=value)."""
    out = {'version': None, 'checks': [], 'result': None}
    for line in (text or '').splitlines():
        if line.startswith('version '):
            out['version'] = line[len('version '):].strip()
        elif line.startswith('result '):
            out['result'] = parse_kv(line)
        elif line.strip():
            out['checks'].append(line.rstrip())
    return out


def classic(args):
    d = args.out
    mode = (read(os.path.join(d, 'mode'), 'full') or 'full').strip()
    # not_run: CPython's runs left out (workload and depth, variant); off_not_run:
    # rcgc-off's (a fourth field names the system; CPython's lines have none).
    skipped, not_run, off_not_run = {}, {}, {}
    for line in (read(os.path.join(d, 'skipped.tsv'), '') or '').splitlines():
        if '\t' in line:
            k, v = line.split('\t', 1)
            skipped[k] = v
    for line in (read(os.path.join(d, 'not-run.tsv'), '') or '').splitlines():
        parts = line.split('\t')
        if len(parts) == 3 or (len(parts) == 4 and parts[3] == 'cpython'):
            not_run[(parts[0], parts[1])] = parts[2]
        elif len(parts) == 4 and parts[3] == OFF:
            off_not_run[(parts[0], parts[1])] = parts[2]

    # SYSTEM.WORKLOAD.DEPTH.VARIANT.txt
    runs, versions, keys = {}, {}, set()
    for f in sorted(os.listdir(d)):
        m = re.fullmatch(r'([a-z-]+)\.([a-z-]+)\.(\d+)\.(acyclic|cyclic)\.txt', f)
        if not m or m.group(2) not in CLASSIC_WORKLOADS:
            continue
        s, w, depth, v = m.group(1), m.group(2), int(m.group(3)), m.group(4)
        base = os.path.join(d, f[:-4])
        r = parse_classic(read(base + '.txt'))
        rc = (read(base + '.rc', '?') or '?').strip()
        r['exit_status'] = int(rc) if rc.lstrip('-').isdigit() else None
        r['wall_seconds'] = number((read(base + '.time', '') or '').strip() or '0')
        r['stderr'] = (read(base + '.err', '') or '').strip().splitlines()
        r['ok'] = r['exit_status'] == 0 and r['result'] is not None
        if s in CLASSIC_BUDGETED:
            r['incremental'] = parse_incremental('\n'.join(r['stderr'])).get(None)
        runs[(s, w, depth, v)] = r
        keys.add((w, depth, v))
        if r['version'] and s not in versions:
            versions[s] = r['version']
    if not keys:
        print('bench: no classic benchmark results', file=sys.stderr)
        return 1
    # rcgc-budget only when it ran (an output directory from before it has
    # none, and its tables stay as they were).
    # rcgc-off likewise, when it ran or was recorded as not run.
    systems = [s for s in CLASSIC_SYSTEMS if s not in skipped
               and (s not in CLASSIC_BUDGETED or any(k[0] == s for k in runs))
               and (s != OFF or off_not_run or any(k[0] == OFF for k in runs))]
    keys = sorted(keys, key=lambda k: (CLASSIC_WORKLOADS.index(k[0]), k[1],
                                       k[2] != 'acyclic'))

    failed, notes = False, []
    # A failed rcgc run fails the benchmark; other systems are reported.
    for (s, w, depth, v), r in sorted(runs.items()):
        if r['ok']:
            continue
        bugs = [l for l in r['stderr'] if 'BUG' in l]
        tail = r['stderr'][-1] if r['stderr'] else ''
        notes.append(f'{s} {w} {depth} {v}: exited with status {r["exit_status"]}'
                     + (': ' + '; '.join(bugs[:5]) if bugs else (f': {tail}' if tail else '')))
        if s.startswith('rcgc'):
            failed = True
    for s in CLASSIC_RCGC + (OFF,):
        for (rs, w, depth, v), r in runs.items():
            if rs == s and r['ok'] and r['result'].get('alive', 0) != 0:
                notes.append(f'{s} {w} {depth} {v}: {r["result"]["alive"]} objects alive '
                             'after the final collection')
                failed = True
    # The check lines (and node counts) of one workload and depth must be
    # the same on every system and in both variants.
    checks_equal = {}
    for w, depth in sorted({(k[0], k[1]) for k in keys}):
        ref, ref_name, same = None, None, True
        for s in systems:
            for v in ('acyclic', 'cyclic'):
                r = runs.get((s, w, depth, v))
                if not r or not r['ok']:
                    continue
                got = (r['checks'], r['result'].get('nodes'))
                if ref is None:
                    ref, ref_name = got, f'{s} {v}'
                elif got != ref:
                    same = False
                    diff = [f'{a!r} != {b!r}' for a, b in zip(got[0], ref[0]) if a != b]
                    if len(got[0]) != len(ref[0]):
                        diff.append(f'{len(got[0])} check lines != {len(ref[0])}')
                    if got[1] != ref[1]:
                        diff.append(f'nodes {got[1]} != {ref[1]}')
                    notes.append(f'MISMATCH {w} {depth}: {s} {v} differs from {ref_name}: '
                                 + '; '.join(diff[:3]))
                    failed = True
        checks_equal[(w, depth)] = same

    def res(s, k):
        r = runs.get((s,) + k)
        return r['result'] if r and r['ok'] else None

    def missing(s, k):
        if (f'{k[0]} {k[1]}', k[2]) in not_run and s == 'cpython':
            return 'n/a*'
        if (f'{k[0]} {k[1]}', k[2]) in off_not_run and s == OFF:
            return 'n/a**'
        return 'n/a'

    rows, entries = [], []
    for k in keys:
        w, depth, v = k
        label = f'{w}{"-cyclic" if v == "cyclic" else ""} {depth}'
        base = res('rcgc-default', k)
        r_t, r_m, r_c, r_p = (Row(f'{label} s'), Row(f'{label} peak RSS MB'),
                              Row(f'{label} collections'), Row(f'{label} max pause ms'))
        entry = {'workload': w, 'depth': depth, 'variant': v,
                 'checks_equal': checks_equal[(w, depth)],
                 'checks': runs.get(('rcgc-default',) + k, {}).get('checks'),
                 'systems': {}}
        for s in systems:
            x = res(s, k)
            if x is None:
                for row in (r_t, r_m, r_c, r_p):
                    row.add(s, missing(s, k))
                continue
            e = dict(x)
            e['wall_seconds'] = runs[(s,) + k]['wall_seconds']
            own = s == 'rcgc-default' or base is None
            rt = None if own else ratio(x['seconds'], base['seconds'])
            rm = None if own else ratio(x['maxrss_kb'], base['maxrss_kb'])
            r_t.add(s, fmt_num(x['seconds'], 3), fmt_ratio(rt))
            r_m.add(s, fmt_num(x['maxrss_kb'] / 1024), fmt_ratio(rm))
            inc = runs[(s,) + k].get('incremental')
            if 'collections' in x:
                r_c.add(s, str(x['collections']),
                        extra=f'(full {x["full"]}{slices_text(inc)})' if 'full' in x else '')
                rp = None if own else ratio(x['max_pause_ms'], base.get('max_pause_ms'))
                r_p.add(s, fmt_num(x['max_pause_ms'], 2), fmt_ratio(rp))
                if x['seconds'] > 0:
                    e['gc_fraction'] = round(x['gc_seconds'] / x['seconds'], 4)
                if rp:
                    e['ratio_max_pause'] = round(rp, 3)
            else:
                r_c.add(s, 'n/a')
                r_p.add(s, 'n/a')
            if rt:
                e['speedup'] = round(rt, 3)
            if rm:
                e['ratio_maxrss'] = round(rm, 3)
            if inc:
                e['incremental'] = inc
            if s == OFF:  # other / rcgc-off: > 1 means rcgc-off is faster
                for o in OFF_AGAINST:
                    xo = res(o, k)
                    ro = ratio(xo['seconds'], x['seconds']) if xo else None
                    if ro:
                        e[f'speedup_{o}'] = round(ro, 3)
            entry['systems'][s] = e
        rows += [r_t, r_m, r_c, r_p]
        entries.append(entry)

    # rcgc, per workload: time in collection, collections, pauses, cycles.
    gc_rows = []
    for k in keys:
        w, depth, v = k
        for s in CLASSIC_RCGC:
            if s in CLASSIC_BUDGETED and s not in systems:
                continue
            x = res(s, k)
            label = f'{w}{"-cyclic" if v == "cyclic" else ""} {depth}'
            row = Row(f'{label} ' + {'rcgc-default': 'default', 'rcgc-cpython': 'cpython',
                                     BUDGET: 'budget', STRICT: 'strict'}[s])
            if x is None:
                row.cells.append('n/a')
                gc_rows.append(row)
                continue
            frac = x['gc_seconds'] / x['seconds'] if x['seconds'] > 0 else 0
            row.cells.append(f'{100 * frac:.1f}% in collection '
                             f'({x["gc_seconds"]:.3f} of {x["seconds"]:.3f} s)')
            row.cells.append(f'{x["collections"]} collections ({x["full"]} full)')
            row.cells.append(f'longest pause {x["max_pause_ms"]:.2f} ms')
            if v == 'cyclic':
                row.cells.append(f'cycles reclaimed: {x["collected"]} of {x["nodes"]} nodes '
                                 f'freed by collection, {x["alive"]} alive')
            else:
                row.cells.append(f'no cycles: {x["collected"]} freed by collection, '
                                 f'{x["alive"]} alive')
            inc = runs[(s,) + k].get('incremental')
            if inc:
                row.cells.append(f'{inc.get("slices")} slices ({inc.get("total_ms")} ms in all, '
                                 f'{inc.get("table_grows")} table grows, '
                                 f'{inc.get("peak_extra_bytes")} extra bytes at the peak)')
            gc_rows.append(row)

    # rcgc-off, per acyclic workload: its seconds beside malloc, mimalloc and
    # boehm, each with the ratio other / rcgc-off.
    off_rows = []
    for k in keys:
        w, depth, v = k
        if OFF not in systems or v != 'acyclic':
            continue
        x = res(OFF, k)
        row = Row(f'{w} {depth} off')
        off_rows.append(row)
        if x is None:
            row.cells.append(f'{LABEL[OFF]} n/a')
            continue
        row.add(OFF, f'{fmt_num(x["seconds"], 3)} s')
        for o in OFF_AGAINST:
            if o not in systems:
                continue
            xo = res(o, k)
            if xo is None:
                row.add(o, 'n/a')
            else:
                row.add(o, fmt_num(xo['seconds'], 3),
                        fmt_ratio(ratio(xo['seconds'], x['seconds'])))

    for s in skipped:
        notes.append(f'{s} skipped: {skipped[s]}')
    if not_run:
        notes.append('n/a*: ' + sorted(set(not_run.values()))[0])
    if OFF in systems:
        notes.append(f'{OFF}: classic_rcgc --policy off: automatic collection off '
                     '(rcgc_disable), every tree freed by reference counting alone; its (Nx) '
                     f'in the rows above = {OFF} / rcgc (default policy), in its own lines '
                     f'other / {OFF}')
    if off_not_run:
        notes.append(f'n/a**: {OFF}: ' + sorted(set(off_not_run.values()))[0])
    pol = versions.get('rcgc-cpython', '')
    if 'no rcgc_set_policy' in pol:
        notes.append('this rcgc has no policy interface (rcgc_set_policy): both rcgc '
                     'columns ran the library\'s default policy')
    if 'boehm' in versions:
        notes.append('boehm: pauses are timed from GC_EVENT_START to GC_EVENT_END; its '
                     'sweeping is lazy (done during later allocations), so it is in the '
                     'time, not in the pauses')
    notes.append('malloc and mimalloc free every tree by a recursive walk when it is '
                 'dropped (the cyclic variant does not follow the parent pointer): '
                 'no collector, no collections')
    notes.append('peak RSS: the process\'s ru_maxrss (CPython\'s includes the interpreter)')
    if BUDGET in systems:
        us = budget_us(versions.get(BUDGET))
        notes.append(f'{BUDGET}: classic_rcgc --policy default --budget {us} (a pause budget '
                     f'of {us} us): collections run incrementally, each slice is a pause '
                     '(collections: "(full N, S slices)"; the time in collection is the sum '
                     f'of the slices); its (Nx) = {BUDGET} / rcgc (default policy): below 1 '
                     'it is faster or its longest pause shorter')
    if STRICT in systems:
        us = budget_us(versions.get(STRICT))
        notes.append(f'{STRICT}: classic_rcgc --policy default --budget {us} --strict: the '
                     'same budget in a heap with RCGC_CONFIG_STRICT_STORES (the program '
                     'keeps its promise), whose incremental collections free their garbage '
                     'in slices too; its (Nx) are against rcgc (default policy) as well')

    load_end = ' '.join((read('/proc/loadavg', '') or '').split()[:3])
    load_start = (read(os.path.join(d, 'loadavg.start'), '') or '').strip()
    try:
        busiest = max(float(x) for x in (load_start + ' ' + load_end).split())
    except ValueError:
        busiest = 0.0
    if busiest > 0.75 * (os.cpu_count() or 1):
        notes.insert(0, f'the machine was busy (load average {load_start} at the start, '
                        f'{load_end} at the end, {os.cpu_count()} cpus): every figure is '
                        'noisy; rerun on a quiet machine')

    date = datetime.datetime.now().astimezone().isoformat(timespec='seconds')
    m = machine_info()
    print(f'classic benchmarks ({mode}), {date}, {m["arch"]}, {m["cpu"]}, '
          f'{m["nproc"]} cpus, load {load_start or "?"} -> {load_end or "?"}')
    print('systems: ' + ', '.join(f'{LABEL[s]} = {versions[s]}' for s in systems
                                  if s in versions))
    print('s = seconds of the benchmark proper (timed inside the process; lower is better), '
          'peak resident memory; '
          '(Nx) = other / rcgc (default policy): how many times faster or smaller rcgc is')
    print()
    print(render(rows))
    print()
    print('rcgc per workload: share of the time spent in collections (sum of the '
          'pauses / total), collections, longest pause, what the collections reclaimed')
    print(render(gc_rows))
    if off_rows:
        print()
        print(f'{OFF} (automatic collection off: reference counting alone) beside malloc, '
              f'mimalloc and boehm: seconds; (Nx) = other / {OFF}: how many times faster '
              f'{OFF} is')
        print(render(off_rows))
    if notes:
        print()
        for n in notes:
            print(f'note: {n}')

    doc = {}
    try:
        with open(args.json) as f:
            doc = json.load(f)
        if not isinstance(doc, dict):
            doc = {}
    except (OSError, ValueError):
        doc = {}
    doc['classic'] = {
        'date': date, 'mode': mode,
        'machine': dict(m, loadavg_start=load_start, loadavg_end=load_end),
        'rcgc_revision': git_revision(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__)))),
        'systems': {s: versions.get(s) for s in systems},
        'skipped': skipped,
        'not_run': {f'{a} {b}': why for (a, b), why in not_run.items()},
        'ratio': 'other / rcgc (default policy): > 1 means rcgc is faster (seconds) '
                 'or smaller (peak RSS)',
        'workloads': entries,
        'checks_equal': all(checks_equal.values()),
        'notes': notes,
    }
    budgeted = (
        ('budget', BUDGET,
         f'{BUDGET}: classic_rcgc --policy default --budget US (rcgc_set_pause_budget): '
         'collections run incrementally, each slice (RCGC_PHASE_SLICE) is a pause',
         f'its speedup and ratio_max_pause are {BUDGET} / rcgc-default: '
         '< 1 means the budget is faster, its longest pause shorter'),
        ('strict', STRICT,
         f'{STRICT}: classic_rcgc --policy default --budget US --strict: the pause '
         'budget in a heap with RCGC_CONFIG_STRICT_STORES; incremental collections free '
         'their garbage in slices too',
         f'its speedup and ratio_max_pause are {STRICT} / rcgc-default'))
    for key, system, what, ratio_text in budgeted:
        if system in systems:
            doc['classic'][key] = {
                'system': system,
                'pause_budget_us': budget_us(versions.get(system)),
                'what': what + '; "incremental" holds rcgc_get_incremental_stats at the '
                               'end of the benchmark',
                'ratio': ratio_text,
            }
    if OFF in systems:
        doc['classic']['off'] = {
            'system': OFF,
            'what': f'{OFF}: classic_rcgc --policy off: automatic collection off '
                    '(rcgc_disable), every tree freed by reference counting alone; '
                    'the acyclic variant only',
            'ratio': f'its speedup is {OFF} / rcgc-default (< 1 means {OFF} is faster); '
                     f'its speedup_malloc, speedup_mimalloc and speedup_boehm are that '
                     f'system / {OFF} (> 1 means {OFF} is faster)',
            'not_run': {f'{a} {b}': why for (a, b), why in off_not_run.items()},
        }
    with open(args.json, 'w') as f:
        json.dump(doc, f, indent=2)
        f.write('\n')
    print(f'\nbench: wrote {os.path.relpath(args.json)} (classic)', file=sys.stderr)
    return 1 if failed else 0

def main():
    p = argparse.ArgumentParser()
    p.add_argument('what', choices=('table', 'instructions', 'classic'))
    p.add_argument('--out', required=True)
    p.add_argument('--json', required=True)
    p.add_argument('--nodes', type=int, default=1000000)
    p.add_argument('--baseline', help='instructions: the previous instructions.json')
    p.add_argument('--baseline-commit', help='instructions: the commit that committed it')
    p.add_argument('--previous', help='table: the previous results.json')
    args = p.parse_args()
    return {'table': table, 'instructions': instructions,
            'classic': classic}[args.what](args)


if __name__ == '__main__':
    sys.exit(main())
