"""Edge names: each kind of container names its references."""
import sys

import rcgc


def names(obj):
    return [label for label, _ in rcgc.referents(obj)]


def named(obj, label):
    found = [r for lab, r in rcgc.referents(obj) if lab == label]
    assert len(found) == 1, (label, rcgc.referents(obj))
    return found[0]


def test_instance_attributes_inline_and_in_a_dict():
    class A:
        pass

    a = A()
    a.x = []
    assert named(a, "x") is a.x
    assert named(a, "__class__") is A
    d = a.__dict__  # asking for __dict__ creates it: the edge goes through it
    assert named(a, "__dict__") is d
    assert named(d, "'x'") is a.x


def test_slots():
    class S:
        __slots__ = ("left", "right")

    s = S()
    s.left = []
    s.right = {}
    assert names(s) == ["left", "right", "__class__"]


def test_dict_keys_of_every_kind():
    class K:
        pass

    k = K()
    d = {"user:42": [], 7: [], k: [], "it's": []}
    # a dict with other keys than str reports its keys too, each after its
    # value (the order of CPython's dict traversal)
    assert names(d) == ["'user:42'", "(key)", "7", "(key)", "<K>", "(key)", "'it\\'s'", "(key)"]
    assert named(d, "<K>") is d[k]
    s = {"only": [], "str": []}
    assert names(s) == ["'only'", "'str'"]


def test_long_and_control_character_keys_are_cut_and_escaped():
    d = {"x" * 100: [], "a\nb": []}
    labels = names(d)
    assert labels[0] == "'" + "x" * 48 + "...'"
    assert labels[1] == "'a\\x0ab'"


def test_list_tuple_and_set_members():
    x, y = [], {}
    assert names([x, y, x]) == ["[0]", "[1]", "[2]"]
    assert names((x, y)) == ["[0]", "[1]"]
    t = (1, 2)
    assert names({t}) == ["(member)"]


def test_an_item_is_named_by_its_index():
    # lists and tuples report their items last first (their traverse): each
    # edge must still name the item's own index
    items = [[i] for i in range(5)]
    lst, tup = list(items), tuple(items)
    for i, item in enumerate(items):
        assert named(lst, "[%d]" % i) is item
        assert named(tup, "[%d]" % i) is item
    assert names(lst) == ["[0]", "[1]", "[2]", "[3]", "[4]"]
    holder = [[None] for _ in range(1000)]
    path = rcgc.why(holder[765])[0]
    assert path.edges[-1] == "[765]", str(path)
    assert path.objects[-1] is holder[765]


def test_function_closure_defaults_globals():
    z = []

    def f(a=[]):
        return z

    assert named(f, "__closure__") is f.__closure__
    assert named(f, "__defaults__") is f.__defaults__
    assert named(f, "__globals__") is f.__globals__
    assert named(f.__closure__[0], "cell_contents") is z


def test_class_dict_mro_bases():
    class B:
        pass

    class C(B):
        pass

    assert named(C, "__mro__") is C.__mro__
    assert named(C, "__bases__") is C.__bases__
    assert named(C, "__base__") is B


def test_module_globals_and_bound_method():
    mod = sys.modules[__name__]
    assert named(mod, "__dict__") is mod.__dict__

    class M:
        def m(self):
            pass

    o = M()
    bm = o.m
    assert named(bm, "__self__") is o
    assert named(bm, "__func__") is M.__dict__["m"]


def test_exception_traceback_context_cause_and_frame_locals():
    def inner():
        local_list = [1]
        raise KeyError(local_list)

    try:
        try:
            inner()
        except KeyError as e1:
            raise ValueError("outer") from e1
    except ValueError as e2:
        err = e2
    assert named(err, "__cause__") is err.__cause__
    assert named(err, "__context__") is err.__context__
    tb = named(err.__cause__, "__traceback__")
    frame = named(tb.tb_next, "tb_frame")
    assert named(frame, "f_back") is tb.tb_frame
    (arg,) = err.__cause__.args
    assert named(frame, "local_list") is arg


def test_generator_locals():
    def gen():
        held = []
        yield held

    g = gen()
    first = next(g)
    assert named(g, "held") is first
