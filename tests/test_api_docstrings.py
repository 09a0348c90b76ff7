"""Every public name of the nn, optim, utils.data and serialization APIs, and every public
method of their classes, has a docstring (inherited ones count, as help() shows them)."""

import importlib
import inspect

import pytest

import pyautograd

MODULES = [
    "pyautograd.nn",
    "pyautograd.nn.functional",
    "pyautograd.nn.init",
    "pyautograd.nn.utils",
    "pyautograd.optim",
    "pyautograd.optim.lr_scheduler",
    "pyautograd.cuda",
    "pyautograd.utils.data",
    "pyautograd.serialization",
]


def _public(mod):
    names = getattr(mod, "__all__", None) or [n for n in vars(mod) if not n.startswith("_")]
    return [(n, getattr(mod, n)) for n in names]


@pytest.mark.parametrize("modname", MODULES)
def test_public_names_have_docstrings(modname):
    try:
        mod = importlib.import_module(modname)
    except ImportError:
        pytest.skip(f"{modname} is not in this build")
    missing = []
    for name, obj in _public(mod):
        if inspect.ismodule(obj):
            continue
        if not inspect.getdoc(obj):
            missing.append(name)
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_") or not callable(member):
                    continue
                if not inspect.getdoc(getattr(obj, attr)):
                    missing.append(f"{name}.{attr}")
    assert not missing, f"{modname}: no docstring for {missing}"


def test_new_core_functions_have_docstrings():
    core = pyautograd._core
    names = [
        "_point_loss",
        "_cross_entropy",
        "_nll_loss",
        "_layer_norm",
        "_batch_norm",
        "_optim_step",
        "_legacy_new",
        "_set_default_dtype",
        "_get_default_dtype",
        "_storage_info",
        "_read_bytes",
        "_from_bytes",
        "_as_strided_raw",
    ]
    for n in names:
        doc = getattr(core, n).__doc__ or ""
        assert len(doc.strip().splitlines()) > 1 or "\n" in doc, n  # signature line + text
    for n in ("_make_subclass", "as_subclass", "__init__"):
        assert "\n" in (getattr(pyautograd.Tensor, n).__doc__ or ""), n
    for n in ("type", "__format__", "__deepcopy__", "__reduce_ex__"):
        assert inspect.getdoc(getattr(pyautograd.Tensor, n)), n
