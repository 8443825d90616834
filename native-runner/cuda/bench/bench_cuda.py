#!/usr/bin/env python3
"""The CUDA kernel benchmark: every flash kernel version against PyTorch SDPA, in one process.

    python3 native-runner/cuda/bench/bench_cuda.py --lib native-runner/build/cuda-bench/libattnlab_cuda_bench.so --out bench-out

(run.sh builds the library and calls this.) For each problem (B, H, S, D) × dtype × causal:
  1. fresh seeded random Q, K, V (torch, on the GPU); an f64 reference on sampled heads;
  2. each kernel version's output is poisoned with NaN, computed, checked (every element
     written; relative L2 error against f64 within the dtype's tolerance). A kernel that fails
     is reported and never timed. The SDPA backends (flash, cudnn, efficient) are checked too;
  3. all passing candidates are timed interleaved — round r runs every candidate once, in an
     order rotated by r — each sample a CUDA-event pair around one launch, with the L2 flushed
     and a short GPU sleep enqueued just before it (outside the timed span);
  4. a table of medians, bootstrap CIs, TFLOP/s and speedups against SDPA flash and cuDNN is
     printed, and one attnlab/result@1 file per (kernel, problem) is written to --out.
Before any of that, a probe subprocess runs every kernel version on small odd shapes (tails,
S = 1, a non-default scale): a version that crashes, hangs or computes wrong there is excluded
and the main process never risks its CUDA context on it.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import json
import math
import os
import platform
import queue
import socket
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402

from bench_result import (  # noqa: E402
    DTYPE_BYTES, TOLERANCE, config_dict, config_label, make_result, result_filename,
    write_atomic)
from bench_stats import attention_flops, median_ci, speedup_ci  # noqa: E402

TOOL_VERSION = "0.1.0"
DEFAULT_SHAPES = "32x8x512x64,8x16x2048x128"
DTYPE_CODE = {"f32": 0, "f16": 1, "bf16": 2}
SDPA_BACKENDS = ("flash", "cudnn", "efficient")
PROBE_SHAPES = [(1, 1, 1), (1, 3, 77), (2, 2, 200), (1, 2, 513)]  # (B, H, S); D from the kernel


# --------------------------------------------------------------------------------------------
# The kernel library (bench_api.cu) through ctypes.
class KernelLib:
    """The registry of kernel versions compiled into libattnlab_cuda_bench.so."""

    def __init__(self, path: str):
        self.path = path
        self.lib = ctypes.CDLL(path)
        L = self.lib
        L.attnlab_kernel_count.restype = ctypes.c_int
        L.attnlab_kernel_id.restype = ctypes.c_char_p
        L.attnlab_kernel_id.argtypes = [ctypes.c_int]
        L.attnlab_kernel_description.restype = ctypes.c_char_p
        L.attnlab_kernel_description.argtypes = [ctypes.c_int]
        L.attnlab_kernel_supports.restype = ctypes.c_int
        L.attnlab_kernel_supports.argtypes = [ctypes.c_int] * 4
        L.attnlab_kernel_params.restype = ctypes.c_int
        L.attnlab_kernel_params.argtypes = [ctypes.c_int] + [ctypes.c_longlong] * 4 + [
            ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        L.attnlab_launch.restype = ctypes.c_int
        L.attnlab_launch.argtypes = [ctypes.c_int] + [ctypes.c_void_p] * 4 + [
            ctypes.c_longlong] * 4 + [ctypes.c_int, ctypes.c_float, ctypes.c_int,
                                      ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        L.attnlab_mma_peak.restype = ctypes.c_double
        L.attnlab_mma_peak.argtypes = [ctypes.c_int] * 3 + [ctypes.c_void_p] * 2
        self.ids: dict[str, int] = {}
        self.descriptions: dict[str, str] = {}
        for i in range(L.attnlab_kernel_count()):
            kid = L.attnlab_kernel_id(i).decode()
            self.ids[kid] = i
            self.descriptions[kid] = L.attnlab_kernel_description(i).decode()
        self._err = ctypes.create_string_buffer(1024)

    def supports(self, kid: str, dtype: str, d: int, causal: bool) -> bool:
        return self.lib.attnlab_kernel_supports(self.ids[kid], DTYPE_CODE[dtype], d,
                                                int(causal)) == 1

    def params(self, kid: str, b: int, h: int, s: int, d: int, causal: bool,
               dtype: str) -> dict[str, Any]:
        buf = ctypes.create_string_buffer(4096)
        self.lib.attnlab_kernel_params(self.ids[kid], b, h, s, d, int(causal), DTYPE_CODE[dtype],
                                       buf, len(buf))
        return json.loads(buf.value.decode() or "{}")

    def launch(self, kid: str, q, k, v, o, causal: bool, scale: float, dtype: str,
               stream: int) -> None:
        b, h, s, d = q.shape
        rc = self.lib.attnlab_launch(self.ids[kid], q.data_ptr(), k.data_ptr(), v.data_ptr(),
                                     o.data_ptr(), b, h, s, d, int(causal), scale,
                                     DTYPE_CODE[dtype], stream, self._err, len(self._err))
        if rc != 0:
            raise RuntimeError(f"{kid}: {self._err.value.decode()}")


# --------------------------------------------------------------------------------------------
# Problems, inputs and the f64 reference.
@dataclass(frozen=True)
class Problem:
    b: int
    h: int
    s: int
    d: int
    dtype: str
    causal: bool

    @property
    def cfg(self) -> dict[str, Any]:
        return config_dict(self.b, self.h, self.s, self.d, self.causal, self.dtype)

    @property
    def label(self) -> str:
        return config_label(self.cfg)

    @property
    def flops(self) -> float:
        return attention_flops(self.b, self.h, self.s, self.d, self.causal)


def torch_dtype(torch, name: str):
    return {"f16": torch.float16, "bf16": torch.bfloat16, "f32": torch.float32}[name]


def make_inputs(torch, p: Problem, seed: int):
    g = torch.Generator(device="cuda")
    g.manual_seed(seed)
    shape = (p.b, p.h, p.s, p.d)
    return tuple(torch.randn(shape, generator=g, device="cuda", dtype=torch_dtype(torch, p.dtype))
                 for _ in range(3))


def reference_f64(torch, q, k, v, heads, causal: bool, scale: float):
    """softmax(Q·Kᵀ·scale)·V in float64 for the flat (b·H + h) head indices `heads`."""
    b, h, s, d = q.shape
    outs = []
    for i in range(0, len(heads), 8):
        idx = torch.tensor(heads[i:i + 8], device=q.device)
        qs = q.reshape(b * h, s, d)[idx].double()
        ks = k.reshape(b * h, s, d)[idx].double()
        vs = v.reshape(b * h, s, d)[idx].double()
        sc = qs @ ks.transpose(1, 2) * scale
        if causal:
            mask = torch.ones(s, s, dtype=torch.bool, device=q.device).triu(1)
            sc.masked_fill_(mask, float("-inf"))
        outs.append(torch.softmax(sc, dim=-1) @ vs)
    return torch.cat(outs)


def check_heads(p: Problem, seed: int) -> list[int]:
    """Every head for small problems; else 32 heads (first, last and 30 seeded random)."""
    n = p.b * p.h
    if n * p.s * p.s <= 64 * 2048 * 2048 // 4 and n <= 64:
        return list(range(n))
    rng = np.random.default_rng(seed)
    pick = set(rng.choice(n, size=min(n, 30), replace=False).tolist()) | {0, n - 1}
    return sorted(pick)


def compare(torch, o, ref, heads, p: Problem) -> dict[str, Any]:
    """Correctness figures: every element written (no NaN poison left), rel L2 and max abs
    error on the checked heads."""
    nan = int(torch.isnan(o).sum().item())
    sel = o.reshape(p.b * p.h, p.s, p.d)[torch.tensor(heads, device=o.device)].double()
    diff = sel - ref
    max_abs = float(diff.abs().max().item()) if nan == 0 else float("nan")
    rel = float((diff.norm() / ref.norm()).item()) if nan == 0 else float("nan")
    tol = TOLERANCE[p.dtype]
    passed = nan == 0 and math.isfinite(rel) and rel <= tol
    note = (f"{nan} output elements still NaN (not written or NaN)" if nan else
            f"rel L2 {rel:.3g} {'≤' if passed else '>'} tolerance {tol:g}")
    return {"reference": "f64-torch-gpu", "rowsChecked": len(heads) * p.s,
            "rowsTotal": p.b * p.h * p.s, "maxAbsErr": max_abs, "relL2Err": rel,
            "tolerance": tol, "passed": passed, "note": note}


# --------------------------------------------------------------------------------------------
# Candidates: our kernel versions and the SDPA backends, behind one "launch once" callable.
@dataclass
class Candidate:
    name: str             # printed name: kernel id, or sdpa-<backend>
    backend: str          # result file target.backend: cuda | sdpa
    kernel: str           # result file target.kernel
    params: dict[str, Any]
    run: Callable[[], Any]  # enqueues one forward pass on the current stream
    output: Callable[[], Any]  # the output tensor of the last run
    poison: Callable[[], Any] | None = None  # fills the output with NaN (ours only)
    correctness: dict[str, Any] | None = None
    error: dict[str, str] | None = None
    clocks: list[dict[str, Any]] = field(default_factory=list)
    samples: list[float] = field(default_factory=list)
    throttled: list[bool] = field(default_factory=list)


def ours(torch, lib: KernelLib, kid: str, q, k, v, p: Problem, scale: float) -> Candidate:
    o = torch.empty_like(q)
    stream = torch.cuda.current_stream().cuda_stream

    def run():
        lib.launch(kid, q, k, v, o, p.causal, scale, p.dtype, stream)

    params = lib.params(kid, p.b, p.h, p.s, p.d, p.causal, p.dtype)
    return Candidate(kid, "cuda", kid, params, run, lambda: o,
                     poison=lambda: o.fill_(float("nan")))


def sdpa(torch, name: str, q, k, v, p: Problem) -> Candidate:
    from torch.nn.attention import SDPBackend, sdpa_kernel
    import torch.nn.functional as F

    backend = {"flash": SDPBackend.FLASH_ATTENTION, "cudnn": SDPBackend.CUDNN_ATTENTION,
               "efficient": SDPBackend.EFFICIENT_ATTENTION}[name]
    box: dict[str, Any] = {}

    def run():
        with sdpa_kernel([backend]):
            box["o"] = F.scaled_dot_product_attention(q, k, v, is_causal=p.causal)

    params = {"sdpaBackend": backend.name, "torch": torch.__version__}
    return Candidate(f"sdpa-{name}", "sdpa", name, params, run, lambda: box["o"])


# --------------------------------------------------------------------------------------------
# Environment fingerprint and clocks (NVML through pynvml when present).
class Nvml:
    THROTTLING = 0x4 | 0x8 | 0x20 | 0x40 | 0x80  # sw power cap, hw slowdown, thermal, power brake
    NAMES = {0x2: "applications-clocks", 0x4: "sw-power-cap", 0x8: "hw-slowdown",
             0x10: "sync-boost", 0x20: "sw-thermal", 0x40: "hw-thermal", 0x80: "hw-power-brake",
             0x100: "display-clock"}

    def __init__(self):
        self.ok = False
        try:
            import pynvml
            pynvml.nvmlInit()
            self.nv = pynvml
            self.h = pynvml.nvmlDeviceGetHandleByIndex(int(os.environ.get("NVML_INDEX", "0")))
            self.ok = True
        except Exception as e:  # no NVML: clocks are left out, and the run says so
            print(f"note: NVML unavailable ({e}); clocks and throttle flags not recorded",
                  file=sys.stderr)

    def reasons(self) -> int:
        f = getattr(self.nv, "nvmlDeviceGetCurrentClocksEventReasons", None) or \
            self.nv.nvmlDeviceGetCurrentClocksThrottleReasons
        return int(f(self.h))

    def reading(self, t_ms: float) -> dict[str, Any] | None:
        if not self.ok:
            return None
        nv = self.nv
        try:
            r = self.reasons()
            return {
                "t": max(0.0, t_ms),
                "smClockMHz": nv.nvmlDeviceGetClockInfo(self.h, nv.NVML_CLOCK_SM),
                "memClockMHz": nv.nvmlDeviceGetClockInfo(self.h, nv.NVML_CLOCK_MEM),
                "temperatureC": nv.nvmlDeviceGetTemperature(self.h, nv.NVML_TEMPERATURE_GPU),
                "powerW": nv.nvmlDeviceGetPowerUsage(self.h) / 1000.0,
                "throttleReasons": [n for bit, n in self.NAMES.items() if r & bit],
                "_throttled": bool(r & self.THROTTLING),
            }
        except Exception as e:
            print(f"note: NVML reading failed ({e})", file=sys.stderr)
            return None

    def gpu_facts(self) -> dict[str, Any]:
        if not self.ok:
            return {}
        nv = self.nv
        out: dict[str, Any] = {}
        for key, fn in (
            ("driver", lambda: nv.nvmlSystemGetDriverVersion()),
            ("cudaDriver", lambda: "%d.%d" % divmod(nv.nvmlSystemGetCudaDriverVersion() // 10,
                                                    100)),
            ("smClockMaxMHz", lambda: nv.nvmlDeviceGetMaxClockInfo(self.h, nv.NVML_CLOCK_SM)),
            ("memClockMaxMHz", lambda: nv.nvmlDeviceGetMaxClockInfo(self.h, nv.NVML_CLOCK_MEM)),
        ):
            try:
                v = fn()
                out[key] = v.decode() if isinstance(v, bytes) else v
            except Exception:
                pass
        return out


def environment(torch, nvml: Nvml, lib_path: str) -> dict[str, Any]:
    props = torch.cuda.get_device_properties(0)
    gpu = {"name": props.name, "cudaRuntime": str(torch.version.cuda),
           "computeCapability": f"{props.major}.{props.minor}",
           "smCount": int(props.multi_processor_count), "memoryBytes": int(props.total_memory)}
    gpu.update(nvml.gpu_facts())
    flags_file = os.path.join(os.path.dirname(lib_path), "flags.txt")
    flags = open(flags_file).read().strip() if os.path.exists(flags_file) else "unknown"
    try:
        nvcc = subprocess.run(["nvcc", "--version"], capture_output=True, text=True,
                              timeout=30).stdout.strip().splitlines()[-1]
    except Exception:
        nvcc = "unknown"
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")),
                       cpu)
    except OSError:
        pass
    return {
        "host": {"hostname": socket.gethostname(), "os": platform.platform(),
                 "arch": platform.machine(), "cpu": cpu, "cpus": os.cpu_count() or 1},
        "gpu": gpu,
        "compiler": {"name": "nvcc", "version": nvcc, "flags": flags},
        "software": {"python": platform.python_version(), "torch": torch.__version__,
                     "cudnn": str(torch.backends.cudnn.version()), "numpy": np.__version__},
    }


def git_commit() -> str | None:
    try:
        r = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                           timeout=10, cwd=os.path.dirname(os.path.abspath(__file__)))
        return r.stdout.strip() or None if r.returncode == 0 else None
    except Exception:
        return None


# --------------------------------------------------------------------------------------------
# Ceilings: what the device does when it does only one thing.
def event_median_ms(torch, fn, reps: int) -> float:
    fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        e0.record()
        fn()
        e1.record()
        torch.cuda.synchronize()
        times.append(e0.elapsed_time(e1))
    return float(np.median(times))


def measure_ceilings(torch, lib: KernelLib) -> dict[str, float]:
    """mma.sync rate (registers only), torch matmul rate (cuBLAS; wgmma on Hopper) and
    device-to-device copy bandwidth (bytes read + written), each the median of a few runs."""
    out: dict[str, float] = {}
    sms = torch.cuda.get_device_properties(0).multi_processor_count
    blocks, iters = sms * 8, 2000
    buf = torch.empty(blocks * 128, dtype=torch.float32, device="cuda")
    stream = torch.cuda.current_stream().cuda_stream
    for name, code in (("f16", 1), ("bf16", 2)):
        flops = lib.lib.attnlab_mma_peak(code, blocks, iters, buf.data_ptr(), stream)
        if flops <= 0:
            raise RuntimeError("attnlab_mma_peak failed to launch")
        ms = event_median_ms(torch, lambda: lib.lib.attnlab_mma_peak(
            code, blocks, iters, buf.data_ptr(), stream), 5)
        out[f"mmaSync_{name}_tflops"] = flops / (ms * 1e-3) / 1e12
        n = 8192
        a = torch.randn(n, n, device="cuda", dtype=torch_dtype(torch, name))
        b = torch.randn(n, n, device="cuda", dtype=torch_dtype(torch, name))
        ms = event_median_ms(torch, lambda: a @ b, 10)
        out[f"matmul_{name}_tflops"] = 2 * n**3 / (ms * 1e-3) / 1e12
    x = torch.empty(2**30, dtype=torch.uint8, device="cuda")
    y = torch.empty_like(x)
    ms = event_median_ms(torch, lambda: y.copy_(x), 10)
    out["copy_tbps"] = 2 * 2**30 / (ms * 1e-3) / 1e12
    return out  # the buffers go with this frame; the caller empties torch's cache


# --------------------------------------------------------------------------------------------
# Probe: small odd shapes, in a subprocess, one kernel at a time.
def probe_main(args) -> int:
    import torch
    lib = KernelLib(args.lib)
    for kid in args.probe.split(","):
        print(f"BEGIN {kid}", flush=True)
        cases, failures = 0, []
        for d in (32, 64, 128):
            for dtype in ("f16", "bf16"):
                for causal in (False, True):
                    if not lib.supports(kid, dtype, d, causal):
                        continue
                    for i, (b, h, s) in enumerate(PROBE_SHAPES):
                        p = Problem(b, h, s, d, dtype, causal)
                        scale = 0.3 if i == 2 else 1 / math.sqrt(d)
                        q, k, v = make_inputs(torch, p, seed=1000 + 17 * i + d)
                        o = torch.full_like(q, float("nan"))
                        stream = torch.cuda.current_stream().cuda_stream
                        lib.launch(kid, q, k, v, o, causal, scale, dtype, stream)
                        torch.cuda.synchronize()
                        ref = reference_f64(torch, q, k, v, list(range(b * h)), causal, scale)
                        c = compare(torch, o, ref, list(range(b * h)), p)
                        cases += 1
                        if not c["passed"]:
                            failures.append(f"{p.label} scale={scale:.3g}: {c['note']}")
        print("RESULT " + json.dumps({"kernel": kid, "cases": cases, "failures": failures}),
              flush=True)
    return 0


def run_probes(args, kernel_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Probes every kernel in subprocesses; a crash or hang excludes that kernel only."""
    results: dict[str, dict[str, Any]] = {}
    todo = list(kernel_ids)
    while todo:
        cmd = [sys.executable, os.path.abspath(__file__), "--lib", args.lib, "--probe",
               ",".join(todo)]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines: queue.Queue[str | None] = queue.Queue()

        def pump():
            assert proc.stdout is not None
            for ln in proc.stdout:
                lines.put(ln)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        current, log = None, []
        deadline = time.monotonic() + args.probe_timeout * 2  # torch import + first kernel
        while True:
            try:
                ln = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                proc.kill()
                results[current or todo[0]] = {"ok": False, "why": f"hung (> {args.probe_timeout}"
                                               " s); killed", "log": log[-5:]}
                break
            if ln is None:
                proc.wait()
                if current is not None:
                    results[current] = {"ok": False, "why": f"probe process died (exit "
                                        f"{proc.returncode})", "log": log[-8:]}
                break
            ln = ln.rstrip("\n")
            if ln.startswith("BEGIN "):
                current = ln[6:]
                deadline = time.monotonic() + args.probe_timeout
                log = []
            elif ln.startswith("RESULT "):
                r = json.loads(ln[7:])
                results[r["kernel"]] = {"ok": not r["failures"], "cases": r["cases"],
                                        "why": "; ".join(r["failures"][:3]), "log": []}
                current = None
            else:
                log.append(ln)
        todo = [k for k in todo if k not in results]
    return results


