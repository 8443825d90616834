#!/usr/bin/env python3
"""attnlab SDPA harness: PyTorch scaled_dot_product_attention with one backend forced
(flash, cudnn, efficient, math), checked against f64 rows, timed with CUDA events, speaking the
harness lines of DESIGN.md on stdout (the same lines as the CUDA and CPU harnesses).

Run alone:
  python3 native-runner/python/sdpa_harness.py --kernel flash --batch 8 --heads 16 --seq 2048 \
      --dim 128 --dtype f16 --causal 1 --iterations 100
  python3 native-runner/python/sdpa_harness.py --selftest
Without --iterations it samples until it reads "stop" (or EOF) on stdin.
"""

import math
import os
import platform
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness_common as hc  # noqa: E402  (after the path fix-up)
from parent_death import exit_with_parent  # noqa: E402

DTYPES = {"flash": ("f16", "bf16"), "cudnn": ("f16", "bf16"), "efficient": ("f32", "f16", "bf16"),
          "math": ("f32", "f16", "bf16")}


def import_torch():
    try:
        import torch  # noqa: F401
        from torch.nn.attention import SDPBackend, sdpa_kernel  # noqa: F401
    except ImportError as err:
        raise hc.HarnessError("unsupported", f"PyTorch with torch.nn.attention is not available: {err}")
    if not torch.cuda.is_available():
        raise hc.HarnessError("unsupported", f"torch {torch.__version__} found but CUDA is not available")
    return torch


def torch_dtype(torch, name):
    return {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}[name]


def gpu_env(torch, a, nvml):
    props = torch.cuda.get_device_properties(a.device)
    cc = f"{props.major}.{props.minor}"
    sm_mhz, mem_mhz = nvml.max_clock(False), nvml.max_clock(True)
    per_clock = {8: 2048 if props.minor == 0 else 1024, 9: 4096}.get(props.major, 4096 if props.major >= 10 else 0)
    gpu = {"name": props.name, "cudaRuntime": str(torch.version.cuda), "computeCapability": cc,
           "smCount": props.multi_processor_count, "memoryBytes": props.total_memory}
    for key, val in (("driver", nvml.driver_version()), ("cudaDriver", nvml.cuda_driver_version()),
                     ("smClockMaxMHz", sm_mhz), ("memClockMaxMHz", mem_mhz)):
        if val is not None:
            gpu[key] = val
    if sm_mhz:
        gpu["peakTflops"] = props.multi_processor_count * sm_mhz * 1e6 * per_clock / 1e12
    software = {"torch": torch.__version__, "python": platform.python_version(),
                "cudnn": str(torch.backends.cudnn.version()),
                "nvml": "ok" if nvml.ok else f"unavailable: {nvml.why}"}
    host = {"hostname": socket.gethostname(), "os": f"{platform.system()} {platform.release()} {platform.machine()}",
            "cpu": platform.processor() or platform.machine(), "cpus": os.cpu_count() or 1}
    return {"host": host, "gpu": gpu, "software": software}


def make_inputs(torch, a, dev):
    """Q, K, V [B,H,S,D] in the run's dtype (seeded like every other backend, or the user's)."""
    n = hc.elements(a)
    shape = (a.batch, a.heads, a.seq, a.dim)
    dt = torch_dtype(torch, a.dtype)
    if a.inputs:
        raw = torch.from_file(a.inputs, shared=False, size=3 * n, dtype=torch.float32) if os.path.getsize(a.inputs) == 12 * n else None
        if raw is None:
            raise hc.HarnessError("io-error", f"--inputs: {a.inputs} must hold exactly 3*B*H*S*D = {3 * n} float32 values")
        return [raw[i * n:(i + 1) * n].reshape(shape).to(dev).to(dt) for i in range(3)]
    idx = torch.arange(n, dtype=torch.int64, device=dev)
    out = []
    for t in range(3):
        h = hc.hash_array(idx, hc.splitmix64(a.seed * 3 + t), hc.signed_const)
        u = ((h >> 40) & 0xFFFFFF).to(torch.float64) * (1.0 / 16777216.0)
        out.append(((2.0 * u - 1.0) * 1.7320508075688772).to(torch.float32).reshape(shape).to(dt))
        del h, u
    return out


def sdpa_call(torch, a):
    import torch.nn.functional as F
    from torch.nn.attention import SDPBackend

    backend = {"flash": SDPBackend.FLASH_ATTENTION, "cudnn": SDPBackend.CUDNN_ATTENTION,
               "efficient": SDPBackend.EFFICIENT_ATTENTION, "math": SDPBackend.MATH}[a.kernel]
    scale = hc.resolved_scale(a)

    def call(q, k, v):
        return F.scaled_dot_product_attention(q, k, v, is_causal=a.causal, scale=scale)

    return backend, call


