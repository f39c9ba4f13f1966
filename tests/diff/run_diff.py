#!/usr/bin/python3
"""Differential test runner: generates N random programs (diffgen.py) from a
seed, runs each under CPython (/usr/bin/python3, its translation) and under
rcgc (the driver), and compares the two event logs line by line.

  run_diff.py --driver PATH [--seed S] [--count N] [--ops K] [--jobs J]
  run_diff.py --driver PATH --program FILE     (one program, logs shown)

Program i uses seed S + i. On the first difference it prints the program,
minimises it (drops operations while the logs still differ) and prints the
minimal program and both logs side by side, then exits 1. Exits 0 when all
N programs agree, printing how many ran.

Only documented deviations (docs/design.md, "Deviations from CPython") are
normalised before comparing; normalise() names each one.
"""
import argparse
import concurrent.futures
import difflib
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import diffgen  # noqa: E402

PYTHON = "/usr/bin/python3"


def blocks(lines):
    """Split a run of log lines into top-level blocks: "del nX" ... "/del nX"
    or "cb wY" ... "/cb wY" with everything nested in between."""
    out, i = [], 0
    while i < len(lines):
        end = i
        if lines[i].startswith(("del n", "cb w")):
            close = "/" + lines[i]
            end = next((k for k in range(i + 1, len(lines)) if lines[k] == close), len(lines) - 1)
        out.append(tuple(lines[i:end + 1]))
        i = end + 1
    return out


def normalise(py, c):
    """The two logs as compared. The driver marks where rcgc's documented
    deviations from CPython (docs/design.md, "Deviations from CPython")
    show; these rules allow exactly them and nothing else:
      garbage-release-order: between "#release-begin" and "#release-end"
        (the deaths that freeing a collection's garbage caused) the two
        logs must hold the same top-level death blocks, in any order;
      dying-sibling: at "#deviation dying-sibling" (a weak reference read
        None in rcgc where CPython returned its referent) both logs are cut.
    Returns (python_log, rcgc_log, names of the deviations seen)."""
    cl, segments, seen, start = [], [], set(), None
    for line in c:
        if line == "#release-begin":
            start = len(cl)
        elif line == "#release-end":
            if start is not None:
                segments.append((start, len(cl)))
            start = None
        elif line.startswith("#deviation "):
            seen.add(line.split()[1])
            py = py[:len(cl)]
            break
        else:
            cl.append(line)
    py = list(py)
    for a, b in segments:
        if b <= len(py) and sorted(blocks(py[a:b])) == sorted(blocks(cl[a:b])):
            if py[a:b] != cl[a:b]:
                seen.add("garbage-release-order")
            py[a:b] = cl[a:b]
    return py, cl, seen


def run_python(text, tmp):
    path = os.path.join(tmp, "prog.py")
    with open(path, "w") as f:
        f.write(diffgen.to_python(text))
    p = subprocess.run([PYTHON, "-I", "-S", path], capture_output=True, text=True, timeout=60)
    if p.returncode != 0 or not p.stderr.startswith("ballast "):
        raise RuntimeError(f"python failed ({p.returncode}):\n{p.stderr}")
    ballast = int(p.stderr.split()[1])
    return p.stdout.splitlines(), ballast