# --------------------------------------------------------------------------------------------
# One problem: check, time interleaved, summarise.
def run_problem(torch, args, lib: KernelLib, kernel_ids: list[str], p: Problem, nvml: Nvml,
                seed: int) -> list[Candidate]:
    scale = 1 / math.sqrt(p.d)
    q, k, v = make_inputs(torch, p, seed)
    heads = check_heads(p, seed)
    ref = reference_f64(torch, q, k, v, heads, p.causal, scale)

    cands: list[Candidate] = []
    for kid in kernel_ids:
        if lib.supports(kid, p.dtype, p.d, p.causal):
            cands.append(ours(torch, lib, kid, q, k, v, p, scale))
    for name in args.sdpa:
        cands.append(sdpa(torch, name, q, k, v, p))

    for c in cands:
        try:
            if c.poison is not None:
                c.poison()
            c.run()
            torch.cuda.synchronize()
            c.correctness = compare(torch, c.output(), ref, heads, p)
            if not c.correctness["passed"]:
                c.error = {"code": "incorrect", "message": c.correctness["note"]}
        except RuntimeError as e:  # unsupported SDPA backend, or a launch error
            torch.cuda.synchronize()
            c.error = {"code": "unavailable" if c.backend == "sdpa" else "launch-error",
                       "message": str(e).splitlines()[0][:500]}
    del ref
    timed = [c for c in cands if c.error is None]

    # Warm-up, then interleaved rounds.
    for c in timed:
        for _ in range(args.warmup):
            c.run()
    torch.cuda.synchronize()
    props = torch.cuda.get_device_properties(0)
    l2 = int(getattr(props, "L2_cache_size", 50 * 2**20) or 50 * 2**20)
    flush = torch.empty(max(256 * 2**20, 4 * l2), dtype=torch.uint8, device="cuda")
    sleep_cycles = int(args.sleep_us * 2000)  # ~2 GHz SM clock
    clocks: list[dict[str, Any]] = []
    t0 = time.monotonic()
    n = len(timed)
    for r in range(args.samples):
        order = [timed[(r + i) % n] for i in range(n)] if n else []
        events = []
        for c in order:
            e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            torch.cuda._sleep(sleep_cycles)  # keeps the GPU busy while Python enqueues
            flush.zero_()                      # evicts Q, K, V and O from L2
            e0.record()
            c.run()
            e1.record()
            events.append((c, e0, e1))
        torch.cuda.synchronize()
        reading = nvml.reading((time.monotonic() - t0) * 1e3)
        throttled = bool(reading and reading.pop("_throttled"))
        if reading:
            clocks.append(reading)
        for c, e0, e1 in events:
            c.samples.append(float(e0.elapsed_time(e1)))
            c.throttled.append(throttled)
    del flush
    for c in cands:
        c.clocks = clocks
    return cands


