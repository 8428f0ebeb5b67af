"""``import spacy`` without spaCy's command line, which doccheck never uses.

spaCy's package ``__init__`` imports ``spacy.cli.info`` (for ``spacy.info``), and with it the
whole command line: typer, weasel, httpx, requests and the module of every command. Measured
here that is ~0.15 s of the ~0.5 s ``import spacy`` costs, a quarter of a one-file pre-commit
run and of every worker's start. While the package's ``__init__`` runs, the command-line
modules are placeholders; then they are removed again, so anyone's ``import spacy.cli`` loads
the real one, and ``spacy.info()`` loads it on its first call.

If a spaCy release imports something else from its command line at start-up, the placeholders
are dropped and spaCy is imported as usual (its submodules already loaded are kept).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any


def import_lean(package: str = "spacy", cli: str = "cli", lazy: tuple[str, ...] = ("info",)) -> types.ModuleType:
    """``import package``, with ``package.cli`` and ``package.cli.<name>`` for each name in ``lazy`` left out.

    ``package.<name>`` is then a function that imports the real ``package.cli.<name>`` and calls it.
    """
    if package in sys.modules:
        return sys.modules[package]
    parent = f"{package}.{cli}"
    names = [parent, *(f"{parent}.{name}" for name in lazy)]
    if any(name in sys.modules for name in names):
        return importlib.import_module(package)
    placeholders = {parent: types.ModuleType(parent)}
    placeholders[parent].__path__ = []  # a package, so its submodules resolve to the placeholders below
    for name in lazy:
        module = types.ModuleType(f"{parent}.{name}")
        setattr(module, name, _deferred(f"{parent}.{name}", name))
        placeholders[module.__name__] = module
    sys.modules.update(placeholders)
    try:
        imported = importlib.import_module(package)
    except ImportError:
        imported = None
    finally:
        for name, module in placeholders.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
    if imported is None:  # this release needs more of its command line: the ordinary import
        return importlib.import_module(package)
    if getattr(imported, cli, None) is placeholders[parent]:
        delattr(imported, cli)
    return imported


def _deferred(module: str, name: str) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"{module}.{name}, imported on its first call."
    return call


spacy = import_lean()
