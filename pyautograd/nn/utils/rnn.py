"""nn.utils.rnn: PackedSequence and pad_sequence, pack_padded_sequence, pad_packed_sequence,
pack_sequence, unpack_sequence, unpad_sequence, invert_permutation, as in PyTorch.

Packing and unpacking are one index_select each (the gradient flows back through them); the
recurrent layers (RNN, LSTM, GRU) accept a PackedSequence and run each time step on the
sequences still active at it, as cuDNN's packed layout does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np

from ... import _core
from ..._core import Tensor
from ..._creation import tensor

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]


class _PackedSequenceBase(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(_PackedSequenceBase):
    """A batch of variable-length sequences packed time step by time step: `data` holds the
    steps' rows (the sequences still running at each step, longest first), `batch_sizes` how
    many rows each step has; `sorted_indices` / `unsorted_indices` map between the caller's
    batch order and the length-sorted one. Made by pack_padded_sequence / pack_sequence."""

    def __new__(
        cls,
        data: Any,
        batch_sizes: Tensor | None = None,
        sorted_indices: Tensor | None = None,
        unsorted_indices: Tensor | None = None,
    ) -> PackedSequence:
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data[0], data[1]
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """The sequence with its data converted by Tensor.to (the indices stay int64)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self) -> PackedSequence:
        """Itself (CPU only)."""
        return self

    def double(self) -> PackedSequence:
        """The data as float64."""
        return self.to(dtype=_core.float64)

    def float(self) -> PackedSequence:
        """The data as float32."""
        return self.to(dtype=_core.float32)

    def long(self) -> PackedSequence:
        """The data as int64."""
        return self.to(dtype=_core.int64)

    def int(self) -> PackedSequence:
        """The data as int32."""
        return self.to(dtype=_core.int32)

    @property
    def is_cuda(self) -> bool:
        """False (CPU only)."""
        return False

    def is_pinned(self) -> bool:
        """False (no pinned memory)."""
        return False


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse permutation (None for None)."""
    if permutation is None:
        return None
    p = np.asarray(permutation.tolist(), dtype=np.int64)
    inv = np.empty_like(p)
    inv[p] = np.arange(p.size, dtype=np.int64)
    return tensor(inv)


def _lengths(lengths: Tensor | Sequence[int]) -> np.ndarray:
    vals = lengths.tolist() if isinstance(lengths, Tensor) else list(lengths)
    return np.asarray(vals, dtype=np.int64).reshape(-1)


def pack_padded_sequence(
    input: Tensor,
    lengths: Tensor | Sequence[int],
    batch_first: bool = False,
    enforce_sorted: bool = True,
) -> PackedSequence:
    """Packs a padded batch (T, B, *) ((B, T, *) with batch_first) of sequences of the given
    lengths; enforce_sorted=False sorts them by decreasing length first (and records the
    permutation)."""
    lens = _lengths(lengths)
    sorted_indices: Tensor | None = None
    if not enforce_sorted:
        order = np.argsort(-lens, kind="stable")
        lens = lens[order]
        sorted_indices = tensor(order.astype(np.int64))
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    x = input.transpose(0, 1) if batch_first else input
    t_max, b = x.shape[0], x.shape[1]
    if lens.size != b:
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {lens.size} "
            f"(batch_size={b})"
        )
    if lens.size and lens.min() <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in 'lengths' "
            "that is <= 0"
        )
    if np.any(lens[:-1] < lens[1:]):
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
            "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
            "sidestep this requirement if you do not need ONNX exportability."
        )
    if lens[0] > t_max:
        raise RuntimeError(
            f"[pack_padded_sequence] a length {int(lens[0])} exceeds the padded length {t_max}"
        )
    steps = np.arange(int(lens[0]))
    batch_sizes = (lens.reshape(1, -1) > steps.reshape(-1, 1)).sum(1).astype(np.int64)
    rows = np.concatenate([t * b + np.arange(n) for t, n in zip(steps, batch_sizes, strict=True)])
    rest = list(x.shape[2:])
    data = x.reshape(t_max * b, *rest).index_select(0, tensor(rows.astype(np.int64)))
    return PackedSequence(data, tensor(batch_sizes), sorted_indices, None)


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Tensor, Tensor]:
    """The inverse of pack_padded_sequence: (padded batch (T, B, *) or (B, T, *), lengths), in
    the caller's original batch order; total_length pads T further."""
    bs = np.asarray(sequence.batch_sizes.tolist(), dtype=np.int64)
    t_max = bs.size
    if total_length is not None:
        if total_length < t_max:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{t_max}"
            )
        t_max = total_length
    b = int(bs[0]) if bs.size else 0
    lens = (bs.reshape(1, -1) > np.arange(b).reshape(-1, 1)).sum(1).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(bs)[:-1]]).astype(np.int64)
    data = sequence.data
    pad_row = int(data.shape[0])
    order = np.arange(b)
    if sequence.unsorted_indices is not None:
        order = np.asarray(sequence.unsorted_indices.tolist(), dtype=np.int64)
    # for each (step, caller's sample): its row of data, or the padding row
    src = np.full((t_max, b), pad_row, dtype=np.int64)
    for t in range(bs.size):
        src[t, : bs[t]] = offsets[t] + np.arange(bs[t])
    src = src[:, order]
    rest = list(data.shape[1:])
    filler = _core.full([1, *rest], float(padding_value), dtype=data.dtype)
    ext = _core.cat([data, filler], 0)
    idx = (src.T if batch_first else src).reshape(-1)
    shape = [b, t_max] if batch_first else [t_max, b]
    padded = ext.index_select(0, tensor(idx)).reshape(*shape, *rest)
    return padded, tensor(lens[order])


def pad_sequence(
    sequences: Tensor | Iterable[Tensor],
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Stacks sequences of shapes (L_i, *) into (max L, B, *) ((B, max L, *) with batch_first),
    padding with padding_value on the right (or the left)."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError(
            "pad_sequence: Expected iterable for input sequences, but got arg of type: "
            f"{type(sequences)}"
        )
    seqs = list(sequences)
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    if not seqs:
        raise RuntimeError("received an empty list of sequences")
    max_len = max(int(s.shape[0]) for s in seqs)
    rest = list(seqs[0].shape[1:])
    padded = []
    for s in seqs:
        if list(s.shape[1:]) != rest:
            raise RuntimeError(
                f"[pad_sequence] every sequence must have the trailing shape {rest}, got "
                f"{list(s.shape)}"
            )
        n = max_len - int(s.shape[0])
        if n == 0:
            padded.append(s)
            continue
        fill = _core.full([n, *rest], float(padding_value), dtype=s.dtype)
        padded.append(_core.cat([s, fill] if padding_side == "right" else [fill, s], 0))
    return _core.stack(padded, 0 if batch_first else 1)


def unpad_sequence(
    padded_sequences: Tensor, lengths: Tensor | Sequence[int], batch_first: bool = False
) -> list[Tensor]:
    """The list of sequences padded_sequences holds (each cut to its length)."""
    x = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [x[i, : int(n)] for i, n in enumerate(_lengths(lengths))]


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Packs a list of sequences of shapes (L_i, *)."""
    lengths = [int(v.shape[0]) for v in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences a PackedSequence holds, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
