#!/usr/bin/env python3
"""attnlab SDPA harness: PyTorch scaled_dot_product_attention with one backend forced
(flash, cudnn, efficient, math), checked against f64 rows, timed with CUDA events, speaking the
harness lines of DESIGN.md on stdout (the same lines as the CUDA and CPU harnesses).

Run alone:
  python3 native-runner/python/sdpa_harness.py --kernel flash --batch 8 --heads 16 --seq 2048 \
      --dim 128 --dtype f16 --causal 1 --iterations 100
  python3 native-runner/python/sdpa_harness.py --kernel cudnn --batch 8 --heads 32 --kv-heads 8 \
      --seq 1 --kv-seq 8192 --dim 128 --dtype f16 --iterations 100     (grouped-query decode)
  python3 native-runner/python/sdpa_harness.py --selftest
K and V are [B, Hkv, Skv, D]: grouped heads go through enable_gqa=True (PyTorch >= 2.5), causal
with S != Skv through torch.nn.attention.bias.causal_lower_right (bottom-right, as FlashAttention);
kernelParams record which (harness_common.sdpa_plan).
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
import kv_shape as kv  # noqa: E402
from parent_death import exit_with_parent  # noqa: E402
import user_callable as uc  # noqa: E402

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
    """Q [B,H,S,D], K, V [B,Hkv,Skv,D] in the run's dtype (seeded like every other backend, by flat
    index, or the user's: raw f32 q, k, v back to back)."""
    n, nkv = hc.elements(a), hc.kv_elements(a)
    sizes = (n, nkv, nkv)
    shapes = ((a.batch, a.heads, a.seq, a.dim),) + ((a.batch, a.kv_heads, a.kv_seq, a.dim),) * 2
    dt = torch_dtype(torch, a.dtype)
    if a.inputs:
        total = n + 2 * nkv
        if os.path.getsize(a.inputs) != 4 * total:
            raise hc.HarnessError("io-error", f"--inputs: {a.inputs} must hold exactly B*H*S*D + 2*B*Hkv*Skv*D = "
                                              f"{total} float32 values")
        raw = torch.from_file(a.inputs, shared=False, size=total, dtype=torch.float32)
        starts = (0, n, n + nkv)
        return [raw[starts[i]:starts[i] + sizes[i]].reshape(shapes[i]).to(dev).to(dt) for i in range(3)]
    out = []
    for t in range(3):
        idx = torch.arange(sizes[t], dtype=torch.int64, device=dev)
        h = hc.hash_array(idx, hc.splitmix64(a.seed * 3 + t), hc.signed_const)
        u = ((h >> 40) & 0xFFFFFF).to(torch.float64) * (1.0 / 16777216.0)
        out.append(((2.0 * u - 1.0) * 1.7320508075688772).to(torch.float32).reshape(shapes[t]).to(dt))
        del h, u, idx
    return out


def lower_right_bias():
    """torch.nn.attention.bias.causal_lower_right, or None on a torch without it."""
    try:
        from torch.nn.attention.bias import causal_lower_right
    except ImportError:
        return None
    return causal_lower_right