def summarise(p: Problem, cands: list[Candidate]) -> dict[str, Any]:
    by = {c.name: c for c in cands if c.samples}
    rows = []
    for c in cands:
        row: dict[str, Any] = {"name": c.name, "backend": c.backend, "kernel": c.kernel,
                               "error": c.error, "correctness": c.correctness}
        if c.samples:
            m = median_ci(c.samples)
            row.update(median=m.median, lo=m.lo, hi=m.hi, n=m.n,
                       tflops=p.flops / (m.median * 1e-3) / 1e12,
                       throttled=sum(c.throttled))
            for base in ("sdpa-flash", "sdpa-cudnn"):
                if base in by:
                    s = speedup_ci(by[base].samples, c.samples)
                    row[base] = {"ratio": s.median, "lo": s.lo, "hi": s.hi}
        rows.append(row)
    return {"problem": p.cfg, "label": p.label, "flops": p.flops, "rows": rows}


def print_problem(s: dict[str, Any], out=sys.stdout) -> None:
    print(f"\n== {s['label']}  ({s['flops'] / 1e9:.1f} GFLOP)", file=out)
    print(f"{'kernel':<16} {'median ms':>10} {'95% CI':>19} {'TFLOP/s':>8} "
          f"{'×flash [95% CI]':>22} {'×cuDNN':>7} {'relL2':>9}  note", file=out)
    for r in s["rows"]:
        err = r["correctness"]["relL2Err"] if r["correctness"] else None
        e = f"{err:9.2e}" if isinstance(err, float) and math.isfinite(err) else f"{'-':>9}"
        if "median" not in r:
            msg = r["error"]["message"] if r["error"] else "not timed"
            print(f"{r['name']:<16} {'—':>10} {'':>19} {'':>8} {'':>22} {'':>7} {e}  "
                  f"FAILED/SKIPPED: {msg[:90]}", file=out)
            continue
        fl = r.get("sdpa-flash")
        cu = r.get("sdpa-cudnn")
        fls = f"{fl['ratio']:.3f} [{fl['lo']:.3f},{fl['hi']:.3f}]" if fl else "—"
        cus = f"{cu['ratio']:.3f}" if cu else "—"
        thr = f" {r['throttled']}/{r['n']} throttled" if r["throttled"] else ""
        print(f"{r['name']:<16} {r['median']:10.4f} [{r['lo']:8.4f},{r['hi']:8.4f}] "
              f"{r['tflops']:8.1f} {fls:>22} {cus:>7} {e}{thr}", file=out)


