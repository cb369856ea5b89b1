"""Job handlers, one module per feature; the worker imports them all (see :func:`load_all`)."""

from __future__ import annotations

import importlib
import pkgutil


def load_all() -> list[str]:
    """Import every handler module so its ``@handler`` registrations run; returns their names."""
    names = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        importlib.import_module(f"{__name__}.{info.name}")
        names.append(info.name)
    return names
