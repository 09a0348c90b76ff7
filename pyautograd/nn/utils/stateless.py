"""nn.utils.stateless: ``functional_call`` (PyTorch keeps it here too; ``torch.func`` is its
current home)."""

from ...func import functional_call as functional_call

__all__ = ["functional_call"]
