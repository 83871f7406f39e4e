"""Voices rendered in passes through scratch: a loop that carries state from sample to sample (a
decay, a phase) writes what it carries into the voice's delay line, which only the plucked strings
use as a line, and then a loop with nothing carried computes the sound from it, which the compiler
vectorizes (several samples an instruction); a last loop mixes the pass into the block."""

import math

from numba import njit

from ..voices import AGE, LEFT, LENGTH, RIGHT

SCRATCH = 256  # samples a pass; a pass uses up to four rows of this many (4 x 256 <= DELAY_LINE)


@njit(cache=True, nogil=True, inline="always")
def samples_left(v, out, start):
    """How many samples the voice renders in this block: to the block's end, or to its own (at
    least one, as a voice's loop that renders and then checks its age does)."""
    return min(out.shape[0] - start, max(1, int(math.ceil(v[LENGTH] - v[AGE]))))


@njit(cache=True, nogil=True, inline="always")
def mix_pass(v, out, at, line, row, count):
    """Add `count` samples of the scratch row `row` into out from `at`, panned."""
    left, right = v[LEFT], v[RIGHT]
    for j in range(count):
        out[at + j, 0] += line[row * SCRATCH + j] * left
        out[at + j, 1] += line[row * SCRATCH + j] * right


@njit(cache=True, nogil=True, inline="always")
def powers(line, row, first, ratio, count):
    """Fill the scratch row `row` with first * ratio**j for j < count (a decay: one multiply a
    sample, in four interleaved chains that the processor runs side by side); returns the next
    value, first * ratio**count."""
    r2 = ratio * ratio
    r4 = r2 * r2
    a, b, c, d = first, first * ratio, first * r2, first * r2 * ratio
    at = row * SCRATCH
    j = 0
    while j + 4 <= count:
        line[at + j], line[at + j + 1], line[at + j + 2], line[at + j + 3] = a, b, c, d
        a *= r4
        b *= r4
        c *= r4
        d *= r4
        j += 4
    while j < count:
        line[at + j] = a
        a *= ratio
        j += 1
    return a
