"""pyautograd.utils: data loading (``pyautograd.utils.data``)."""

from . import data as data

__all__ = ["data"]