def check(torch, a, q, k, v, o, f64_rows=256):
    """Compares sampled rows of O with f64 attention on the CPU from the same (rounded) inputs."""
    rows = hc.sample_rows(a, a.seed, f64_rows)
    scale = hc.resolved_scale(a)
    o_host = o.float().cpu()
    non_finite = int((~torch.isfinite(o_host)).sum())
    sq_err = sq_ref = max_abs = 0.0
    by_head = {}
    for bh, r in rows:
        by_head.setdefault(bh, []).append(r)
    for bh, rs in by_head.items():
        b, h = divmod(bh, a.heads)
        kk, vv = k[b, h].double().cpu(), v[b, h].double().cpu()
        idx = torch.tensor(rs)
        s = (q[b, h][idx.to(q.device)].double().cpu() @ kk.T) * scale
        if a.causal:
            keys = torch.arange(a.seq)
            s = s.masked_fill(keys[None, :] > idx[:, None], float("-inf"))
        ref = torch.softmax(s, dim=-1) @ vv
        got = o_host[b, h][idx].double()
        finite = torch.isfinite(got)
        err = (got - ref).abs().where(finite, torch.zeros_like(ref))
        max_abs = max(max_abs, float(err.max()))
        sq_err += float((err ** 2).sum())
        sq_ref += float((ref.where(finite, torch.zeros_like(ref)) ** 2).sum())
    rel = math.sqrt(sq_err / sq_ref) if sq_ref > 0 else math.sqrt(sq_err)
    tol = hc.tolerance_for(a.dtype)
    passed = non_finite == 0 and rel <= tol
    note = (f"vs f64 on sampled rows: max abs err {max_abs:.3g}, rel L2 err {rel:.3g}" if non_finite == 0
            else f"{non_finite} non-finite values in the output")
    note += "; SDPA allocates its output, so it cannot be poisoned before the run"
    return {"reference": "f64-cpu", "rowsChecked": len(rows), "rowsTotal": a.batch * a.heads * a.seq,
            "maxAbsErr": None if non_finite else max_abs, "relL2Err": None if non_finite else rel,
            "tolerance": tol, "passed": passed, "note": note}


def estimate_bytes(a):
    n = hc.elements(a)
    elem = 4 if a.dtype == "f32" else 2
    total = 4 * n * elem + a.batch * a.heads * a.seq * 4  # q, k, v, o + logsumexp
    if a.kernel == "math":
        total += 3 * a.batch * a.heads * a.seq * a.seq * elem  # scores, probabilities, temporaries
    return total + (0 if a.warm else hc.L2_FLUSH_BYTES)


