"""``pyautograd.distributions.utils``: the helpers of ``torch.distributions.utils``."""

from . import broadcast_all, clamp_probs, logits_to_probs, probs_to_logits

__all__ = ["broadcast_all", "clamp_probs", "logits_to_probs", "probs_to_logits"]