def print_summary(summaries: list[dict[str, Any]], out=sys.stdout) -> None:
    """Compact grid: TFLOP/s (ratio to SDPA flash) per kernel and problem."""
    cols = [s["label"].replace("_", " ") for s in summaries]
    short = [f"S{s['problem']['seqLen']}D{s['problem']['headDim']} {s['problem']['dtype']} "
             f"{'c' if s['problem']['causal'] else 'nc'}" for s in summaries]
    names: list[str] = []
    for s in summaries:
        for r in s["rows"]:
            if r["name"] not in names:
                names.append(r["name"])
    print("\n== summary: TFLOP/s (× SDPA flash)   [" + "; ".join(cols) + "]", file=out)
    print(f"{'kernel':<16}" + "".join(f"{h:>17}" for h in short)
          + f"{'min ×flash':>12}{'min ×cuDNN':>12}", file=out)
    for n in names:
        cells, vs_flash, vs_cudnn = [], [], []
        for s in summaries:
            r = next((r for r in s["rows"] if r["name"] == n), None)
            if r is None:
                cells.append(f"{'n/a':>17}")
            elif "median" not in r:
                failed = r["error"] and r["error"]["code"] != "unavailable"
                cells.append(f"{'FAIL' if failed else 'n/a':>17}")
            else:
                fl, cu = r.get("sdpa-flash"), r.get("sdpa-cudnn")
                if fl:
                    vs_flash.append(fl["ratio"])
                if cu:
                    vs_cudnn.append(cu["ratio"])
                cells.append(f"{r['tflops']:8.1f} ({fl['ratio']:.2f})" if fl else
                             f"{r['tflops']:8.1f}       ")
        mins = "".join(f"{min(v):12.3f}" if v else f"{'—':>12}" for v in (vs_flash, vs_cudnn))
        print(f"{n:<16}" + "".join(f"{c:>17}" for c in cells) + mins, file=out)