def time_run(torch, a, call, backend_ctx, q, k, v, monitor):
    from torch.nn.attention import sdpa_kernel

    stream = torch.cuda.current_stream()
    hc.emit_phase("warmup")
    with sdpa_kernel(backend_ctx):
        def probe(reps):
            ev = [torch.cuda.Event(enable_timing=True) for _ in range(2 * reps)]
            for i in range(reps):
                ev[2 * i].record(stream)
                call(q, k, v)
                ev[2 * i + 1].record(stream)
            ev[-1].synchronize()
            return sorted(ev[2 * i].elapsed_time(ev[2 * i + 1]) for i in range(reps))[reps // 2]

        call(q, k, v)
        first = probe(3)
        warmup = a.warmup if a.warmup >= 0 else min(1000, max(5, math.ceil(100.0 / max(first, 1e-4))))
        for _ in range(warmup):
            call(q, k, v)
        torch.cuda.synchronize()
        single = probe(5)
        dispatches, graph = 1, None
        notes = ["CUDA events (torch.cuda.Event) recorded on the stream around each sample "
                 "(resolution about 0.5 us per the CUDA documentation)"]
        if single < 0.020:
            dispatches = int(min(1000, max(2, math.ceil(0.1 / max(single, 1e-4)))))
            try:
                graph = torch.cuda.CUDAGraph()
                side = torch.cuda.Stream()
                side.wait_stream(stream)
                with torch.cuda.stream(side):
                    call(q, k, v)
                stream.wait_stream(side)
                with torch.cuda.graph(graph):
                    for _ in range(dispatches):
                        call(q, k, v)
                graph.replay()
                notes.append(f"one launch took {single * 1e3:.2f} us (< 20 us): each sample is a CUDA graph of "
                             f"{dispatches} launches divided by that count; only its first launch starts cold")
            except RuntimeError as err:
                graph = None
                notes.append(f"CUDA graph capture failed ({err}); each sample is {dispatches} plain launches")
        flush = None if a.warm else torch.empty(hc.L2_FLUSH_BYTES, dtype=torch.uint8, device=q.device)
        notes.append("warm: L2 not flushed between samples" if a.warm else
                     "cold: 256 MiB fill_ before each sample flushes L2, outside the timed span")
        per_sample = single * dispatches + (0 if a.warm else 0.15)
        batch = int(min(256, max(1, a.flush_ms * 0.5 / max(per_sample, 1e-3))))
        events = [torch.cuda.Event(enable_timing=True) for _ in range(2 * batch)]
        hc.emit_phase("timing")
        watcher = None if a.iterations else hc.StopWatcher()
        taken, samples, t_start, last_clock = 0, [], time.perf_counter(), -1e9
        while True:
            nb = min(batch, (a.iterations - taken) if a.iterations else batch, a.max_samples - taken)
            for i in range(nb):
                if flush is not None:
                    flush.fill_((taken + i) & 0xFF)
                events[2 * i].record(stream)
                if graph is not None:
                    graph.replay()
                else:
                    for _ in range(dispatches):
                        call(q, k, v)
                events[2 * i + 1].record(stream)
            events[2 * nb - 1].synchronize()
            ms = [events[2 * i].elapsed_time(events[2 * i + 1]) / dispatches for i in range(nb)]
            samples += ms
            line = {"type": "samples", "ms": ms}
            if monitor.nvml.ok:
                line["throttled"] = [monitor.take_throttled()] * nb
            hc.emit(line)
            taken += nb
            now = time.perf_counter()
            if (now - last_clock) * 1e3 >= 250 and monitor.latest is not None:
                hc.emit({"type": "clock", "clock": monitor.latest})
                last_clock = now
            if a.iterations:
                if taken >= a.iterations:
                    break
            elif taken >= a.max_samples or (now - t_start) * 1e3 >= a.max_ms or watcher.stopped():
                break
    if not monitor.nvml.ok:
        notes.append("NVML unavailable: throttling not observed")
    timing = {"method": "cuda-event", "quantumMs": None, "dispatchesPerSample": dispatches,
              "warmup": warmup, "cache": "warm" if a.warm else "cold",
              "stopRule": {"kind": "count", "iterations": max(taken, 1)}, "graph": graph is not None,
              "notes": notes}
    return timing, samples


def run(a):
    torch = import_torch()
    dev = torch.device("cuda", a.device)
    torch.cuda.set_device(dev)
    pci = pci_bus_id(torch, a.device)
    nvml = hc.Nvml(pci, a.device)
    env = gpu_env(torch, a, nvml)
    if a.info:
        hc.emit({"type": "hello", "schema": hc.HARNESS_SCHEMA, "backend": "sdpa", "env": env})
        return 0
    backend, call = sdpa_call(torch, a)
    params = {"sdpBackend": backend.name, "torch": torch.__version__, "isCausal": a.causal}
    hc.emit({"type": "hello", "schema": hc.HARNESS_SCHEMA, "backend": "sdpa", "kernel": a.kernel,
             "kernelParams": params, "env": env})
    if a.dtype not in DTYPES[a.kernel]:
        raise hc.HarnessError("unsupported", f"--dtype: SDPA {a.kernel} supports {', '.join(DTYPES[a.kernel])} (got {a.dtype})")
    free, total = torch.cuda.mem_get_info(dev)
    estimate = estimate_bytes(a)
    margin = 256 << 20
    if estimate + margin > free:
        raise hc.HarnessError("too-large-for-device",
                              f"needs ~{estimate / 2**30:.2f} GiB (+0.25 GiB margin) but only {free / 2**30:.2f} GiB "
                              f"of {total / 2**30:.2f} GiB is free on {env['gpu']['name']}")
    used_before = total - free
    hc.emit({"type": "memory", "memory": {"estimateBytes": estimate, "peakBytes": None, "deviceTotalBytes": total,
                                          "freeBeforeBytes": free, "usageFraction": (used_before + estimate) / total,
                                          "oomRisk": (used_before + estimate) / total > 0.85}})
    torch.cuda.reset_peak_memory_stats(dev)
    q, k, v = make_inputs(torch, a, dev)
    hc.emit_phase("checking")
    from torch.nn.attention import sdpa_kernel
    try:
        with sdpa_kernel(backend):
            o = call(q, k, v)
        torch.cuda.synchronize()
    except RuntimeError as err:
        raise hc.HarnessError("unsupported", f"SDPA {a.kernel} cannot run this config here: {str(err).splitlines()[0]}")
    result = check(torch, a, q, k, v, o)
    hc.emit({"type": "check", "correctness": result})
    if a.output:
        write_output(a.output, o)
    if not result["passed"]:
        raise hc.HarnessError("correctness-failed", f"SDPA {a.kernel} does not match the f64 reference "
                              f"({result['note']}); not timed")
    del o
    monitor = hc.Monitor(nvml, time.perf_counter())
    timing, samples = time_run(torch, a, call, backend, q, k, v, monitor)
    monitor.stop.set()
    peak = used_before + torch.cuda.max_memory_reserved(dev)
    hc.emit({"type": "memory", "memory": {"estimateBytes": estimate, "peakBytes": peak, "deviceTotalBytes": total,
                                          "freeBeforeBytes": free, "usageFraction": peak / total,
                                          "oomRisk": peak / total > 0.85}})
    if samples:
        med = sorted(samples)[len(samples) // 2]
        flops = 4.0 * a.batch * a.heads * a.seq * a.seq * a.dim * (0.5 if a.causal else 1.0)
        hc.emit_log(f"median {med:.4f} ms: {flops / (med * 1e-3) / 1e12:.1f} TFLOP/s")
    hc.emit({"type": "done", "timing": timing})
    return 0


def write_output(path, o):
    """O as raw f32, atomically (temp file + rename)."""
    import array

    tmp = f"{path}.tmp{os.getpid()}"
    flat = o.float().cpu().contiguous().view(-1)
    try:
        data = flat.numpy().tobytes()
    except RuntimeError:  # torch built without numpy
        data = array.array("f", flat.tolist()).tobytes()
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def pci_bus_id(torch, device):
    """The device's PCI bus id as NVML wants it ("0000:18:00.0"), or "" when torch hides it."""
    props = torch.cuda.get_device_properties(device)
    bus = getattr(props, "pci_bus_id", None)
    if isinstance(bus, int):
        return f"{getattr(props, 'pci_domain_id', 0):04x}:{bus:02x}:{getattr(props, 'pci_device_id', 0):02x}.0"
    return ""


def selftest(a):
    torch = import_torch()
    shapes = [(1, 2, 77, 64, False, 0.0), (1, 2, 77, 64, True, 0.0), (2, 3, 128, 128, True, 0.0),
              (1, 2, 130, 32, True, 0.0), (2, 2, 200, 128, False, 1.0), (1, 2, 2048, 128, True, 0.0)]
    from torch.nn.attention import sdpa_kernel
    print(f"attnlab SDPA selftest on {torch.cuda.get_device_name(a.device)}, torch {torch.__version__}",
          file=hc._LINES, flush=True)
    failures = cases = 0
    for kernel in hc.KERNELS:
        for dtype in DTYPES[kernel]:
            for b, h, s, d, causal, scale in shapes:
                a.kernel, a.batch, a.heads, a.seq, a.dim, a.causal, a.scale, a.dtype = kernel, b, h, s, d, causal, scale, dtype
                a.seed = 7
                label = f"sdpa-{kernel} {dtype} B={b} H={h} S={s} D={d} {'causal' if causal else 'full'} scale={'1' if scale else '1/sqrt(D)'}"
                cases += 1
                try:
                    backend, call = sdpa_call(torch, a)
                    q, k, v = make_inputs(torch, a, torch.device("cuda", a.device))
                    with sdpa_kernel(backend):
                        o = call(q, k, v)
                    r = check(torch, a, q, k, v, o, 1024)
                    failures += 0 if r["passed"] else 1
                    print(f"{'PASS' if r['passed'] else 'FAIL'} {label}: {r['note']}", file=hc._LINES, flush=True)
                except RuntimeError as err:
                    print(f"SKIP {label}: not available here ({str(err).splitlines()[0][:160]})", file=hc._LINES, flush=True)
    print(f"{'SELFTEST FAILED' if failures else 'SELFTEST PASSED'}: {failures} failure(s) in {cases} case(s)",
          file=hc._LINES, flush=True)
    return 1 if failures else 0


def main(argv):
    exit_with_parent()  # never outlive the runner (kill -9 included)
    try:
        a = hc.parse_args(argv)
    except hc.HarnessError as err:
        hc.emit_error(err.code, str(err))
        return 2
    try:
        if a.list:
            print("\n".join(hc.KERNELS), file=hc._LINES, flush=True)
            return 0
        if a.dump_inputs:
            n = hc.elements(a)
            with open(a.dump_inputs, "wb") as f:
                for t in range(3):
                    f.write(hc.inputs_numpy(a.seed, t, n).tobytes())
            return 0
        if a.selftest:
            return selftest(a)
        return run(a)
    except hc.HarnessError as err:
        hc.emit_error(err.code, str(err))
        return 1
    except Exception as err:  # a harness must end with an error line, whatever happened
        hc.emit_error("internal", f"{type(err).__name__}: {err}")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
