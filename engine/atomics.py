"""Atomic operations on int64 array elements, for numba kernels that two threads run at once.

numba has no atomics of its own on the CPU; these emit LLVM's (acquire loads, release stores,
compare-and-swap, fetch-and-add), so that one thread's writes before a release are seen by the
other after its acquire, and a spin loop re-reads the value instead of hoisting it. `relax` is
what a spin loop does while it waits: a pause instruction; after PATIENCE rounds a sched_yield
too, so that a thread waiting on one that was preempted gives its core away; after DROWSY rounds
a nap of NAP microseconds, so that a thread with nothing to do for long stops taking a core.
"""

import os
import platform

from llvmlite import ir
from numba import njit
from numba.core import cgutils, types
from numba.extending import intrinsic

X86 = platform.machine().lower() in ("x86_64", "amd64", "i686", "x86")
POSIX = hasattr(os, "sched_yield")  # the C library has sched_yield and usleep
PATIENCE, DROWSY, NAP = 256, 1024, 50


def _element(context, builder, array_type, array, index):
    ary = context.make_array(array_type)(context, builder, array)
    return cgutils.get_item_pointer(context, builder, array_type, ary, [index])


@intrinsic
def load_acquire(typingctx, array, index):
    """array[index], read with acquire ordering."""
    def codegen(context, builder, signature, args):
        return builder.load_atomic(_element(context, builder, signature.args[0], *args), "acquire", 8)
    return types.int64(array, index), codegen


@intrinsic
def store_release(typingctx, array, index, value):
    """array[index] = value, written with release ordering."""
    def codegen(context, builder, signature, args):
        builder.store_atomic(args[2], _element(context, builder, signature.args[0], args[0], args[1]), "release", 8)
        return context.get_dummy_value()
    return types.none(array, index, types.int64), codegen


@intrinsic
def compare_and_swap(typingctx, array, index, expected, value):
    """array[index] = value if it holds `expected` (acquire and release); whether it did."""
    def codegen(context, builder, signature, args):
        pointer = _element(context, builder, signature.args[0], args[0], args[1])
        swapped = builder.cmpxchg(pointer, args[2], args[3], "acq_rel", "acquire")
        return builder.extract_value(swapped, 1)
    return types.boolean(array, index, types.int64, types.int64), codegen


@intrinsic
def fetch_add(typingctx, array, index, value):
    """array[index] += value atomically (acquire and release); the value before."""
    def codegen(context, builder, signature, args):
        pointer = _element(context, builder, signature.args[0], args[0], args[1])
        return builder.atomic_rmw("add", pointer, args[2], "acq_rel")
    return types.int64(array, index, types.int64), codegen


def _instruction(emit):
    """An intrinsic of no arguments that emits what emit(builder) does."""
    def codegen(context, builder, signature, args):
        emit(builder)
        return context.get_dummy_value()
    return intrinsic(lambda typingctx: (types.none(), codegen))


def _call(builder, name, argument_types=(), arguments=()):
    """Call a C (or LLVM) function of that name, declared in the module here."""
    result = ir.VoidType() if name.startswith("llvm.") else ir.IntType(32)
    function = cgutils.get_or_insert_function(builder.module, ir.FunctionType(result, list(argument_types)), name)
    builder.call(function, list(arguments))


_pause = _instruction(lambda builder: X86 and _call(builder, "llvm.x86.sse2.pause"))
_yield = _instruction(lambda builder: POSIX and _call(builder, "sched_yield"))
_nap = _instruction(lambda builder: POSIX and _call(builder, "usleep", [ir.IntType(32)],
                                                    [ir.Constant(ir.IntType(32), NAP)]))


@njit(cache=True, nogil=True, inline="always")
def relax(rounds):
    """One round of a spin wait (see the module's docstring); returns the rounds so far."""
    if rounds >= DROWSY:
        _nap()
    elif rounds >= PATIENCE:
        _yield()
    else:
        _pause()
    return rounds + 1
