"""Grouped-query heads and S != Skv for the SDPA harness (issue 14), pure Python: which KV head a
query head reads, the bottom-right causal rule, how the SDPA call expresses both (enable_gqa,
causal_lower_right or an explicit mask), the f64 reference rows (numpy), what a NaN in a row
that sees no key means, and the self-test shapes.
K, V are [B, Hkv, Skv, D]; Q, O are [B, H, S, D]. Tested without torch by test_kv_shapes.py.
"""

import harness_common as hc


def kv_head_of(h, heads, kv_heads):
    """The KV head query head h reads (grouped-query attention)."""
    return h * kv_heads // heads


def last_visible_key(causal, i, seq, kv_seq):
    """The last key query row i sees (-1: none). Causal is aligned bottom-right (FlashAttention
    >= 2.1): row i sees keys j <= i + Skv - S."""
    return max(-1, min(kv_seq - 1, i + kv_seq - seq)) if causal else kv_seq - 1


def visible_pairs(a):
    """(query, key) pairs one head computes, counted exactly (for FLOPs)."""
    return sum(last_visible_key(a.causal, i, a.seq, a.kv_seq) + 1 for i in range(a.seq))


def torch_at_least(version, major, minor):
    """True when a torch version string ("2.5.1+cu124", "2.6.0a0") is >= major.minor."""
    parts = version.split("+")[0].split(".")
    try:
        return (int(parts[0]), int("".join(ch for ch in parts[1] if ch.isdigit()) or 0)) >= (major, minor)
    except (IndexError, ValueError):
        return False


def sdpa_plan(a, torch_version, has_lower_right):
    """How the SDPA call expresses this problem, or why it cannot (a HarnessError "unsupported").

    Returns {"isCausal", "causalMask", "enableGqa"}: causalMask is "none", "is_causal" (square:
    top-left and bottom-right coincide), "causal_lower_right" (torch.nn.attention.bias; PyTorch's
    is_causal is top-left, so S != Skv needs it) or "explicit-bool-mask" (older torch without it).
    Grouped heads use enable_gqa=True (PyTorch >= 2.5), never a copy of K and V."""
    plan = {"isCausal": False, "causalMask": "none", "enableGqa": False}
    if a.kv_heads != a.heads:
        if not torch_at_least(torch_version, 2, 5):
            raise hc.HarnessError("unsupported", f"--kv-heads: grouped-query heads need enable_gqa (PyTorch >= 2.5); "
                                              f"torch {torch_version} has none (K/V are not copied to fake it)")
        plan["enableGqa"] = True
    if a.causal:
        if a.seq == a.kv_seq:
            plan["isCausal"], plan["causalMask"] = True, "is_causal"
        else:
            plan["causalMask"] = "causal_lower_right" if has_lower_right else "explicit-bool-mask"
    return plan


def reference_rows_numpy(a, q, k, v, rows):
    """f64 attention for (bh, row) pairs with numpy: q [B,H,S,D], k, v [B,Hkv,Skv,D] (any float
    arrays). Grouped heads and bottom-right causal as everywhere; a row that sees no key is zeros
    (FlashAttention's convention). Returns an array [len(rows), D]."""
    import numpy as np

    out = np.zeros((len(rows), a.dim))
    scale = hc.resolved_scale(a)
    for n, (bh, i) in enumerate(rows):
        b, h = divmod(bh, a.heads)
        kvh = kv_head_of(h, a.heads, a.kv_heads)
        last = last_visible_key(a.causal, i, a.seq, a.kv_seq)
        if last < 0:
            continue
        kk = np.asarray(k[b, kvh, : last + 1], dtype=np.float64)
        s = kk @ np.asarray(q[b, h, i], dtype=np.float64) * scale
        p = np.exp(s - s.max())
        out[n] = p @ np.asarray(v[b, kvh, : last + 1], dtype=np.float64) / p.sum()
    return out


def empty_rows(a):
    """Query rows that see no key (bottom-right causal with S > Skv)."""
    return [i for i in range(a.seq) if last_visible_key(a.causal, i, a.seq, a.kv_seq) < 0]


def empty_rows_explain(torch, a, o, passes):
    """Why a failed check is a backend convention rather than a wrong result, or None: when the
    output with the rows that see no key set to zeros passes `passes(o)`, the only difference is
    what the backend writes for a softmax over no keys (NaN, or the values it leaves there)."""
    empty = empty_rows(a)
    if not empty:
        return None
    fixed = o.clone()
    fixed[:, :, torch.tensor(empty, device=o.device)] = 0
    if not passes(fixed):
        return None
    what = "NaN" if not bool(torch.isfinite(o.float()).all()) else "non-zero values"
    return (f"returns {what} for the {len(empty)} query row(s) that see no key (bottom-right causal with "
            f"S > Skv); attnlab's convention, FlashAttention's, is zeros (the other rows match the reference)")


def selftest_shapes():
    """(B, H, Hkv, S, Skv, D, causal, scale): the square shapes, then issue 14's grouped-query and
    decode shapes (S in {1, 3, 77}, Skv in {1, 300, 1000}, Hkv in {1, 2, H}, causal and not) and
    the batch-1 Llama-3 decode shape."""
    shapes = [(1, 2, 2, 77, 77, 64, False, 0.0), (1, 2, 2, 77, 77, 64, True, 0.0),
              (2, 3, 3, 128, 128, 128, True, 0.0), (1, 2, 2, 130, 130, 32, True, 0.0),
              (2, 2, 2, 200, 200, 128, False, 1.0), (1, 2, 2, 2048, 2048, 128, True, 0.0)]
    for s in (1, 3, 77):
        for skv in (1, 300, 1000):
            for hkv in (1, 2, 8):
                for causal in (False, True):
                    shapes.append((1, 8, hkv, s, skv, 128, causal, 0.0))
    shapes.append((1, 32, 8, 1, 8192, 128, False, 0.0))
    return shapes
