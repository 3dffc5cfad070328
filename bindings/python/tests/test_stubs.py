"""Keeps wasmdeploy/_core.pyi in step with the compiled module.

For every function and method the stub and pybind11's signature line must agree on parameter
names, their order, the keyword-only marker and which parameters have defaults; every public
name of the module and its classes must appear in the stub and vice versa.
"""

import ast
import inspect
import pathlib
import re

import pytest

from wasmdeploy import _core

STUB = pathlib.Path(_core.__file__).with_name("_core.pyi")
# Dunder methods pybind11 adds or that carry no signature worth comparing.
IGNORED_DUNDERS = {"__init__", "__repr__", "__str__", "__eq__", "__ne__", "__hash__", "__lt__", "__le__",
                   "__len__", "__doc__", "__module__", "__dict__", "__weakref__"}


def split_params(text):
    """Splits "a: int, b: Dict[str, int] = {}" at top-level commas."""
    parts, depth, quote, cur = [], 0, None, ""
    for ch in text:
        if quote:
            cur += ch
            if ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
            continue
        cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def compiled_params(func, name):
    """[(name, has_default)] plus '*' markers, from pybind11's first docstring line."""
    first = (func.__doc__ or "").splitlines()[0]
    m = re.match(rf"{re.escape(name)}\((.*)\)( -> .*)?$", first)
    assert m, f"no signature line for {name}: {first!r}"
    out = []
    for p in split_params(m.group(1)):
        if p == "*":
            out.append(("*", False))
            continue
        pname = p.split(":", 1)[0].split("=", 1)[0].strip()
        out.append((pname, "=" in p))
    return out


def stub_params(node):
    a = node.args
    out = []
    positional = a.posonlyargs + a.args
    first_default = len(positional) - len(a.defaults)
    for i, arg in enumerate(positional):
        out.append((arg.arg, i >= first_default))
    if a.kwonlyargs:
        out.append(("*", False))
        for arg, default in zip(a.kwonlyargs, a.kw_defaults):
            out.append((arg.arg, default is not None))
    return out


def is_overload(node):
    return any(isinstance(d, ast.Name) and d.id == "overload" for d in node.decorator_list)


def is_static(node):
    return any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)


TREE = ast.parse(STUB.read_text())
STUB_FUNCS = [n for n in TREE.body if isinstance(n, ast.FunctionDef)]
STUB_CLASSES = {n.name: n for n in TREE.body if isinstance(n, ast.ClassDef)}


def public_names(obj):
    return {n for n in vars(obj) if not n.startswith("_")}


def test_module_names_match():
    stub_names = {f.name for f in STUB_FUNCS} | set(STUB_CLASSES)
    compiled = {n for n in public_names(_core)}
    assert stub_names == compiled


@pytest.mark.parametrize("node", STUB_FUNCS, ids=lambda n: n.name)
def test_function_signatures(node):
    expected = compiled_params(getattr(_core, node.name), node.name)
    actual = stub_params(node)
    if is_overload(node):  # overloads may narrow defaults; names and order must still agree
        actual, expected = [n for n, _ in actual], [n for n, _ in expected]
    assert actual == expected


@pytest.mark.parametrize("name", sorted(STUB_CLASSES))
def test_class_members(name):
    cls = getattr(_core, name)
    node = STUB_CLASSES[name]
    stub_members = set()
    for item in node.body:
        if isinstance(item, ast.FunctionDef) and not item.name.startswith("_"):
            stub_members.add(item.name)
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            stub_members.add(item.target.id)
    if issubclass(cls, BaseException):
        # A Python class: its attributes are set in __init__, so compare the constructor instead.
        init = next(i for i in node.body if isinstance(i, ast.FunctionDef) and i.name == "__init__")
        params = [n for n, _ in stub_params(init)][2:]  # drop self, message
        assert params == list(inspect.signature(cls.__init__).parameters)[2:]
        assert set(params) == stub_members
        return
    assert stub_members == public_names(cls)


@pytest.mark.parametrize("name", sorted(STUB_CLASSES))
def test_method_signatures(name):
    cls = getattr(_core, name)
    if issubclass(cls, BaseException):
        return
    for item in STUB_CLASSES[name].body:
        if not isinstance(item, ast.FunctionDef) or item.name in IGNORED_DUNDERS - {"__init__"}:
            continue
        if any(isinstance(d, ast.Name) and d.id == "property" for d in item.decorator_list):
            continue
        expected = compiled_params(getattr(cls, item.name), item.name)
        actual = stub_params(item)
        assert actual == expected, f"{name}.{item.name}"
