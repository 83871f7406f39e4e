"""Everything that makes sound, headless: scheduler, voices, numba kernels, audio output.

It never imports the console; the console talks to it through `engine.protocol`.
"""