def sdpa_call(torch, a, dev=None):
    """The forced backend, the call, and its plan (how causal and grouped heads are expressed)."""
    import torch.nn.functional as F
    from torch.nn.attention import SDPBackend

    backend = {"flash": SDPBackend.FLASH_ATTENTION, "cudnn": SDPBackend.CUDNN_ATTENTION,
               "efficient": SDPBackend.EFFICIENT_ATTENTION, "math": SDPBackend.MATH}[a.kernel]
    scale = hc.resolved_scale(a)
    lower_right = lower_right_bias()
    plan = kv.sdpa_plan(a, torch.__version__, lower_right is not None)
    kwargs = {"scale": scale, "is_causal": plan["isCausal"]}
    if plan["enableGqa"]:
        kwargs["enable_gqa"] = True
    if plan["causalMask"] == "causal_lower_right":
        # A CausalBias: PyTorch routes it to the flash/efficient kernels' own bottom-right mode,
        # else materialises it as a boolean mask for the backend that is enabled.
        kwargs["attn_mask"] = lower_right(a.seq, a.kv_seq)
    elif plan["causalMask"] == "explicit-bool-mask":
        dev = dev or torch.device("cuda", a.device)
        rows = torch.arange(a.seq, device=dev)[:, None] + (a.kv_seq - a.seq)
        kwargs["attn_mask"] = torch.arange(a.kv_seq, device=dev)[None, :] <= rows

    def call(q, k, v):
        return F.scaled_dot_product_attention(q, k, v, **kwargs)

    return backend, call, plan


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
        kvh = kv.kv_head_of(h, a.heads, a.kv_heads)
        kk, vv = k[b, kvh].double().cpu(), v[b, kvh].double().cpu()
        idx = torch.tensor(rs)
        s = (q[b, h][idx.to(q.device)].double().cpu() @ kk.T) * scale
        last = torch.tensor([kv.last_visible_key(a.causal, r, a.seq, a.kv_seq) for r in rs])
        s = s.masked_fill(torch.arange(a.kv_seq)[None, :] > last[:, None], float("-inf"))
        ref = torch.softmax(s, dim=-1) @ vv
        # A row that sees no key (bottom-right causal, S > Skv) is zeros, as in FlashAttention.
        ref = torch.where((last >= 0)[:, None], ref, torch.zeros_like(ref))
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
    n, nkv = hc.elements(a), hc.kv_elements(a)
    elem = 4 if a.dtype == "f32" else 2
    total = (2 * n + 2 * nkv) * elem + a.batch * a.heads * a.seq * 4  # q, o, k, v + logsumexp
    if a.kernel == "math":
        total += 3 * a.batch * a.heads * a.seq * a.kv_seq * elem  # scores, probabilities, temporaries
    return total + (0 if a.warm else hc.L2_FLUSH_BYTES)


def forced(backend):
    """The SDPA backend context, or nothing for a user callable (backend None)."""
    import contextlib
    from torch.nn.attention import sdpa_kernel

    return contextlib.nullcontext() if backend is None else sdpa_kernel(backend)


def user_call(torch, a):
    """`--callable`: the user's fn(q, k, v, causal, scale), on the same inputs and checks as SDPA."""
    try:
        fn = uc.load_callable(a.callable)
    except uc.CallableError as err:
        raise hc.HarnessError(err.code, str(err))
    scale = hc.resolved_scale(a)

    def call(q, k, v):
        return fn(q, k, v, a.causal, scale)

    return call, {"callable": a.callable, "torch": torch.__version__}


def time_run(torch, a, call, backend_ctx, q, k, v, monitor):
    stream = torch.cuda.current_stream()
    hc.emit_phase("warmup")
    with forced(backend_ctx):
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


