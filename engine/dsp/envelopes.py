"""Breakpoint envelopes: levels joined by segments, each with its time and curve, as
SuperCollider's Env; for sounds whose shape an ADSR cannot draw (the piano's two-stage decay).

An envelope is three constant arrays (module globals, which numba freezes into the kernel):
`levels` (one more than the segments), `times` (seconds) and `curves`: 0 is a straight line,
a negative curve moves fast first and slows towards the segment's end (like an exponential
decay), a positive one the reverse. After the last segment the envelope holds its last level.
"""

import math

from numba import njit


@njit(cache=True, nogil=True, inline="always")
def breakpoints(t, levels, times, curves):
    """The envelope's level at t seconds after it starts."""
    for j in range(times.shape[0]):
        if t < times[j]:
            start, end, c = levels[j], levels[j + 1], curves[j]
            position = t / times[j]
            if abs(c) < 1e-4:
                return start + (end - start) * position
            return start + (end - start) * (1.0 - math.exp(c * position)) / (1.0 - math.exp(c))
        t -= times[j]
    return levels[levels.shape[0] - 1]
