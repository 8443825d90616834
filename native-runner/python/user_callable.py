"""A user's attention callable for the attnlab Python harness: `--callable pkg.module:fn`.

The function is called as fn(q, k, v, causal, scale) -> o with q [B, H, S, D] and k, v
[B, Hkv, Skv, D] (grouped-query heads: query head h reads KV head h // (H // Hkv); causal is
bottom-right aligned when S != Skv, as FlashAttention >= 2.1). It is checked against f64 and timed
with CUDA events on the same inputs as SDPA, so `sdpa` is the built-in instance of this contract.
Import problems come back as one `compile-error` line with Python's own message and line.
"""
import importlib
import re
import traceback

CALLABLE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*$")


class CallableError(Exception):
    """The callable cannot be loaded; `code` is the harness error code."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def load_callable(spec):
    """Imports `pkg.module:fn` and returns fn; CallableError names what went wrong and where."""
    if not CALLABLE.match(spec):
        raise CallableError("bad-config", f"--callable: must be pkg.module:function (got \"{spec}\")")
    module_name, fn_name = spec.split(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as err:  # SyntaxError, ImportError, or anything the module raises on import
        raise CallableError("compile-error", f"--callable {spec}: cannot import {module_name}: "
                            f"{where(err)}{type(err).__name__}: {err}") from err
    fn = getattr(module, fn_name, None)
    if not callable(fn):
        raise CallableError("compile-error", f"--callable {spec}: {module_name} has no function {fn_name}")
    return fn


def where(err):
    """`file:line: ` of the innermost frame (or the SyntaxError's own place), else ''."""
    if isinstance(err, SyntaxError) and err.filename:
        return f"{err.filename}:{err.lineno}: "
    frames = traceback.extract_tb(err.__traceback__)
    return f"{frames[-1].filename}:{frames[-1].lineno}: " if frames else ""
