"""Build of rcgc's CPython extension.

The extension compiles the library's graph algorithms (../src/graph/*.c of
the rcgc source tree) into itself, so `pip install ./python` needs the whole
source tree, not this directory alone. RCGC_GRAPH_DIR overrides where they
are looked for.
"""
import glob
import os

from setuptools import Extension, setup

here = os.path.dirname(os.path.abspath(__file__))
graph_dir = os.environ.get("RCGC_GRAPH_DIR") or os.path.join(here, "..", "src", "graph")
graph_dir = os.path.relpath(os.path.abspath(graph_dir), here)
graph_sources = sorted(glob.glob(os.path.join(here, graph_dir, "*.c")))
if not graph_sources:
    raise SystemExit(f"rcgc: no graph sources in {graph_dir}: build from an rcgc source tree")

ext = Extension(
    "rcgc._rcgc",
    sources=["src/rcgc_module.c", "src/names_internal.c"]
    + [os.path.relpath(s, here) for s in graph_sources],
    include_dirs=[graph_dir, "src"],
    extra_compile_args=["-std=c11", "-Wall", "-Wextra", "-Wno-missing-field-initializers",
                        "-Wno-cast-function-type"]
    + (["-Werror"] if os.environ.get("RCGC_WERROR") else []),
)

setup(ext_modules=[ext])
