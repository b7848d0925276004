"""Variable-length sequences for the recurrent layers: PackedSequence and the helpers
that pack, unpack and pad, as torch.nn.utils.rnn."""
from __future__ import annotations

from typing import Iterable, List, NamedTuple, Optional, Sequence, Union

import numpy as np

from ... import _dtype as D
from ..._creation import full, tensor
from ..._tensor import Tensor

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "pack_sequence", "unpad_sequence", "unpack_sequence", "invert_permutation"]


class _PackedSequenceBase(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Optional[Tensor]
    unsorted_indices: Optional[Tensor]


class PackedSequence(_PackedSequenceBase):
    """Sequences of different lengths packed time step by time step.

    ``data`` stacks the rows of step 0 for every sequence, then step 1 for those still
    running, and so on; ``batch_sizes[t]`` counts the rows of step ``t``.
    ``sorted_indices`` orders the original batch by decreasing length and
    ``unsorted_indices`` undoes it (both None when the batch came sorted).
    """

    def __new__(cls, data: Tensor, batch_sizes: Optional[Tensor] = None,
                sorted_indices: Optional[Tensor] = None,
                unsorted_indices: Optional[Tensor] = None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # the (data, batch_sizes) tuple form
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs) -> "PackedSequence":
        """The same sequence with ``data`` converted (dtype / device); indices follow the device."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        dev = data.device
        return type(self)(data, self.batch_sizes,
                          None if self.sorted_indices is None else self.sorted_indices.to(dev),
                          None if self.unsorted_indices is None else
                          self.unsorted_indices.to(dev))

    def cuda(self, *args, **kwargs) -> "PackedSequence":
        """``to('cuda')``."""
        return self.to("cuda")

    def cpu(self, *args, **kwargs) -> "PackedSequence":
        """``to('cpu')``."""
        return self.to("cpu")

    def double(self) -> "PackedSequence":
        return self.to(D.float64)

    def float(self) -> "PackedSequence":
        return self.to(D.float32)

    def half(self) -> "PackedSequence":
        return self.to(D.float16)

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        return False


def invert_permutation(permutation: Optional[Tensor]) -> Optional[Tensor]:
    """The permutation that undoes ``permutation``."""
    if permutation is None:
        return None
    p = permutation._data
    xp = Tensor._xp_of(p)
    inv = xp.empty_like(p)
    inv[p] = xp.arange(p.shape[0], dtype=p.dtype)
    return Tensor._make(inv, False, None, 0, [0])


def _lengths_list(lengths) -> List[int]:
    if isinstance(lengths, Tensor):
        if lengths.device.type != "cpu":
            raise RuntimeError("'lengths' argument should be a 1D CPU int64 tensor, but got 1D "
                               f"{lengths.device.type} Long tensor")
        return [int(v) for v in lengths.tolist()]
    return [int(v) for v in lengths]


def _packed_rows(lengths: Sequence[int], batch: int):
    """Row indices into a time-major (T * B) layout, in packed order, and batch_sizes."""
    lens = np.asarray(lengths)
    T = int(lens.max()) if len(lens) else 0
    batch_sizes = (lens[None, :] > np.arange(T)[:, None]).sum(1)
    rows = np.concatenate([t * batch + np.arange(b) for t, b in enumerate(batch_sizes)]) \
        if T else np.zeros(0, dtype=np.int64)
    return rows, batch_sizes


def pack_padded_sequence(input: Tensor, lengths: Union[Tensor, List[int]],
                         batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded (T, B, *) (or (B, T, *) with batch_first) batch of sequences of the
    given lengths."""
    lens = _lengths_list(lengths)
    if enforce_sorted:
        if any(a < b for a, b in zip(lens, lens[1:])):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` to "
                               "pack_padded_sequence and/or pack_sequence to sidestep this "
                               "requirement if you do not need ONNX exportability.")
        sorted_indices = None
    else:
        order = np.argsort(-np.asarray(lens), kind="stable")
        sorted_indices = tensor(order.astype(np.int64), device=input.device)
        lens = [lens[i] for i in order]
        input = input[:, order] if not batch_first else input[order]
    if lens and min(lens) <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    if batch_first:
        input = input.transpose(0, 1)
    T, B = input.shape[:2]
    if max(lens) > T:
        raise RuntimeError(f"Expected sequence length to be larger than or equal to "
                           f"{max(lens)}, but got {T}")
    rows, batch_sizes = _packed_rows(lens, B)
    data = input.reshape((T * B,) + tuple(input.shape[2:]))[rows]
    return PackedSequence(data, tensor(batch_sizes.astype(np.int64)), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: Optional[int] = None):
    """Undo ``pack_padded_sequence``: (padded batch, lengths as an int64 tensor)."""
    data, bs = sequence.data, sequence.batch_sizes.tolist()
    B, T = bs[0], len(bs)
    if total_length is not None:
        if total_length < T:
            raise ValueError(f"Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {T}")
        T = total_length
    lens = np.zeros(B, dtype=np.int64)
    for b in bs:
        lens[:b] += 1
    rows, _ = _packed_rows(lens.tolist(), B)
    # every padded position points at the packed row it holds, or at one extra padding row
    where = np.full(T * B, data.shape[0], dtype=np.int64)
    where[rows] = np.arange(rows.shape[0])
    from ... import cat
    pad_row = full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype,
                   device=data.device)
    padded = cat([data, pad_row], 0)[where].reshape((T, B) + tuple(data.shape[1:]))
    lengths = tensor(lens)
    if sequence.unsorted_indices is not None:
        idx = sequence.unsorted_indices
        padded = padded[:, idx._data]
        lengths = tensor(lens[np.asarray(idx.tolist(), dtype=np.int64)])
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, lengths


def pad_sequence(sequences: Union[Tensor, Iterable[Tensor]], batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    """Stack sequences of shape (L_i, *) into (T, B, *) (or (B, T, *)), padding the short ones."""
    from ... import cat, stack
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    seqs = list(sequences)
    T = max(s.shape[0] for s in seqs)
    out = []
    for s in seqs:
        n = T - s.shape[0]
        if n:
            fill = full((n,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype, device=s.device)
            s = cat([s, fill] if padding_side == "right" else [fill, s], 0)
        out.append(s)
    return stack(out, 1 if not batch_first else 0)


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences of shape (L_i, *)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor,
                   batch_first: bool = False) -> List[Tensor]:
    """Split a padded batch back into its sequences of the given lengths."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[i, :n] for i, n in enumerate(_lengths_list(lengths))]


def unpack_sequence(packed_sequences: PackedSequence) -> List[Tensor]:
    """The list of sequences a PackedSequence holds."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
