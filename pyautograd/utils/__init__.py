"""pyautograd.utils: data loading (``pyautograd.utils.data``), DLPack interop
(``pyautograd.utils.dlpack``) and activation checkpointing's API
(``pyautograd.utils.checkpoint``)."""

from . import checkpoint as checkpoint
from . import data as data
from . import dlpack as dlpack

__all__ = ["checkpoint", "data", "dlpack"]
