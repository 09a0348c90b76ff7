"""pyautograd.Generator: a seeded random generator for data loading (DataLoader shuffling,
samplers, random_split), reproducible from its seed. Tensor creation functions draw from the
global generator that manual_seed seeds."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _core


class Generator:
    """A random generator with its own state: ``Generator().manual_seed(42)``. Used by the
    data utilities (``DataLoader(..., generator=g)``, ``random_split(..., generator=g)``);
    its stream differs from PyTorch's for the same seed."""

    def __init__(self, device: Any = "cpu") -> None:
        from ._creation import _check_device

        _check_device(device, "Generator")
        self._seed = 67280421310721
        self._rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        """Reseeds the generator; returns it."""
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise TypeError(
                f"[Generator.manual_seed] seed must be an int, got {type(seed).__name__}"
            )
        self._seed = seed % (1 << 64)
        self._rng = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Reseeds the generator from the system's entropy; returns the new seed."""
        entropy = np.random.SeedSequence().entropy
        assert isinstance(entropy, int)
        s = entropy % (1 << 63)
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed the generator was last seeded with."""
        return self._seed

    def get_state(self) -> dict[str, Any]:
        """The generator's state (pass it to set_state to replay the stream)."""
        return {"seed": self._seed, "bit_generator": self._rng.bit_generator.state}

    def set_state(self, state: dict[str, Any]) -> Generator:
        """Restores a state from get_state; returns the generator."""
        self._seed = state["seed"]
        self._rng = np.random.default_rng()
        self._rng.bit_generator.state = state["bit_generator"]
        return self

    def _numpy(self) -> np.random.Generator:
        return self._rng


def _numpy_rng(generator: Generator | None) -> np.random.Generator:
    """The NumPy generator to draw from: the given Generator's, or (when None) a fresh one
    seeded from pyautograd's global generator, so that manual_seed makes it reproducible."""
    if generator is not None:
        if not isinstance(generator, Generator):
            raise TypeError(
                f"generator must be a pyautograd.Generator, got {type(generator).__name__}"
            )
        return generator._numpy()
    bits = _core.rand(2, dtype=_core.float64).tolist()
    seed = int(bits[0] * (1 << 52)) * (1 << 12) + int(bits[1] * (1 << 12))
    return np.random.default_rng(seed)
