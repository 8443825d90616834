"""Plumbing of the SDPA harness that needs neither torch nor a GPU: harness lines on stdout,
the command line (same flags as the C++ harnesses), the counter-based input generator shared
bit for bit with native-runner/cpu/reference.hpp, row sampling, and NVML through ctypes.
"""

import argparse
import ctypes
import json
import math
import os
import sys
import threading
import time

HARNESS_SCHEMA = "attnlab/harness@1"
KERNELS = ("flash", "cudnn", "efficient", "math")
MASK64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
M1 = 0xBF58476D1CE4E5B9
M2 = 0x94D049BB133111EB
L2_FLUSH_BYTES = 256 << 20

# The real stdout carries harness lines only; print() and library chatter go to stderr.
_LINES = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1, encoding="utf-8")
sys.stdout = sys.stderr
_LOCK = threading.Lock()


class HarnessError(Exception):
    """Ends the run with an `error` line of this code."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def _finite(x):
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite(v) for v in x]
    return x


def emit(obj):
    """Writes one harness line (non-finite numbers become null: JSON has no NaN)."""
    text = json.dumps(_finite(obj), separators=(",", ":"), allow_nan=False)
    with _LOCK:
        _LINES.write(text + "\n")
        _LINES.flush()


def emit_error(code, message):
    emit({"type": "error", "code": code, "message": message})


def emit_log(message):
    emit({"type": "log", "message": message})


def emit_phase(phase):
    emit_log("phase " + phase)


# ---------------------------------------------------------------------------------------------
# Command line


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse would print usage and exit 2 with free text
        raise HarnessError("bad-config", message)


def _int_in(flag, lo, hi):
    def parse(text):
        try:
            v = int(text, 10)
        except ValueError:
            v = None
        if v is None or v < lo or v > hi:
            raise HarnessError("bad-config", f"{flag}: must be an integer in {lo}..{hi} (got \"{text}\")")
        return v

    return parse


def _float_in(flag, lo, hi):
    def parse(text):
        try:
            v = float(text)
        except ValueError:
            v = float("nan")
        if not math.isfinite(v) or v < lo or v > hi:
            raise HarnessError("bad-config", f"{flag}: must be a number in {lo:g}..{hi:g} (got \"{text}\")")
        return v

    return parse


def parse_args(argv):
    """Parses the harness flags; raises HarnessError('bad-config') naming the flag and range."""
    p = _Parser(prog="sdpa_harness.py", add_help=True)
    p.add_argument("--kernel", default="")
    p.add_argument("--callable", default="", help="pkg.module:fn(q, k, v, causal, scale) -> o instead of SDPA")
    p.add_argument("--batch", type=_int_in("--batch", 1, 4096), default=1)
    p.add_argument("--heads", type=_int_in("--heads", 1, 1024), default=8)
    p.add_argument("--seq", type=_int_in("--seq", 1, 65536), default=512)
    p.add_argument("--kv-heads", type=_int_in("--kv-heads", 1, 1024), default=0)
    p.add_argument("--kv-seq", type=_int_in("--kv-seq", 1, 1048576), default=0)
    p.add_argument("--dim", type=_int_in("--dim", 8, 256), default=64)
    p.add_argument("--causal", type=_int_in("--causal", 0, 1), default=0)
    p.add_argument("--dtype", default="f16")
    p.add_argument("--scale", type=_float_in("--scale", 1e-30, 1e30), default=0.0)
    p.add_argument("--seed", type=_int_in("--seed", 0, 4294967295), default=1)
    p.add_argument("--warmup", type=_int_in("--warmup", 0, 10000), default=-1)
    p.add_argument("--iterations", type=_int_in("--iterations", 1, 100000), default=0)
    p.add_argument("--max-samples", type=_int_in("--max-samples", 1, 100000), default=100000)
    p.add_argument("--max-ms", type=_float_in("--max-ms", 1, 3.6e6), default=3.6e6)
    p.add_argument("--warm", action="store_true")
    p.add_argument("--flush-ms", type=_float_in("--flush-ms", 1, 10000), default=100.0)
    p.add_argument("--inputs", default="")
    p.add_argument("--output", default="")
    p.add_argument("--device", type=_int_in("--device", 0, 64), default=0)
    p.add_argument("--info", action="store_true")
    p.add_argument("--list", action="store_true")
    p.add_argument("--selftest", action="store_true")
    p.add_argument("--dump-inputs", default="", help="write the seeded q, k, v as raw f32 and exit")
    a = p.parse_args(argv)
    if a.dtype not in ("f32", "f16", "bf16"):
        raise HarnessError("bad-config", f"--dtype: must be one of f32, f16, bf16 (got \"{a.dtype}\")")
    if a.dim % 8 != 0:
        raise HarnessError("bad-config", f"--dim: must be a multiple of 8 in 8..256 (got {a.dim})")
    busy = a.info or a.list or a.selftest or a.dump_inputs
    if not busy and not a.callable and a.kernel not in KERNELS:
        raise HarnessError(
            "unknown-kernel",
            f"--kernel: unknown SDPA kernel \"{a.kernel}\" (choose {', '.join(KERNELS)})",
        )
    a.causal = a.causal == 1
    # K, V are [B, Hkv, Skv, D]; 0 (flag absent) means the square problem.
    a.kv_heads = a.kv_heads or a.heads
    a.kv_seq = a.kv_seq or a.seq
    if a.heads % a.kv_heads != 0:
        raise HarnessError("bad-config", f"--kv-heads: must divide --heads {a.heads} (got {a.kv_heads})")
    return a


def resolved_scale(a):
    return a.scale if a.scale > 0 else 1.0 / math.sqrt(a.dim)


def elements(a):
    return a.batch * a.heads * a.seq * a.dim


def kv_elements(a):
    """Elements of K (or V): [B, Hkv, Skv, D]."""
    return a.batch * a.kv_heads * a.kv_seq * a.dim


# ---------------------------------------------------------------------------------------------
# Inputs: element i of tensor t = f(splitmix64(splitmix64(seed·3 + t) ^ i)), as in reference.hpp.


def splitmix64(x):
    x = (x + GOLDEN) & MASK64
    x = ((x ^ (x >> 30)) * M1) & MASK64
    x = ((x ^ (x >> 27)) * M2) & MASK64
    return x ^ (x >> 31)


def signed_const(c):
    return c - (1 << 64) if c >= 1 << 63 else c


def hash_array(idx, key, const):
    """splitmix64(key ^ idx) over an integer array: numpy uint64 (const=np.uint64), or torch
    int64 (const=signed_const) whose wrapping multiply gives the same bits; right shifts are
    masked so that they act logically on signed integers too."""

    def c(v):
        return const(v)

    def shr(x, k):
        return (x >> c(k)) & c((1 << (64 - k)) - 1)

    x = idx ^ c(key)
    x = x + c(GOLDEN)
    x = (x ^ shr(x, 30)) * c(M1)
    x = (x ^ shr(x, 27)) * c(M2)
    return x ^ shr(x, 31)


def inputs_numpy(seed, tensor, n):
    """Tensor `tensor` (0: Q, 1: K, 2: V) of n elements as float32, with numpy."""
    import numpy as np

    key = splitmix64(seed * 3 + tensor)
    with np.errstate(over="ignore"):
        h = hash_array(np.arange(n, dtype=np.uint64), key, np.uint64)
    u = (h >> np.uint64(40)).astype(np.float64) * (1.0 / 16777216.0)
    return ((2.0 * u - 1.0) * 1.7320508075688772).astype(np.float32)


def sample_rows(a, seed, want=256):
    """(bh, row) pairs checked against f64: all when few, else `want` drawn by the seed."""
    bh_total = a.batch * a.heads
    if bh_total * a.seq <= want:
        return [(bh, r) for bh in range(bh_total) for r in range(a.seq)]
    rows = [(0, 0), (bh_total - 1, a.seq - 1), (0, a.seq - 1)]
    i = 0
    while len(rows) < want:
        h = splitmix64(seed ^ ((0xC0FFEE + i * GOLDEN) & MASK64))
        rows.append((h % bh_total, (h >> 32) % a.seq))
        i += 1
    return rows


def tolerance_for(dtype):
    return {"f32": 1e-4, "f16": 5e-3, "bf16": 2e-2}[dtype]


# ---------------------------------------------------------------------------------------------
# Stream mode: stop when the runner writes "stop" (or stdin closes).


class StopWatcher:
    def __init__(self):
        self.event = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        try:
            for line in sys.stdin:
                if "stop" in line:
                    break
        finally:
            self.event.set()

    def stopped(self):
        return self.event.is_set()


# ---------------------------------------------------------------------------------------------
# NVML through ctypes (no pynvml needed).

THROTTLE_MASK = 0x4 | 0x8 | 0x20 | 0x40 | 0x80
REASONS = [
    (0x2, "applications-clocks"), (0x4, "sw-power-cap"), (0x8, "hw-slowdown"),
    (0x10, "sync-boost"), (0x20, "sw-thermal"), (0x40, "hw-thermal"),
    (0x80, "hw-power-brake"), (0x100, "display-clocks"),
]


class Nvml:
    def __init__(self, pci_bus_id, index):
        """Finds the device by PCI bus id, or by index when the bus id is unknown."""
        self.ok = False
        self.why = ""
        try:
            self.lib = ctypes.CDLL("libnvidia-ml.so.1")
            if self.lib.nvmlInit_v2() != 0:
                raise OSError("nvmlInit_v2 failed")
            self.dev = ctypes.c_void_p()
            if pci_bus_id:
                rc = self.lib.nvmlDeviceGetHandleByPciBusId_v2(ctypes.c_char_p(pci_bus_id.encode()), ctypes.byref(self.dev))
            else:
                rc = self.lib.nvmlDeviceGetHandleByIndex_v2(ctypes.c_uint(index), ctypes.byref(self.dev))
            if rc != 0:
                raise OSError(f"no NVML device at {pci_bus_id or f'index {index}'}")
            self.ok = True
        except (OSError, AttributeError) as err:
            self.why = str(err)

    def _uint(self, name, *args):
        x = ctypes.c_uint()
        try:
            rc = getattr(self.lib, name)(self.dev, *args, ctypes.byref(x))
        except AttributeError:
            return None
        return x.value if rc == 0 else None

    def driver_version(self):
        if not self.ok:
            return None
        buf = ctypes.create_string_buffer(96)
        return buf.value.decode() if self.lib.nvmlSystemGetDriverVersion(buf, 96) == 0 else None

    def cuda_driver_version(self):
        if not self.ok:
            return None
        v = ctypes.c_int()
        if self.lib.nvmlSystemGetCudaDriverVersion_v2(ctypes.byref(v)) != 0:
            return None
        return f"{v.value // 1000}.{(v.value % 1000) // 10}"

    def max_clock(self, memory):
        return self._uint("nvmlDeviceGetMaxClockInfo", 2 if memory else 1) if self.ok else None

    def read(self, t_ms):
        r = {"t": max(t_ms, 0.0), "throttleReasons": []}
        if not self.ok:
            return r, False
        sm, mem = self._uint("nvmlDeviceGetClockInfo", 1), self._uint("nvmlDeviceGetClockInfo", 2)
        temp, power = self._uint("nvmlDeviceGetTemperature", 0), self._uint("nvmlDeviceGetPowerUsage")
        for key, val in (("smClockMHz", sm), ("memClockMHz", mem), ("temperatureC", temp)):
            if val is not None:
                r[key] = val
        if power is not None:
            r["powerW"] = power / 1000.0
        bits = ctypes.c_ulonglong()
        fn = getattr(self.lib, "nvmlDeviceGetCurrentClocksEventReasons", None) or getattr(
            self.lib, "nvmlDeviceGetCurrentClocksThrottleReasons", None
        )
        throttled = False
        if fn is not None and fn(self.dev, ctypes.byref(bits)) == 0:
            r["throttleReasons"] = [name for bit, name in REASONS if bits.value & bit]
            throttled = bool(bits.value & THROTTLE_MASK)
        return r, throttled


class Monitor:
    """Samples NVML every 20 ms; remembers whether any reading since the last take throttled."""

    def __init__(self, nvml, t0):
        self.nvml, self.t0 = nvml, t0
        self.latest = None
        self.throttled = False
        self.stop = threading.Event()
        if nvml.ok:
            threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while not self.stop.is_set():
            r, throttled = self.nvml.read((time.perf_counter() - self.t0) * 1e3)
            self.latest = r
            self.throttled = self.throttled or throttled
            time.sleep(0.02)

    def take_throttled(self):
        t, self.throttled = self.throttled, False
        return t
