#!/usr/bin/env python3
"""Formats what bench/run.sh collected in build/bench/out into one table of
ratios, and writes it as JSON.

  report.py table --out DIR --json FILE
      DIR holds, per system (rcgc, cpython, php, boehm): SYSTEM.txt (the
      workload lines), SYSTEM-memory.txt (the bytes-per-node line), .rc
      (exit status), .err; skipped.tsv (system TAB reason); mode.
  report.py instructions --out DIR --nodes N --json FILE
      DIR holds instr.KIND.{collect,build}.err: callgrind's stderr.
  report.py classic --out DIR --json FILE
      DIR holds SYSTEM.WORKLOAD.DEPTH.VARIANT.{txt,err,rc,time} of the
      classic benchmarks (GCBench, binary-trees), skipped.tsv, not-run.tsv
      and mode; the table is printed and the "classic" part of FILE is
      replaced (the rest of FILE is kept). Exits 1 when an rcgc run failed
      or the systems' check lines differ.

Ratios are always other / rcgc: for times, how many times faster rcgc is
(> 1: rcgc faster); for bytes, how many times smaller rcgc is.
"""
import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys

SYSTEMS = ('rcgc', 'cpython', 'php', 'boehm')
LABEL = {'rcgc': 'rcgc', 'cpython': 'cpython', 'php': 'php', 'boehm': 'boehm'}
NAME = {'rcgc': '', 'cpython': 'CPython ', 'php': 'PHP ', 'boehm': ''}
KINDS = ('rings', 'live-tree', 'mixed')


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
    if not text:
        return res
    lines = [l for l in text.splitlines() if l.strip()]
    for i, line in enumerate(lines):
        tok = line.split()
        if tok[0] in KINDS and len(tok) >= 4:
            try:
                res['workloads'][(tok[0], int(tok[1]))] = {
                    'seconds': float(tok[2]), 'ns_per_node': float(tok[3])}
            except ValueError:
                pass
        elif tok[0] in ('churn', 'grow'):
            kv = parse_kv(line)
            if 'runs' in kv and 'collections' not in kv:
                kv['collections'] = kv['runs']
            if tok[0] == 'churn' and 'ns_per_ring' in kv:
                res['churn'] = kv
            elif tok[0] == 'grow' and 'total' in kv and kv.get('live'):
                kv['ns_per_node'] = kv['total'] / kv['live'] * 1e9
                res['grow'] = kv
                res['complete'] = True
        elif i == 0:
            res['version'] = line.strip()
    return res


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
    return f'({r:.3f}x)'


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
        mem[s] = parse_memory(read(os.path.join(d, s + '-memory.txt')))
        rc = read(os.path.join(d, s + '.rc'), '?').strip()
        status[s] = {'exit_status': int(rc) if rc.lstrip('-').isdigit() else None,
                     'seconds': number((read(os.path.join(d, s + '.time'), '') or '').strip() or '0'),
                     'version': runs[s]['version']}
    systems = [s for s in SYSTEMS if s in runs]
    ours = runs.get('rcgc')
    if ours is None:
        print('bench: no rcgc results', file=sys.stderr)
        return 1

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
            if s == 'rcgc':
                bugs = [l for l in err if 'BUG' in l]
                if bugs:
                    note += ' -- ' + '; '.join(bugs[:5])
        notes.append(note)
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
        'ratio': 'other / rcgc: > 1 means rcgc is faster (times) or smaller (bytes)',
        'workloads': [],
        'churn': {},
        'grow': {},
        'memory': {},
        'notes': notes,
    }

    rows = []
    # ---- rings / live-tree / mixed
    keys = sorted(ours['workloads'], key=lambda k: (k[1] if k[0] != 'mixed' else k[1] // 2,
                                                     KINDS.index(k[0])))
    for key in keys:
        kind, nodes = key
        row = Row(f'{kind} {nodes}')
        entry = {'workload': kind, 'nodes': nodes}
        base = ours['workloads'][key]['ns_per_node']
        for s in systems:
            w = runs[s]['workloads'].get(key)
            if w is None:
                continue
            r = None if s == 'rcgc' else ratio(w['ns_per_node'], base)
            row.add(s, fmt_num(w['ns_per_node']), fmt_ratio(r))
            entry[s] = dict(w, **({'speedup': round(r, 3)} if r else {}))
        rows.append(row)
        doc['workloads'].append(entry)

    # ---- churn
    c0 = ours['churn']
    if c0:
        r_ns, r_col, r_pause = (Row('churn ns/ring'), Row('churn collections'),
                                Row('churn max pause ms'))
        for s in systems:
            c = runs[s]['churn']
            if not c:
                continue
            e = dict(c)
            size_note = ''
            if (c.get('live'), c.get('rings')) != (c0.get('live'), c0.get('rings')):
                size_note = f'[live={c.get("live")} rings={c.get("rings")}]'
            rn = None if s == 'rcgc' else ratio(c['ns_per_ring'], c0['ns_per_ring'])
            r_ns.add(s, fmt_num(c['ns_per_ring'], 0), fmt_ratio(rn), size_note)
            full = f'(full {c["full"]})' if 'full' in c else ''
            r_col.add(s, fmt_num(c.get('collections')), extra=full)
            if 'max_pause_ms' in c:
                rp = None if s == 'rcgc' else ratio(c['max_pause_ms'], c0.get('max_pause_ms'))
                r_pause.add(s, fmt_num(c['max_pause_ms'], 2), fmt_ratio(rp))
                if rp:
                    e['speedup_max_pause'] = round(rp, 3)
            else:
                r_pause.add(s, 'n/a')
            if rn:
                e['speedup_ns_per_ring'] = round(rn, 3)
            doc['churn'][s] = e
        rows += [r_ns, r_col, r_pause]

    # ---- grow
    g0 = ours['grow']
    if g0:
        r_ns, r_col, r_pause = (Row('grow ns/node'), Row('grow collections'),
                                Row('grow max pause ms'))
        for s in systems:
            g = runs[s]['grow']
            if not g:
                continue
            e = dict(g)
            size_note = '' if g.get('live') == g0.get('live') else f'[live={g.get("live")}]'
            rn = None if s == 'rcgc' else ratio(g['ns_per_node'], g0['ns_per_node'])
            r_ns.add(s, fmt_num(g['ns_per_node']), fmt_ratio(rn), size_note)
            full = f'(full {g["full"]})' if 'full' in g else ''
            r_col.add(s, fmt_num(g.get('collections')), extra=full)
            rp = None if s == 'rcgc' else ratio(g.get('max_pause_ms'), g0.get('max_pause_ms'))
            r_pause.add(s, fmt_num(g.get('max_pause_ms'), 2), fmt_ratio(rp),
                        '*' if s == 'php' else '')
            if rn:
                e['speedup_ns_per_node'] = round(rn, 3)
            if rp:
                e['speedup_max_pause'] = round(rp, 3)
            doc['grow'][s] = e
        rows += [r_ns, r_col, r_pause]

    # ---- memory
    m0 = mem.get('rcgc')
    if m0:
        r_rss, r_nat = Row(f'bytes/node RSS'), Row('bytes/node own count')
        for s in systems:
            m = mem.get(s)
            if not m:
                continue
            e = dict(m)
            rr = None if s == 'rcgc' else ratio(m['rss_bytes_per_node'], m0['rss_bytes_per_node'])
            rn = None if s == 'rcgc' else ratio(m['native_bytes_per_node'], m0['native_bytes_per_node'])
            r_rss.add(s, fmt_num(m['rss_bytes_per_node']), fmt_ratio(rr))
            r_nat.add(s, fmt_num(m['native_bytes_per_node']), fmt_ratio(rn), f'[{m.get("native")}]')
            if rr:
                e['ratio_rss'] = round(rr, 3)
            if rn:
                e['ratio_native'] = round(rn, 3)
            doc['memory'][s] = e
        rows.append(r_rss)
        rows.append(r_nat)
        if any(doc['memory'].get(s, {}).get('nodes') != m0.get('nodes') for s in doc['memory']):
            notes.append('bytes per node measured on trees of different sizes')

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
    if 'php' in runs and runs['php']['grow'] and g0 and runs['php']['grow'].get('live') != g0.get('live'):
        notes.append('php grow max pause (*): measured by its script around the ring that '
                     'triggered a collection run (PHP has no collection callbacks)')
        notes.append('php grow runs to 1,000,000 nodes (its own script: quadratic on PHP, '
                     '465 s for 4,000,000); its ratio is against our 4,000,000')

    ver = ', '.join(f'{NAME[s]}{runs[s]["version"]}' for s in systems)
    m = doc['machine']
    print(f'rcgc bench ({mode}), {doc["date"]}, {m["arch"]}, {m["cpu"]}, '
          f'{m["nproc"]} cpus, load {load_start or "?"} -> {load_end or "?"}')
    print(f'systems: {ver}')
    print('ns per node (lower is better); (Nx) = other / rcgc: how many times '
          'faster (or, for bytes, smaller) rcgc is')
    print()
    print(render(rows))
    if notes:
        print()
        for n in notes:
            print(f'note: {n}')
    with open(args.json, 'w') as f:
        json.dump(doc, f, indent=2)
        f.write('\n')
    print(f'\nbench: wrote {os.path.relpath(args.json)}', file=sys.stderr)
    return 0