def copy_gbps(torch, dev):
    """The measured bandwidth ceiling for memory-bound problems (decode): best of 5 timed
    device-to-device copies of 256 MiB after one warm-up, bytes read + written; None without the
    memory."""
    nbytes = 256 << 20
    try:
        src = torch.ones(nbytes, dtype=torch.uint8, device=dev)
        dst = torch.empty_like(src)
    except RuntimeError:
        return None
    best = None
    for i in range(6):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        dst.copy_(src)
        b.record()
        b.synchronize()
        ms = a.elapsed_time(b)
        if i > 0 and ms > 0 and (best is None or ms < best):
            best = ms
    del src, dst
    torch.cuda.empty_cache()
    return 2.0 * nbytes / (best * 1e-3) / 1e9 if best else None


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
    copy = copy_gbps(torch, dev)
    if copy:
        env["gpu"]["copyGbps"] = copy
    if a.callable:
        backend, plan = None, {"causalMask": "callable", "enableGqa": "callable"}
        call, params = user_call(torch, a)
    else:
        backend, call, plan = sdpa_call(torch, a, dev)
        params = {"sdpBackend": backend.name, "torch": torch.__version__, "isCausal": plan["isCausal"],
                  "causalMask": plan["causalMask"], "enableGqa": plan["enableGqa"]}
    hc.emit({"type": "hello", "schema": hc.HARNESS_SCHEMA, "backend": "sdpa", "kernel": a.kernel,
             "kernelParams": params, "env": env})
    if not a.callable and a.dtype not in DTYPES[a.kernel]:
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
    try:
        with forced(backend):
            o = call(q, k, v)
        torch.cuda.synchronize()
    except (RuntimeError, TypeError) as err:  # TypeError: a torch whose CausalBias lacks enable_gqa
        raise hc.HarnessError("unsupported", f"SDPA {a.kernel} cannot run this config here "
                              f"({plan['causalMask']}, enable_gqa={plan['enableGqa']}): {str(err).splitlines()[0]}")
    result = check(torch, a, q, k, v, o)
    hc.emit({"type": "check", "correctness": result})
    if a.output:
        write_output(a.output, o)
    why = None if result["passed"] else kv.empty_rows_explain(
        torch, a, o, lambda fixed: check(torch, a, q, k, v, fixed)["passed"])
    if why:
        raise hc.HarnessError("unsupported", f"SDPA {a.kernel} {why}")
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
        flops = 4.0 * a.batch * a.heads * kv.visible_pairs(a) * a.dim
        nbytes = (2 * hc.elements(a) + 2 * hc.kv_elements(a)) * (4 if a.dtype == "f32" else 2)
        hc.emit_log(f"median {med:.4f} ms: {flops / (med * 1e-3) / 1e12:.1f} TFLOP/s, "
                    f"{nbytes / (med * 1e-3) / 1e9:.0f} GB/s of minimal bytes")
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
    from torch.nn.attention import sdpa_kernel
    print(f"attnlab SDPA selftest on {torch.cuda.get_device_name(a.device)}, torch {torch.__version__}",
          file=hc._LINES, flush=True)
    failures = cases = 0
    for kernel in hc.KERNELS:
        for dtype in DTYPES[kernel]:
            for b, h, hkv, s, skv, d, causal, scale in kv.selftest_shapes():
                a.kernel, a.batch, a.heads, a.seq, a.dim, a.causal, a.scale, a.dtype = kernel, b, h, s, d, causal, scale, dtype
                a.kv_heads, a.kv_seq, a.seed = hkv, skv, 7
                label = (f"sdpa-{kernel} {dtype} B={b} H={h} Hkv={hkv} S={s} Skv={skv} D={d} "
                         f"{'causal' if causal else 'full'} scale={'1' if scale else '1/sqrt(D)'}")
                cases += 1
                try:
                    backend, call, plan = sdpa_call(torch, a)
                    label += f" [{plan['causalMask']}{', enable_gqa' if plan['enableGqa'] else ''}]"
                    q, k, v = make_inputs(torch, a, torch.device("cuda", a.device))
                    with sdpa_kernel(backend):
                        o = call(q, k, v)
                    r = check(torch, a, q, k, v, o, 1024)
                    why = None if r["passed"] else kv.empty_rows_explain(
                        torch, a, o, lambda fixed: check(torch, a, q, k, v, fixed, 1024)["passed"])
                    if why:
                        print(f"SKIP {label}: {why}", file=hc._LINES, flush=True)
                        continue
                    failures += 0 if r["passed"] else 1
                    print(f"{'PASS' if r['passed'] else 'FAIL'} {label}: {r['note']}", file=hc._LINES, flush=True)
                except hc.HarnessError as err:
                    print(f"SKIP {label}: {err}", file=hc._LINES, flush=True)
                except (RuntimeError, TypeError) as err:
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
            sizes = (hc.elements(a), hc.kv_elements(a), hc.kv_elements(a))
            with open(a.dump_inputs, "wb") as f:
                for t in range(3):
                    f.write(hc.inputs_numpy(a.seed, t, sizes[t]).tobytes())
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
