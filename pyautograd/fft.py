"""Discrete Fourier transforms (``torch.fft``): complex tensors in and out, with gradients
(pyautograd/_complex.py). Computed as products with the transform's matrix: exact to rounding,
O(n^2) per transformed dimension."""

from ._complex import fft as fft
from ._complex import fft2 as fft2
from ._complex import fftfreq as fftfreq
from ._complex import fftn as fftn
from ._complex import fftshift as fftshift
from ._complex import ifft as ifft
from ._complex import ifft2 as ifft2
from ._complex import ifftn as ifftn
from ._complex import ifftshift as ifftshift
from ._complex import irfft as irfft
from ._complex import irfft2 as irfft2
from ._complex import irfftn as irfftn
from ._complex import rfft as rfft
from ._complex import rfft2 as rfft2
from ._complex import rfftfreq as rfftfreq
from ._complex import rfftn as rfftn
