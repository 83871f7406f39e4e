"""A tiny xorshift noise source: deterministic per voice, no allocation, no Python objects."""

from numba import njit


@njit(cache=True, nogil=True, inline="always")
def white(v, slot):
    """Advance the xorshift state kept in v[slot] and return noise in [-1, 1)."""
    x = int(v[slot]) & 0xFFFFFFFF
    x ^= (x << 13) & 0xFFFFFFFF
    x ^= x >> 17
    x ^= (x << 5) & 0xFFFFFFFF
    if x == 0:
        x = 0x9E3779B9
    v[slot] = x
    return x / 2147483648.0 - 1.0
