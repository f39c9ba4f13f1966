#!/usr/bin/env python3
"""Formats what bench/run.sh collected in build/bench/out into one table of
ratios, and writes it as JSON.

  report.py table --out DIR --json FILE
      DIR holds, per system (rcgc, cpython, php, boehm): SYSTEM.txt (the
      workload lines), SYSTEM-memory.txt (the bytes-per-node line), .rc
      (exit status), .err; skipped.tsv (system TAB reason); mode.
  report.py instructions --out DIR --nodes N --json FILE
      DIR holds instr.KIND.{collect,build}.err: callgrind's stderr.

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


def main():
    p = argparse.ArgumentParser()
    p.add_argument('what', choices=('table', 'instructions'))
    p.add_argument('--out', required=True)
    p.add_argument('--json', required=True)
    p.add_argument('--nodes', type=int, default=1000000)
    args = p.parse_args()
    return table(args) if args.what == 'table' else instructions(args)


if __name__ == '__main__':
    sys.exit(main())
