"""PyTorch's CPU random engine: a 32-bit Mersenne Twister seeded and serialised as torch does.

The raw words come from NumPy's MT19937 bit generator (same recurrence and tempering), whose
key/position we keep in step with torch's ``left``/``next`` bookkeeping, so that a state tensor
saved by PyTorch restores here and the other way round.  The transforms that turn words into
numbers follow torch's ``TransformationHelper``: a float32 uniform takes the low 24 bits of one
word, a float64 uniform the low 53 bits of two words (the first word is the high half).
"""
from __future__ import annotations

import numpy as np

_N = 624
STATE_BYTES = 5056  # sizeof(CPUGeneratorImplState) on a 64-bit build
_MASK32 = 0xFFFFFFFF
# byte offsets inside torch's state struct
_OFF_STATE, _OFF_NORMAL_Y, _OFF_NORMAL_VALID, _OFF_FLOAT_NORMAL = 24, 5024, 5040, 5048


def _seed_key(seed: int) -> np.ndarray:
    """The 624-word key of init_genrand on the low 32 bits of ``seed``."""
    key = np.empty(_N, dtype=np.uint32)
    x = seed & _MASK32
    key[0] = x
    for j in range(1, _N):
        x = (1812433253 * (x ^ (x >> 30)) + j) & _MASK32
        key[j] = x
    return key


