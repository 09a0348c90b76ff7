"""``pyautograd.nn.parallel``: where PyTorch programs import DistributedDataParallel and
DataParallel from.

``from pyautograd.nn.parallel import DistributedDataParallel`` is
`pyautograd.distributed.DistributedDataParallel` (imported on first use).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyautograd.distributed.ddp import DistributedDataParallel as DistributedDataParallel

from .data_parallel import DataParallel as DataParallel
from .data_parallel import data_parallel as data_parallel

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]


def __getattr__(name: str) -> Any:
    if name == "DistributedDataParallel":
        from pyautograd.distributed.ddp import DistributedDataParallel

        return DistributedDataParallel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
