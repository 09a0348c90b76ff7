"""``pyautograd.distributions.kl``: ``kl_divergence`` and ``register_kl`` (as
``torch.distributions.kl``)."""

from . import kl_divergence, register_kl

__all__ = ["kl_divergence", "register_kl"]