class MTEngine:
    """Mersenne Twister state plus torch's cached second normal samples."""

    def __init__(self, seed: int):
        self._bits = np.random.MT19937()
        self.seed(seed)

    def seed(self, seed: int) -> None:
        """Restart the stream as torch's ``manual_seed(seed)`` does."""
        self.initial_seed = seed
        self._bits.state = {"bit_generator": "MT19937",
                            "state": {"key": _seed_key(seed), "pos": _N}}
        self._fresh = True  # torch reports next=0 (not 624) until the first draw
        self.next_double_normal = None
        self.next_float_normal = None

    # -- raw words ---------------------------------------------------------------------------
    def u32(self, n: int) -> np.ndarray:
        """``n`` raw 32-bit outputs as uint64."""
        self._fresh = self._fresh and not n
        return self._bits.random_raw(int(n))

    def u64(self, n: int) -> np.ndarray:
        """``n`` values of torch's ``random64()``: two words, the first the high half."""
        w = self.u32(2 * int(n))
        return (w[0::2] << np.uint64(32)) | w[1::2]

    # -- serialisation -----------------------------------------------------------------------
    def get_state(self) -> np.ndarray:
        """torch's ``CPUGeneratorImplState`` bytes."""
        st = self._bits.state["state"]
        buf = np.zeros(STATE_BYTES, dtype=np.uint8)
        pos = int(st["pos"])
        head = np.array([self.initial_seed & 0xFFFFFFFFFFFFFFFF], dtype="<u8").view(np.uint8)
        buf[0:8] = head
        buf[8:16] = np.array([_N + 1 - pos, 1], dtype="<i4").view(np.uint8)
        buf[16:24] = np.array([0 if self._fresh else pos], dtype="<u8").view(np.uint8)
        buf[_OFF_STATE:_OFF_STATE + 8 * _N] = st["key"].astype("<u8").view(np.uint8)
        if self.next_double_normal is not None:
            buf[_OFF_NORMAL_Y:_OFF_NORMAL_Y + 8] = np.array(
                [self.next_double_normal], dtype="<f8").view(np.uint8)
            buf[_OFF_NORMAL_VALID] = 1
        if self.next_float_normal is not None:
            buf[_OFF_FLOAT_NORMAL:_OFF_FLOAT_NORMAL + 4] = np.array(
                [self.next_float_normal], dtype="<f4").view(np.uint8)
            buf[_OFF_FLOAT_NORMAL + 4] = 1
        return buf

    def set_state(self, buf: np.ndarray) -> None:
        """Restore from torch's state bytes (checked for size by the caller)."""
        buf = np.ascontiguousarray(buf, dtype=np.uint8)
        seed = int(buf[0:8].view("<u8")[0])
        left, _seeded = (int(v) for v in buf[8:16].view("<i4"))
        nxt = int(buf[16:24].view("<u8")[0])
        key = buf[_OFF_STATE:_OFF_STATE + 8 * _N].view("<u8").astype(np.uint32)
        self.initial_seed = seed
        self._bits.state = {"bit_generator": "MT19937",
                            "state": {"key": key, "pos": _N + 1 - left}}
        self._fresh = left == 1 and nxt == 0
        self.next_double_normal = (
            float(buf[_OFF_NORMAL_Y:_OFF_NORMAL_Y + 8].view("<f8")[0])
            if buf[_OFF_NORMAL_VALID:_OFF_NORMAL_VALID + 4].any() else None)
        self.next_float_normal = (
            float(buf[_OFF_FLOAT_NORMAL:_OFF_FLOAT_NORMAL + 4].view("<f4")[0])
            if buf[_OFF_FLOAT_NORMAL + 4] else None)

    # -- torch's transforms ------------------------------------------------------------------
    def uniform(self, n: int, bits: int, low: float = 0.0, high: float = 1.0) -> np.ndarray:
        """``uniform_real_distribution`` drawn ``n`` times for a type of ``bits`` mantissa bits.

        53 (float64) takes the low bits of ``random64()``; 24 (float32, also drawn for float16 and
        bfloat16, which round the float32 result) the low bits of one word.
        """
        if bits == 53:
            x = (self.u64(n) & np.uint64((1 << 53) - 1)).astype(np.float64) * 2.0 ** -53
            if low == 0.0 and high == 1.0:
                return x
            # the fused multiply-add, through x87 extended precision (exact for short spans;
            # a rare last-ulp double rounding otherwise)
            span, lo = np.longdouble(high - low), np.longdouble(low)
            return (x.astype(np.longdouble) * span + lo).astype(np.float64)
        x = (self.u32(n) & np.uint64((1 << bits) - 1)).astype(np.float64) * 2.0 ** -bits
        lo = np.float32(low)
        # torch's build fuses x * (to - from) + from: one rounding, reproduced through float64
        return (x * np.float64(np.float32(high) - lo) + np.float64(lo)).astype(np.float32)

    def normal_serial(self, n: int) -> np.ndarray:
        """``n`` draws of torch's scalar ``normal_distribution<double>`` (Box-Muller in pairs,
        the sine of each pair cached for the next draw), as float64 standard normals."""
        out = np.empty(n, dtype=np.float64)
        start = 0
        if n and self.next_double_normal is not None:
            out[0] = self.next_double_normal
            self.next_double_normal = None
            start = 1
        m = n - start
        if m:
            pairs = (m + 1) // 2
            u = self.uniform(2 * pairs, 53)
            r = np.sqrt(-2.0 * np.log1p(-u[1::2]))
            theta = 2.0 * np.pi * u[0::2]
            z = np.empty(2 * pairs)
            z[0::2], z[1::2] = r * np.cos(theta), r * np.sin(theta)
            out[start:] = z[:m]
            if m % 2:
                self.next_double_normal = float(z[-1])
        return out

    def normal_fill(self, n: int, bits: int, mean: float, std: float,
                    reduced: bool = False) -> np.ndarray:
        """torch's ``normal_fill`` for contiguous tensors of at least 16 elements: uniforms of
        the tensor's type, Box-Muller across each block of 16 (first half with second half),
        and a fresh block of 16 for a ragged tail.  Matches torch to rounding of log/cos/sin.
        For half and bfloat16 (``reduced``) torch draws uniforms for the whole blocks only
        before the tail's 16; for float and double it draws one per element first."""
        comp = np.float64 if bits == 53 else np.float32
        full = n // 16
        data = self.uniform(full * 16 if reduced else n, bits)
        out = np.empty(n, data.dtype)
        out[:data.size] = data  # a ragged tail can leave a few raw uniforms, as in torch
        out[:full * 16] = _box_muller16(data[:full * 16].reshape(full, 16), comp, mean, std).ravel()
        if n % 16:
            tail = self.uniform(16, bits)
            out[n - 16:] = _box_muller16(tail.reshape(1, 16), comp, mean, std).ravel()
        return out


def _box_muller16(blocks: np.ndarray, comp, mean: float, std: float) -> np.ndarray:
    """Box-Muller on rows of 16 uniforms: column j pairs with column j + 8."""
    one, two = comp(1), comp(-2)
    u1, u2 = one - blocks[:, :8], blocks[:, 8:]
    radius = np.sqrt(two * np.log(u1))
    theta = comp(2.0 * np.pi) * u2
    s, m = comp(std), comp(mean)
    return np.concatenate([radius * np.cos(theta) * s + m, radius * np.sin(theta) * s + m], axis=1)
