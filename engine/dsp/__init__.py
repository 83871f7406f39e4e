"""Numba DSP building blocks, inlined into the one kernel that renders each block."""
