"""``pyautograd.utils.data.distributed``: where PyTorch programs import DistributedSampler from.

It is `pyautograd.distributed.DistributedSampler`.
"""

from pyautograd.distributed.sampler import DistributedSampler as DistributedSampler

__all__ = ["DistributedSampler"]
