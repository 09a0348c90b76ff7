"""The API reference cannot drift: every public Python name and every bound C++ function or method
has a docstring; the README's "Coming from PyTorch" names exist; the docs pages are linked; the
package version is the one in pyproject.toml."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import pyautograd

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
DOCS = REPO / "docs"

# Value types whose instances are documented by their type (dtype constants and the like).
DATA_TYPES = (bool, int, float, str, tuple, frozenset, type(None))


def public_modules() -> list[types.ModuleType]:
    """pyautograd and its public submodules (private ones are reached through re-exports)."""
    mods = [pyautograd]
    for info in pkgutil.walk_packages(pyautograd.__path__, "pyautograd."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        try:
            mods.append(importlib.import_module(info.name))
        except ImportError as exc:  # an optional dependency (e.g. MPI) missing
            if "pyautograd" in str(exc):
                raise
    return mods


def defined_here(obj: Any) -> bool:
    return str(getattr(obj, "__module__", "") or "").startswith("pyautograd")


def public_names(module: types.ModuleType) -> Iterator[tuple[str, Any]]:
    """A module's public API: ``__all__``, else its public names defined in pyautograd."""
    names = getattr(module, "__all__", None)
    for name in names if names is not None else dir(module):
        if name.startswith("_"):
            continue
        obj = getattr(module, name)
        if isinstance(obj, types.ModuleType):
            if obj.__name__.startswith("pyautograd"):
                yield name, obj
        elif names is not None or defined_here(obj):
            yield name, obj


def is_bound(obj: Any) -> bool:
    """A function or method written in C++ (pybind11)."""
    return isinstance(obj, (types.BuiltinFunctionType, types.BuiltinMethodType)) or (
        type(obj).__name__ in ("instancemethod", "builtin_function_or_method")
    )


def text_of(doc: str | None, name: str) -> str:
    """The docstring without pybind11's generated signature lines."""
    if not doc:
        return ""
    lines = []
    for line in doc.splitlines():
        stripped = line.strip()
        if re.match(rf"^(\d+\. )?{re.escape(name)}\(.*\)( -> .*)?$", stripped):
            continue
        if stripped == "Overloaded function.":
            continue
        lines.append(stripped)
    return "\n".join(lines).strip()


def members(cls: type) -> Iterator[tuple[str, Any]]:
    """Public attributes a class defines itself (not inherited from object or builtins)."""
    for name, value in vars(cls).items():
        documented_kind = isinstance(value, (property, staticmethod, classmethod)) or callable(
            value
        )
        if name.startswith("_") or not documented_kind or isinstance(value, type):
            continue  # values (e.g. a dtype constant) are documented by their type
        yield name, value


def undocumented(bound: bool) -> list[str]:
    """Qualified names lacking a docstring: C++ (bound) ones, or Python ones."""
    missing: set[str] = set()
    seen: set[int] = set()

    def check(qualname: str, obj: Any, name: str, owner: type | None = None) -> None:
        if isinstance(obj, property):
            c_side = obj.fget is not None and is_bound(obj.fget)
            doc = obj.__doc__
        elif isinstance(obj, (staticmethod, classmethod)):
            obj = obj.__func__
            c_side, doc = is_bound(obj), obj.__doc__
        else:
            c_side, doc = is_bound(obj), getattr(obj, "__doc__", None)
        if c_side != bound or text_of(doc, name):
            return
        # An override documented by the method it overrides counts (as inspect.getdoc has it).
        for base in owner.__mro__[1:] if owner else ():
            if name in vars(base) and text_of(getattr(vars(base)[name], "__doc__", None), name):
                return
        missing.add(qualname)

    for module in public_modules():
        if not bound and not text_of(module.__doc__, ""):
            missing.add(module.__name__)
        for name, obj in public_names(module):
            qual = f"{module.__name__}.{name}"
            if isinstance(obj, types.ModuleType) or isinstance(obj, DATA_TYPES):
                continue
            if not callable(obj) and not isinstance(obj, type):
                obj = type(obj)  # a constant (e.g. a dtype): its type documents it
                if not defined_here(obj):
                    continue
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if isinstance(obj, type):
                c_class = type(obj).__name__ == "pybind11_type"
                if c_class == bound and not (obj.__doc__ or "").strip():
                    missing.add(qual)
                for member_name, member in members(obj):
                    check(f"{qual}.{member_name}", member, member_name, obj)
            else:
                check(qual, obj, name)
    return sorted(missing)


def test_every_public_python_name_has_a_docstring() -> None:
    assert undocumented(bound=False) == []


def test_every_bound_cpp_function_has_a_docstring() -> None:
    core = importlib.import_module("pyautograd._core")
    missing = undocumented(bound=True)
    for name, obj in vars(core).items():  # the extension's own functions, public or not
        if is_bound(obj) and not name.startswith("__") and not text_of(obj.__doc__, name):
            missing.append(f"pyautograd._core.{name}")
    assert sorted(set(missing)) == []


# ---- README: "Coming from PyTorch" ----


def readme_section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def resolve(dotted: str) -> Any:
    """``torch.x.y`` / ``Tensor.x`` / ``nn.Linear`` as pyautograd names (import as torch)."""
    parts = dotted.removesuffix("()").split(".")
    if parts[0] == "torch":
        parts = parts[1:]
    obj: Any = pyautograd
    path = "pyautograd"
    for part in parts:
        path = f"{path}.{part}"
        if hasattr(obj, part):
            obj = getattr(obj, part)
        else:
            obj = importlib.import_module(path)  # a submodule not imported by its parent
    return obj


@pytest.mark.skipif(not README.exists(), reason="README.md is not beside the tests")
def test_coming_from_pytorch_names_exist() -> None:
    section = readme_section("Coming from PyTorch")
    supported = section[: section.index("### What differs")]
    spans = re.findall(r"`([A-Za-z_][\w.]*(?:\(\))?)`", supported)
    names = [s for s in spans if "." in s or s.startswith(("Tensor", "torch"))]
    assert len(names) > 40, "the section should list the API"
    unresolved = []
    for dotted in names:
        try:
            resolve(dotted)
        except (AttributeError, ImportError):
            unresolved.append(dotted)
    assert unresolved == []


@pytest.mark.skipif(not DOCS.is_dir(), reason="docs/ is not beside the tests")
def test_docs_pages_are_linked() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    for page in DOCS.glob("*.md"):
        if page.name != "index.md":
            assert f"({page.name})" in index, f"docs/index.md does not link {page.name}"
    for target in re.findall(r"\]\(([^)#]+\.md)\)", index):
        if not target.startswith(".."):
            continue
        assert (DOCS / target).resolve().exists(), target
    assert "docs/index.md" in README.read_text(encoding="utf-8")


def test_version_matches_pyproject() -> None:
    pyproject = REPO / "pyproject.toml"
    if not pyproject.exists():
        pytest.skip("pyproject.toml is not beside the tests")
    match = re.search(r'^version = "([^"]+)"', pyproject.read_text(encoding="utf-8"), re.M)
    assert match, "pyproject.toml has no static version"
    assert pyautograd.__version__ == match.group(1)


def test_docstring_checker_catches_a_missing_docstring() -> None:
    def helper() -> None:
        pass

    assert text_of(helper.__doc__, "helper") == ""
    assert text_of("mm(self: Tensor, other: Tensor) -> Tensor\n", "mm") == ""
    assert text_of("mm(self: Tensor, other: Tensor) -> Tensor\n\nMatrix product.\n", "mm")
    assert inspect.isfunction(helper)
