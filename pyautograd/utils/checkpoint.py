"""``pyautograd.utils.checkpoint``: activation checkpointing's API.

``checkpoint(fn, *args)`` returns ``fn(*args)`` with the same values and the same gradients as
PyTorch's. PyTorch frees the activations inside ``fn`` after the forward pass and recomputes them
during backward to save memory; pyautograd keeps them (no recomputation), so memory use is that
of the plain call. Random ops inside ``fn`` therefore draw once, as with
``preserve_rng_state=True``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["checkpoint", "checkpoint_sequential"]


def checkpoint(
    function: Callable[..., Any],
    *args: Any,
    use_reentrant: bool | None = None,
    context_fn: Any = None,
    determinism_check: str = "default",
    debug: bool = False,
    early_stop: bool = True,
    **kwargs: Any,
) -> Any:
    """function(*args, **kwargs), with PyTorch's checkpoint signature and checks (see the module
    docstring: the activations are kept, not recomputed)."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
            "exception. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for more "
            "details on the differences between the two variants.",
            stacklevel=2,
        )
    kwargs.pop("preserve_rng_state", None)
    if use_reentrant is not False and kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    return function(*args, **kwargs)


def checkpoint_sequential(
    functions: Iterable[Callable[[Any], Any]] | Any,
    segments: int,
    input: Any,
    use_reentrant: bool | None = None,
    **kwargs: Any,
) -> Any:
    """Runs the modules of a Sequential (or a list of functions) in order on input, as PyTorch's
    checkpoint_sequential computes (without recomputation)."""
    fns = list(functions.children()) if hasattr(functions, "children") else list(functions)
    if segments <= 0:
        raise ValueError(f"segments must be positive, got {segments}")
    for fn in fns:
        input = fn(input)
    return input
