"""torch.set_float32_matmul_precision / get_float32_matmul_precision. pyautograd's float32
matrix products always compute in float32 ("highest"); the setting is kept and reported as
PyTorch's is, which on CPU changes nothing either."""

from __future__ import annotations

import warnings

__all__ = ["get_float32_matmul_precision", "set_float32_matmul_precision"]

_PRECISION = ["highest"]


def set_float32_matmul_precision(precision: str) -> None:
    """Sets the internal precision of float32 matrix multiplications ('highest', 'high' or
    'medium'); another string warns and changes nothing, as PyTorch's."""
    if not isinstance(precision, str):
        raise RuntimeError(
            f"set_float32_matmul_precision expects a str, but got {type(precision).__name__}"
        )
    if precision not in ("highest", "high", "medium"):
        warnings.warn(
            f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
            "setFloat32MatmulPrecision call has no effect.",
            stacklevel=2,
        )
        return
    _PRECISION[0] = precision


def get_float32_matmul_precision() -> str:
    """The current float32 matrix multiplication precision setting ('highest' by default)."""
    return _PRECISION[0]