def markdown(summaries: list[dict[str, Any]], header: str) -> str:
    lines = [header, ""]
    for s in summaries:
        lines += [f"**{s['label']}** ({s['flops'] / 1e9:.1f} GFLOP)", "",
                  "| kernel | median ms [95% CI] | TFLOP/s | × SDPA flash [95% CI] | × cuDNN | rel L2 |",
                  "| --- | --- | ---: | --- | ---: | ---: |"]
        for r in s["rows"]:
            err = r["correctness"]["relL2Err"] if r["correctness"] else None
            e = f"{err:.2e}" if isinstance(err, float) and math.isfinite(err) else "—"
            if "median" not in r:
                msg = r["error"]["message"] if r["error"] else "not timed"
                lines.append(f"| {r['name']} | failed/skipped: {msg[:80]} | | | | {e} |")
                continue
            fl, cu = r.get("sdpa-flash"), r.get("sdpa-cudnn")
            fls = f"{fl['ratio']:.3f} [{fl['lo']:.3f}, {fl['hi']:.3f}]" if fl else "—"
            cus = f"{cu['ratio']:.3f}" if cu else "—"
            lines.append(f"| {r['name']} | {r['median']:.4f} [{r['lo']:.4f}, {r['hi']:.4f}] | "
                         f"{r['tflops']:.1f} | {fls} | {cus} | {e} |")
        lines.append("")
    return "\n".join(lines)


