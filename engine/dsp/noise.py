"""A tiny xorshift noise source: deterministic per voice, no allocation, no Python objects."""

from numba import njit

INV_2_31 = 1.0 / 2147483648.0


@njit(cache=True, nogil=True, inline="always")
def xorshift(x):
    """The generator's next 32-bit state after x (never 0). A loop keeps the state in a local
    and noise_of turns it into a sample: the voice row is read and written once a block."""
    x ^= (x << 13) & 0xFFFFFFFF
    x ^= x >> 17
    x ^= (x << 5) & 0xFFFFFFFF
    if x == 0:
        x = 0x9E3779B9
    return x


@njit(cache=True, nogil=True, inline="always")
def noise_of(x):
    """The sample in [-1, 1) of a state."""
    return x * INV_2_31 - 1.0


@njit(cache=True, nogil=True, inline="always")
def white(v, slot):
    """Advance the xorshift state kept in v[slot] and return noise in [-1, 1)."""
    x = xorshift(int(v[slot]) & 0xFFFFFFFF)
    v[slot] = x
    return noise_of(x)
