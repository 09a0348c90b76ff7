"""RemovableHandle: what the register_*_hook methods return."""

from __future__ import annotations

import itertools
import weakref
from collections.abc import MutableMapping
from typing import Any


class RemovableHandle:
    """Removes its hook from the dictionaries it was registered in, by ``remove()`` or on
    leaving a ``with`` block."""

    _ids = itertools.count()

    def __init__(self, *hooks_dicts: MutableMapping[int, Any]) -> None:
        self.id = next(RemovableHandle._ids)
        self._refs = [weakref.ref(d) for d in hooks_dicts]

    def remove(self) -> None:
        """Unregisters the hook (again: no effect)."""
        for ref in self._refs:
            d = ref()
            if d is not None and self.id in d:
                del d[self.id]

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()