def instructions(args):
    d, n = args.out, args.nodes
    rows, doc = [], {
        'date': datetime.datetime.now().astimezone().isoformat(timespec='seconds'),
        'machine': machine_info(),
        'tool': 'valgrind --tool=callgrind --toggle-collect=bench_collect* '
                '(resp. bench_build*): instructions executed inside that '
                'function and its callees',
        'workloads': []}
    print(f'instructions per node (callgrind Ir), {n}-node workloads')
    print('collect = the timed rcgc_collect(heap, 2) alone; build = making the '
          'objects (allocation, rcgc_set, decref)')
    print()
    for kind in KINDS:
        nodes = 2 * n if kind == 'mixed' else n
        entry = {'workload': kind, 'nodes': nodes}
        row = Row(f'{kind} {nodes}')
        for part in ('collect', 'build'):
            text = read(os.path.join(d, f'instr.{kind}.{part}.err'), '')
            m = re.search(r'Collected\s*:\s*(\d+)', text)
            ir = int(m.group(1)) if m else None
            entry[f'{part}_ir'] = ir
            entry[f'{part}_ir_per_node'] = round(ir / nodes, 1) if ir else None
            row.cells.append(f'{part} {fmt_num(ir / nodes if ir else None)} Ir/node '
                             f'({ir if ir is not None else "?"} Ir)')
        rows.append(row)
        doc['workloads'].append(entry)
    print(render(rows))
    with open(args.json, 'w') as f:
        json.dump(doc, f, indent=2)
        f.write('\n')
    print(f'\nbench: wrote {os.path.relpath(args.json)}', file=sys.stderr)
    return 0


