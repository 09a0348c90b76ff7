"""``pyautograd.backends``: the backend switches that scripts set or ask about.

pyautograd runs on the CPU only, with one set of kernels, so there is no cuDNN, CUDA, MPS or
MKL-DNN backend to switch. The flags exist so that the lines programs carry for reproducibility
or speed (``torch.backends.cudnn.deterministic = True``, ``torch.backends.cudnn.benchmark =
False``, ``torch.backends.cuda.matmul.allow_tf32 = True``, ``torch.backends.mps.is_available()``)
run unchanged: they are stored and read back, as in PyTorch without those devices, and change
nothing about the CPU kernels (which never use TF32 and are deterministic, see
``pyautograd.use_deterministic_algorithms``). ``is_available()`` is False for every device backend.
"""

from __future__ import annotations

from . import cpu as cpu
from . import cuda as cuda
from . import cudnn as cudnn
from . import mkldnn as mkldnn
from . import mps as mps
from . import openmp as openmp

__all__ = ["cpu", "cuda", "cudnn", "mkldnn", "mps", "openmp"]
