"""pytest setup: import rcgc from this source tree (built in place with
`setup.py build_ext --inplace`) unless RCGC_PY_INSTALLED=1 asks for the
installed package."""
import gc
import os
import sys
import types

import pytest

if not os.environ.get("RCGC_PY_INSTALLED"):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def make_module(name, source):
    """A module `name` registered in sys.modules, running `source`."""
    mod = types.ModuleType(name)
    sys.modules[name] = mod
    exec(compile(source, "<%s>" % name, "exec"), mod.__dict__)
    return mod


@pytest.fixture
def module_factory():
    made = []

    def factory(name, source):
        made.append(name)
        return make_module(name, source)

    yield factory
    for name in made:
        sys.modules.pop(name, None)
    gc.collect()