def write_results(args, p: Problem, cands: list[Candidate], env, tool, created,
                  summary_rows) -> None:
    total = env["gpu"].get("memoryBytes")
    nbytes = 4 * p.b * p.h * p.s * p.d * DTYPE_BYTES[p.dtype]
    stamp = created.replace(":", "").replace("-", "").split(".")[0]
    others = len([c for c in cands if c.samples])
    for c in cands:
        est = nbytes + (p.b * p.h * p.s * 4 if c.backend == "sdpa" else 0)  # + LSE
        memory = {"estimateBytes": est, "peakBytes": None, "deviceTotalBytes": total,
                  "usageFraction": est / total if total else None,
                  "oomRisk": bool(total and est / total > 0.85)}
        notes = [
            f"interleaved: {others} candidates, one sample each per round, order rotated per "
            "round (native-runner/cuda/bench/bench_cuda.py)",
            f"cold: a GPU sleep (~{args.sleep_us} µs) and an L2 flush (a ≥256 MiB memset) "
            "precede each sample, outside the CUDA-event pair",
            "inputs: torch.randn (seeded per problem), the same tensors for every candidate",
        ]
        status = "completed" if c.samples else ("failed" if c.error else "cancelled")
        error = c.error if status != "completed" else None
        if status == "cancelled":
            error = {"code": "not-timed", "message": "no samples were taken"}
        res = make_result(
            run_id=f"bench-cuda-{stamp}-{c.name}-{p.label}",
            created_at=created, tool=tool, cfg=p.cfg, backend=c.backend, kernel=c.kernel,
            kernel_params={k: v for k, v in c.params.items()
                           if isinstance(v, (str, int, float, bool))},
            env=env, samples_ms=c.samples, throttled=c.throttled if c.samples else None,
            warmup=args.warmup, notes=notes, clocks=c.clocks, memory=memory,
            correctness=c.correctness, status=status, error=error)
        write_atomic(os.path.join(args.out, result_filename(c.backend, c.kernel, p.cfg)), res)


