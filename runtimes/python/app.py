"""The CPython guest: runs one student program per fresh instance.

componentize-py executes this module's top level at build time and snapshots
the result, so everything imported here is ready in ~1 ms at run time, and
nothing else can be imported (the sandbox gives no files but, to a checker,
the test's own in its working directory). The list below is
the standard library a student might reasonably use; networking and process
modules are left out on purpose and fail with ModuleNotFoundError.
"""

import abc, argparse, array, ast, base64, binascii, bisect, builtins, calendar
import cmath, codecs, collections, collections.abc, colorsys, contextlib, copy
import csv, dataclasses, datetime, decimal, difflib, dis, enum, errno, fnmatch
import fractions, functools, gc, getopt, graphlib, hashlib, heapq, hmac, html
import inspect, io, itertools, json, keyword, linecache, locale, logging, math
import numbers, operator, os, pathlib, pickle, pprint, queue, random, re, reprlib
import secrets, shlex, statistics, string, struct, sys, textwrap, time, timeit
import token, tokenize, traceback, types, typing, unicodedata, unittest, uuid
import warnings, weakref, zlib
import wit_world

_FILENAME = "main.py"
# CPython prints the last this-many frames of a traceback (its PyTraceBack_LIMIT);
# formatting all 10**6 frames of a runaway recursion would cost seconds.
_TRACEBACK_LIMIT = 1000
# Uncaught exceptions are kept alive, never freed: freeing a 10**6-frame
# traceback recurses in C deeper than the WebAssembly stack allows, and the
# instance is discarded after the run anyway.
_UNCAUGHT = []

# Build lazily-created state now so it lands in the snapshot instead of costing
# every run: the AST types behind compile(), and the traceback machinery.
compile("x = [i for i in range(3)]\n", _FILENAME, "exec")
try:
    raise ValueError("warm-up")
except ValueError as _e:
    traceback.format_exception(_e)
decimal.getcontext()
# Everything above is permanent: the collector never has to walk it during a run.
gc.collect()
gc.freeze()


def _std_streams():
    """Text streams over the host's WASI stdin/stdout/stderr, as CPython sets them up."""
    stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding="utf-8")
    stdout = io.TextIOWrapper(
        io.BufferedWriter(io.FileIO(1, "w", closefd=False), 1 << 16), encoding="utf-8"
    )
    stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace", write_through=True
    )
    return stdin, stdout, stderr


def _exit_status(code):
    """The process exit status CPython would give for `SystemExit(code)`."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _last_entries(tb, limit):
    """The tail of a traceback chain, found without inspecting every frame."""
    length, entry = 0, tb
    while entry is not None:
        length, entry = length + 1, entry.tb_next
    for _ in range(length - limit):
        tb = tb.tb_next
    return tb


def _print_exception(exc):
    # Drop the frame of run() itself so the traceback starts in the program.
    tb = exc.__traceback__.tb_next if exc.__traceback__ else None
    try:
        tb = _last_entries(tb, _TRACEBACK_LIMIT)
        text = "".join(traceback.format_exception(type(exc), exc, tb))
    except BaseException:
        # Formatting can itself fail (MemoryError, RecursionError): still say what happened.
        text = f"Traceback (unavailable: formatting failed)\n{type(exc).__name__}: {exc}\n"
    sys.stderr.write(text)


def _compile(code):
    """(code object, None), or (None, CPython's message) if the source does not compile."""
    try:
        return compile(code, _FILENAME, "exec"), None
    except (SyntaxError, ValueError) as exc:  # ValueError: source with NUL bytes
        return None, "".join(traceback.format_exception_only(type(exc), exc))


def _execute(compiled):
    main = types.ModuleType("__main__")
    main.__file__ = _FILENAME
    main.__builtins__ = builtins
    sys.modules["__main__"] = main  # dataclasses, pickle and typing look classes up here
    try:
        exec(compiled, main.__dict__)
    except SystemExit as exc:
        return _exit_status(exc.code)
    except BaseException as exc:
        _UNCAUGHT.append(exc)
        _print_exception(exc)
        return 1
    return 0


class WitWorld(wit_world.WitWorld):
    def run(self, code: str, args: list[str]) -> wit_world.Outcome:
        # An exception escaping run() would trap the whole instance, so nothing may.
        try:
            sys.stdin, sys.stdout, sys.stderr = _std_streams()
            if args:  # a checker's; a student's program keeps the empty argv
                sys.argv = [_FILENAME, *args]
            compiled, error = _compile(code)
            if error is not None:
                return wit_world.Outcome_SyntaxError(error)
            random.seed()  # the snapshot froze the seed; draw a fresh one per run
            linecache.cache[_FILENAME] = (len(code), None, code.splitlines(True), _FILENAME)
            status = _execute(compiled)
        except BaseException as exc:
            # The source was too much to compile (MemoryError, or RecursionError
            # on absurd nesting): say so as CPython would, without our frames.
            _UNCAUGHT.append(exc)
            try:
                sys.stderr.write("".join(traceback.format_exception_only(exc)))
            except BaseException:
                pass
            status = 1
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass  # nothing left to report it to
        return wit_world.Outcome_Exited(status)
