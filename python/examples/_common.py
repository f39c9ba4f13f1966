"""Shared by the examples: section headings and running rcgc-inspect."""
import os
import shutil
import subprocess


def heading(text):
    print()
    print("--- " + text)


def inspect(*args):
    """Run rcgc-inspect (RCGC_INSPECT or PATH) and print its output."""
    tool = os.environ.get("RCGC_INSPECT") or shutil.which("rcgc-inspect")
    if not tool or not os.access(tool, os.X_OK):
        print("(rcgc-inspect not built: skipped `rcgc-inspect %s`)" % " ".join(args))
        return
    print("$ rcgc-inspect " + " ".join(args))
    r = subprocess.run([tool] + list(args), capture_output=True, text=True)
    print(r.stdout.rstrip())
    if r.returncode:
        print(r.stderr.rstrip())
        raise SystemExit("rcgc-inspect failed")