def finite(x: Any) -> Any:
    """The value with every non-finite float replaced by None (JSON has no NaN)."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [finite(v) for v in x]
    return x


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lib", required=True, help="path of libattnlab_cuda_bench.so (build.sh)")
    ap.add_argument("--out", default="bench-out", help="folder for result files (default %(default)s)")
    ap.add_argument("--kernels", default="", help="comma-separated kernel ids (default: all)")
    ap.add_argument("--sdpa", default=",".join(SDPA_BACKENDS),
                    help="SDPA backends to compare (default %(default)s; '' for none)")
    ap.add_argument("--shapes", default=DEFAULT_SHAPES, help="BxHxSxD list (default %(default)s)")
    ap.add_argument("--dtypes", default="f16,bf16")
    ap.add_argument("--causal", default="0,1", help="0, 1 or 0,1 (default %(default)s)")
    ap.add_argument("--samples", type=int, default=100, help="samples per candidate (rounds)")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--sleep-us", type=int, default=50)
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--probe-timeout", type=float, default=60.0)
    ap.add_argument("--no-probe", action="store_true", help="skip the subprocess probe")
    ap.add_argument("--probe", default="", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    a.sdpa = [s for s in a.sdpa.split(",") if s]
    for s in a.sdpa:
        if s not in SDPA_BACKENDS:
            ap.error(f"--sdpa: must be from {', '.join(SDPA_BACKENDS)} (got {s!r})")
    if not 1 <= a.samples <= 100000:
        ap.error(f"--samples: must be in 1..100000 (got {a.samples})")
    try:
        a.shape_list = [tuple(int(x) for x in s.split("x")) for s in a.shapes.split(",") if s]
        assert all(len(t) == 4 for t in a.shape_list)
    except (ValueError, AssertionError):
        ap.error(f"--shapes: must be a comma list of BxHxSxD (got {a.shapes!r})")
    a.dtype_list = [d for d in a.dtypes.split(",") if d]
    for d in a.dtype_list:
        if d not in ("f16", "bf16"):
            ap.error(f"--dtypes: must be from f16, bf16 (got {d!r})")
    a.causal_list = [c == "1" for c in a.causal.split(",") if c in ("0", "1")]
    if not a.causal_list:
        ap.error(f"--causal: must be 0, 1 or 0,1 (got {a.causal!r})")
    return a


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.probe:
        return probe_main(args)
    import torch
    if not torch.cuda.is_available():
        print("error: no CUDA device visible to torch", file=sys.stderr)
        return 2
    lib = KernelLib(args.lib)
    wanted = [k for k in args.kernels.split(",") if k] or sorted(lib.ids)
    unknown = [k for k in wanted if k not in lib.ids]
    if unknown:
        print(f"error: --kernels: unknown {unknown}; the library has {sorted(lib.ids)}",
              file=sys.stderr)
        return 2
    wanted = [k for k in wanted if k != "naive-f32"]  # f32 only; the benchmark is f16/bf16
    os.makedirs(args.out, exist_ok=True)

    probes: dict[str, dict[str, Any]] = {}
    if not args.no_probe:
        t = time.monotonic()
        probes = run_probes(args, wanted)
        print(f"probe ({time.monotonic() - t:.1f} s): small odd shapes, f64 reference")
        for k in wanted:
            r = probes[k]
            print(f"  {k:<16} {'ok' if r['ok'] else 'EXCLUDED'}  "
                  f"{r.get('cases', 0)} cases  {r['why'][:200]}")
            for ln in r["log"]:
                print(f"      | {ln[:200]}")
    kernel_ids = [k for k in wanted if args.no_probe or probes[k]["ok"]]

    nvml = Nvml()
    env = environment(torch, nvml, args.lib)
    tool = {"name": "attnlab-bench-cuda", "version": TOOL_VERSION}
    commit = git_commit()
    if commit:
        tool["commit"] = commit
    created = dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")
    g = env["gpu"]
    print(f"device: {g['name']} (cc {g['computeCapability']}, {g['smCount']} SMs, driver "
          f"{g.get('driver', '?')}), torch {torch.__version__}, cuDNN "
          f"{env['software']['cudnn']}; {args.samples} samples per candidate, cold L2")

    try:
        ceilings = measure_ceilings(torch, lib)
    except Exception as e:  # reported, not fatal: the comparison does not depend on it
        print(f"note: ceilings not measured ({e})", file=sys.stderr)
        ceilings = {}
    torch.cuda.empty_cache()
    if ceilings:
        print("ceilings: " + ", ".join(f"{k} {v:.1f}" for k, v in ceilings.items()))

    summaries = []
    log = open(os.path.join(args.out, "tables.txt"), "w")
    problem_seed = args.seed
    for (b, h, s, d) in args.shape_list:
        for dtype in args.dtype_list:
            for causal in args.causal_list:
                p = Problem(b, h, s, d, dtype, causal)
                problem_seed += 1
                try:
                    cands = run_problem(torch, args, lib, kernel_ids, p, nvml, problem_seed)
                except Exception:
                    traceback.print_exc()
                    print(f"problem {p.label} aborted", file=sys.stderr)
                    continue
                for k in wanted:
                    if k not in kernel_ids and lib.supports(k, dtype, d, causal):
                        c = Candidate(k, "cuda", k, lib.params(k, b, h, s, d, causal, dtype),
                                      lambda: None, lambda: None)
                        c.error = {"code": "probe-failed", "message": probes[k]["why"][:500]}
                        cands.append(c)
                summary = summarise(p, cands)
                summaries.append(summary)
                print_problem(summary)
                print_problem(summary, out=log)
                write_results(args, p, cands, env, tool, created, summary)
                torch.cuda.empty_cache()
    print_summary(summaries, out=log)
    log.close()
    header = (f"Device: {g['name']}, driver {g.get('driver', '?')}, torch {torch.__version__}, "
              f"cuDNN {env['software']['cudnn']}, {env['compiler']['version']}, "
              f"flags `{env['compiler']['flags']}`; {args.samples} interleaved cold samples per "
              f"candidate; created {created}. Ceilings measured in the same run: "
              + (", ".join(f"{k} {v:.1f}" for k, v in ceilings.items()) or "none") + ".")
    with open(os.path.join(args.out, "summary.md"), "w") as f:
        f.write(markdown(summaries, header) + "\n")
    write_atomic(os.path.join(args.out, "summary.json"),
                 finite({"created": created, "env": env, "probes": probes,
                         "ceilings": ceilings, "problems": summaries}))
    print_summary(summaries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
