"""``pyautograd.backends.cuda``: no CUDA here; the TF32 switches are stored so that scripts that
set them (``torch.backends.cuda.matmul.allow_tf32 = True``) run. The CPU kernels never use TF32."""

from __future__ import annotations

__all__ = ["is_built", "matmul"]


class _MatmulFlags:
    """``torch.backends.cuda.matmul``: ``allow_tf32``, ``allow_fp16_reduced_precision_reduction``
    and ``allow_bf16_reduced_precision_reduction``, stored and read back."""

    def __init__(self) -> None:
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True


matmul = _MatmulFlags()


def is_built() -> bool:
    """False: pyautograd is not built with CUDA."""
    return False