def run_driver(driver, text, ballast, tmp):
    path = os.path.join(tmp, "prog.txt")
    with open(path, "w") as f:
        f.write(text)
    p = subprocess.run([driver, path, str(ballast)], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        return None, f"driver failed ({p.returncode}):\n{p.stderr}"
    return p.stdout.splitlines(), p.stderr


def compare(driver, text):
    """Returns (same, python_log, rcgc_log, note)."""
    with tempfile.TemporaryDirectory(prefix="rcgc-diff-") as tmp:
        py, ballast = run_python(text, tmp)
        c, err = run_driver(driver, text, ballast, tmp)
    if c is None:
        return False, py, [], err
    npy, nc, seen = normalise(py, c)
    note = err + "".join(f"(documented deviation: {d})\n" for d in sorted(seen))
    return npy == nc, npy, nc, note


def minimise(driver, text):
    """Greedy: drop chunks of operations, then single ones, while the
    program still shows a difference."""
    head = [l for l in text.splitlines() if l.startswith("#")]
    ops = [l for l in text.splitlines() if l and not l.startswith("#")]
    build = lambda ops_: "\n".join(head + ops_) + "\n"
    chunk = max(1, len(ops) // 2)
    while chunk >= 1:
        i = 0
        while i < len(ops):
            trial = ops[:i] + ops[i + chunk:]
            try:
                same = compare(driver, build(trial))[0]
            except RuntimeError:
                same = True
            if not same:
                ops = trial
            else:
                i += chunk
        chunk //= 2
    return build(ops)


def show(py, c):
    w = max([len(l) for l in py] + [10])
    out = [f"{'CPython':<{w}} | rcgc"]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=py, b=c, autojunk=False).get_opcodes():
        for k in range(max(i2 - i1, j2 - j1)):
            a = py[i1 + k] if i1 + k < i2 else ""
            b = c[j1 + k] if j1 + k < j2 else ""
            mark = " " if tag == "equal" else "*"
            out.append(f"{a:<{w}} {mark} {b}")
    return "\n".join(out)


def check_one(driver, seed, nops):
    text = diffgen.gen_program(seed, nops)
    same, py, c, note = compare(driver, text)
    return seed, text, same, py, c, note


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--ops", type=int, default=60)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--program")
    ap.add_argument("--no-minimise", action="store_true")
    ap.add_argument("--survey", action="store_true",
                    help="run all N programs and list every one that differs")
    args = ap.parse_args()

    if args.program:
        with open(args.program) as f:
            text = f.read()
        same, py, c, note = compare(args.driver, text)
        print(show(py, c))
        if note:
            print(note, end="", file=sys.stderr)
        return 0 if same else 1

    seeds = range(args.seed, args.seed + args.count)
    if args.survey:
        bad = 0
        deviations = {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
            for seed, text, same, py, c, note in ex.map(
                    lambda s: check_one(args.driver, s, args.ops), seeds):
                for d in re.findall(r"documented deviation: ([\w-]+)", note):
                    deviations[d] = deviations.get(d, 0) + 1
                if same:
                    continue
                bad += 1
                a, b = py, c
                k = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]),
                         min(len(a), len(b)))
                print(f"seed {seed}: line {k}: CPython {a[k] if k < len(a) else '<end>'!r} "
                      f"rcgc {b[k] if k < len(b) else '<end>'!r}")
        allowed = ", ".join(f"{d} in {n}" for d, n in sorted(deviations.items()))
        print(f"diff survey: {bad} of {args.count} programs differ"
              + (f" (documented deviations allowed: {allowed})" if allowed else ""))
        return 1 if bad else 0
    ran = 0
    failure = None
    deviations = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        for seed, text, same, py, c, note in ex.map(
                lambda s: check_one(args.driver, s, args.ops), seeds):
            if failure is not None:
                continue
            ran += 1
            for d in re.findall(r"documented deviation: ([\w-]+)", note):
                deviations[d] = deviations.get(d, 0) + 1
            if not same:
                failure = (seed, text, py, c, note)
    if failure is None:
        allowed = ", ".join(f"{d} in {n}" for d, n in sorted(deviations.items()))
        print(f"diff: {ran} programs (seeds {args.seed}..{args.seed + args.count - 1}, "
              f"{args.ops} operations each): CPython and rcgc logs identical"
              + (f" (documented deviations allowed: {allowed})" if allowed else ""))
        return 0
    seed, text, py, c, note = failure
    print(f"diff: program {ran} of {args.count} (seed {seed}) differs")
    print(show(py, c))
    if note:
        print(note)
    if not args.no_minimise:
        small = minimise(args.driver, text)
        same, py, c, note = compare(args.driver, small)
        print(f"\nminimised program (seed {seed}):\n{small}")
        print(show(py, c))
    return 1


if __name__ == "__main__":
    sys.exit(main())
