"""python3 -m rcgc run script.py"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def rcgc_cli(*args, **env_extra):
    """python3 -m rcgc ARGS, with this tree's package unless it is installed"""
    env = dict(os.environ, **env_extra)
    if not env.get("RCGC_PY_INSTALLED"):
        env["PYTHONPATH"] = os.path.dirname(HERE)
    return subprocess.run([sys.executable, "-m", "rcgc", *args], capture_output=True, text=True,
                          env=env, timeout=120)

SCRIPT = """
import os, signal, sys
class Conn:
    def __init__(self):
        self.me = self
_pool = [Conn() for _ in range(10)]
for _ in range(7):
    Conn()
os.kill(os.getpid(), signal.SIGUSR1)
print("args", sys.argv[1:])
sys.exit(3)
"""


def test_run_reports_growth_garbage_and_writes_a_snapshot(tmp_path):
    script = tmp_path / "prog.py"
    script.write_text(SCRIPT)
    snap = tmp_path / "out.heapsnapshot"
    r = rcgc_cli("run", "--snapshot", str(snap), str(script), "x", "--y")
    assert r.returncode == 3
    assert r.stdout == "args ['x', '--y']\n"
    err = r.stderr
    assert "===== rcgc report (SIGUSR1) =====" in err
    assert "===== rcgc report (exit) =====" in err
    # on SIGUSR1 the 7 dropped ones are garbage; at exit nothing is left
    usr1, final = err.split("===== rcgc report (exit) =====")
    assert "cyclic garbage: 7 objects Conn=7" in usr1
    assert "cyclic garbage: 0 objects" in final
    growth_lines = [l.split() for l in final.splitlines() if l.strip().startswith("Conn ")]
    assert growth_lines and growth_lines[0][1:3] == ["10", "+10"]
    assert os.path.getsize(tmp_path / "out.1.heapsnapshot") > 0
    assert os.path.getsize(snap) > 0


def test_inspect_commands_go_to_rcgc_inspect(tmp_path):
    import glob

    import pytest

    import rcgc
    tool = os.environ.get("RCGC_INSPECT") or next(iter(sorted(glob.glob(
        os.path.join(HERE, "..", "..", "build", "*", "tools", "rcgc-inspect")))), None)
    if not tool:
        pytest.skip("rcgc-inspect not built (set RCGC_INSPECT)")
    snap = tmp_path / "s.heapsnapshot"
    nodes, edges = rcgc.snapshot(str(snap))
    r = rcgc_cli("summary", str(snap), RCGC_INSPECT=tool)
    assert r.returncode == 0, r.stderr
    assert "nodes: %d\n" % nodes in r.stdout
    r = rcgc_cli("frobnicate", RCGC_INSPECT=tool)
    assert r.returncode == 2 and "unknown command 'frobnicate'" in r.stderr


FRAME_SCRIPT = """
import os, signal
def work():
    big = [bytearray(100000) for _ in range(50)]
    os.kill(os.getpid(), signal.SIGUSR1)
work()
"""


def test_the_report_names_the_program_s_running_frames_not_its_own(tmp_path):
    script = tmp_path / "prog.py"
    script.write_text(FRAME_SCRIPT)
    snap = tmp_path / "f.heapsnapshot"
    r = rcgc_cli("run", "--snapshot", str(snap), "--top", "3", str(script))
    assert r.returncode == 0, r.stderr
    usr1 = r.stderr.split("===== rcgc report (exit) =====")[0]
    top = usr1.split("top retainers (retained bytes, self bytes, object):\n")[1].splitlines()[:3]
    # the list (only work's variable holds it) and work's frame retain it all
    (line,) = [l for l in top if l.endswith("  frame work (prog.py:5)")]
    assert int(line.split()[0]) > 50 * 100000 and int(line.split()[1]) == 0
    import json
    data = json.loads((tmp_path / "f.1.heapsnapshot").read_text())
    names = {data["strings"][i] for i in data["nodes"][1::7]}
    frames = sorted(n for n in names if n.startswith("frame "))
    assert "frame work (prog.py:5)" in frames and "frame <module> (prog.py:6)" in frames
    # rcgc's own frames (run, _report, the signal handler) are not nodes
    assert [n for n in frames if "__main__.py" in n or "__init__.py" in n] == []