# ------------------------------------------------------ classic benchmarks

CLASSIC_SYSTEMS = ('rcgc-default', 'rcgc-cpython', 'boehm', 'malloc',
                   'mimalloc', 'cpython')
LABEL.update({'rcgc-default': 'rcgc', 'rcgc-cpython': 'rcgc-cpy',
              'malloc': 'malloc', 'mimalloc': 'mimalloc'})
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
    skipped, not_run = {}, {}
    for line in (read(os.path.join(d, 'skipped.tsv'), '') or '').splitlines():
        if '\t' in line:
            k, v = line.split('\t', 1)
            skipped[k] = v
    for line in (read(os.path.join(d, 'not-run.tsv'), '') or '').splitlines():
        parts = line.split('\t')
        if len(parts) == 3:
            not_run[(parts[0], parts[1])] = parts[2]

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
        runs[(s, w, depth, v)] = r
        keys.add((w, depth, v))
        if r['version'] and s not in versions:
            versions[s] = r['version']
    if not keys:
        print('bench: no classic benchmark results', file=sys.stderr)
        return 1
    systems = [s for s in CLASSIC_SYSTEMS if s not in skipped]
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
    for s in ('rcgc-default', 'rcgc-cpython'):
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
            if 'collections' in x:
                r_c.add(s, str(x['collections']),
                        extra=f'(full {x["full"]})' if 'full' in x else '')
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
            entry['systems'][s] = e
        rows += [r_t, r_m, r_c, r_p]
        entries.append(entry)

    # rcgc, per workload: time in collection, collections, pauses, cycles.
    gc_rows = []
    for k in keys:
        w, depth, v = k
        for s in ('rcgc-default', 'rcgc-cpython'):
            x = res(s, k)
            label = f'{w}{"-cyclic" if v == "cyclic" else ""} {depth}'
            row = Row(f'{label} {"default" if s == "rcgc-default" else "cpython"}')
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
            gc_rows.append(row)

    for s in skipped:
        notes.append(f'{s} skipped: {skipped[s]}')
    if not_run:
        notes.append('n/a*: ' + sorted(set(not_run.values()))[0])
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
    args = p.parse_args()
    return {'table': table, 'instructions': instructions,
            'classic': classic}[args.what](args)


if __name__ == '__main__':
    sys.exit(main())
