"""pyautograd.utils: data loading (``pyautograd.utils.data``) and DLPack interop
(``pyautograd.utils.dlpack``)."""

from . import data as data
from . import dlpack as dlpack

__all__ = ["data", "dlpack"]
