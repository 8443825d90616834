"""The SDPA harness's grouped-query / decode logic without torch: flag handling, the mask and
enable_gqa choice, and the f64 reference rows (numpy) against an independent formulation
(K/V repeated per query head, the bottom-right mask as numpy's tril with offset Skv - S).

Run: python3 -m pytest native-runner/python/test_kv_shapes.py   or   python3 test_kv_shapes.py
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness_common as hc  # noqa: E402
import kv_shape as kv  # noqa: E402


def expect_error(argv, code, text):
    try:
        hc.parse_args(argv)
    except hc.HarnessError as err:
        assert err.code == code, err.code
        assert str(err) == text, str(err)
        return
    raise AssertionError(f"{argv} was accepted")


def test_kv_flags_default_to_the_square_problem():
    a = hc.parse_args(["--kernel", "flash", "--heads", "8", "--seq", "77"])
    assert (a.kv_heads, a.kv_seq) == (8, 77)
    a = hc.parse_args(["--kernel", "flash", "--heads", "32", "--kv-heads", "8", "--seq", "1", "--kv-seq", "8192"])
    assert (a.kv_heads, a.kv_seq, hc.kv_elements(a)) == (8, 8192, 1 * 8 * 8192 * 64)


def test_kv_flags_are_range_checked():
    expect_error(["--kernel", "flash", "--heads", "8", "--kv-heads", "3"], "bad-config",
                 "--kv-heads: must divide --heads 8 (got 3)")
    expect_error(["--kernel", "flash", "--kv-seq", "0"], "bad-config",
                 '--kv-seq: must be an integer in 1..1048576 (got "0")')
    expect_error(["--kernel", "flash", "--kv-heads", "2000"], "bad-config",
                 '--kv-heads: must be an integer in 1..1024 (got "2000")')


def test_bottom_right_causal():
    assert [kv.last_visible_key(True, i, 3, 5) for i in range(3)] == [2, 3, 4]
    assert [kv.last_visible_key(True, i, 5, 2) for i in range(5)] == [-1, -1, -1, 0, 1]
    assert [kv.last_visible_key(False, i, 5, 2) for i in range(5)] == [1] * 5
    a = hc.parse_args(["--kernel", "flash", "--seq", "5", "--kv-seq", "2", "--causal", "1"])
    assert kv.visible_pairs(a) == 3
    assert [kv.kv_head_of(h, 32, 8) for h in (0, 3, 4, 31)] == [0, 0, 1, 7]


def test_mask_and_gqa_plan():
    def plan(argv, version="2.5.1+cu124", lower_right=True):
        return kv.sdpa_plan(hc.parse_args(["--kernel", "flash"] + argv), version, lower_right)

    assert plan([]) == {"isCausal": False, "causalMask": "none", "enableGqa": False}
    assert plan(["--causal", "1"]) == {"isCausal": True, "causalMask": "is_causal", "enableGqa": False}
    # PyTorch's is_causal is top-left: S != Skv must not use it.
    assert plan(["--causal", "1", "--seq", "3", "--kv-seq", "300"])["causalMask"] == "causal_lower_right"
    assert plan(["--causal", "1", "--seq", "3", "--kv-seq", "300"])["isCausal"] is False
    assert plan(["--causal", "1", "--seq", "3", "--kv-seq", "300"], lower_right=False)["causalMask"] == \
        "explicit-bool-mask"
    assert plan(["--seq", "3", "--kv-seq", "300"])["causalMask"] == "none"
    assert plan(["--heads", "8", "--kv-heads", "2"])["enableGqa"] is True
    assert plan(["--heads", "8", "--kv-heads", "2"], version="2.10.0")["enableGqa"] is True
    try:
        plan(["--heads", "8", "--kv-heads", "2"], version="2.4.1")
    except hc.HarnessError as err:
        assert err.code == "unsupported" and "PyTorch >= 2.5" in str(err)
    else:
        raise AssertionError("GQA on torch 2.4 was accepted")


def brute_force(a, q, k, v):
    """Every row at once: K/V repeated per query head, mask = tril(ones(S, Skv), Skv - S)."""
    import numpy as np

    g = a.heads // a.kv_heads
    kk, vv = np.repeat(k, g, axis=1).astype(np.float64), np.repeat(v, g, axis=1).astype(np.float64)
    s = np.einsum("bhid,bhjd->bhij", q.astype(np.float64), kk) * hc.resolved_scale(a)
    if a.causal:
        mask = np.tril(np.ones((a.seq, a.kv_seq), dtype=bool), k=a.kv_seq - a.seq)
        s = np.where(mask, s, -np.inf)
    m = s.max(axis=-1, keepdims=True)
    p = np.exp(s - np.where(np.isfinite(m), m, 0))
    denom = p.sum(axis=-1, keepdims=True)
    o = np.einsum("bhij,bhjd->bhid", p, vv) / np.where(denom > 0, denom, 1)
    return o


def test_reference_rows_match_an_independent_formulation():
    import numpy as np

    for s, skv, hkv, causal in [(1, 300, 1, False), (3, 300, 2, True), (77, 1, 4, True),
                                (77, 1000, 2, True), (3, 1, 4, False), (77, 300, 1, False)]:
        argv = ["--kernel", "math", "--batch", "2", "--heads", "4", "--kv-heads", str(hkv), "--seq", str(s),
                "--kv-seq", str(skv), "--dim", "16", "--causal", "1" if causal else "0"]
        a = hc.parse_args(argv)
        q = hc.inputs_numpy(5, 0, hc.elements(a)).reshape(a.batch, a.heads, a.seq, a.dim)
        k = hc.inputs_numpy(5, 1, hc.kv_elements(a)).reshape(a.batch, a.kv_heads, a.kv_seq, a.dim)
        v = hc.inputs_numpy(5, 2, hc.kv_elements(a)).reshape(a.batch, a.kv_heads, a.kv_seq, a.dim)
        rows = hc.sample_rows(a, 5, 10_000)
        got = kv.reference_rows_numpy(a, q, k, v, rows)
        want = brute_force(a, q, k, v)
        for n, (bh, i) in enumerate(rows):
            b, h = divmod(bh, a.heads)
            assert np.allclose(got[n], want[b, h, i], rtol=1e-12, atol=1e-12), (argv, bh, i)
        if causal and s > skv:  # rows that see no key are zeros
            assert not got[0].any()


def test_empty_rows_are_the_rows_before_the_first_key_with_lower_right_causal():
    a = hc.parse_args(["--kernel", "efficient", "--seq", "5", "--kv-seq", "2", "--causal", "1"])
    # Bottom-right: query i sees keys j <= i + Skv - S = i - 3, so rows 0..2 see none.
    assert kv.empty_rows(a) == [0, 1, 2]
    a = hc.parse_args(["--kernel", "efficient", "--seq", "5", "--kv-seq", "2", "--causal", "0"])
    assert kv.empty_rows(a) == []
    a = hc.parse_args(["--kernel", "efficient", "--seq", "1", "--kv-seq", "8192", "--causal", "1"])
    assert kv.empty_rows(a) == []


if __name__ == "__main__":
    tests = [(name, fn) for name, fn in sorted(globals().items()) if name.startswith("test_")]
    out = sys.__stdout__  # harness_common points print() at stderr (stdout carries harness lines)
    for name, fn in tests:
        fn()
        out.write(f"ok {name}\n")
    out.write(f"{len(tests)} passed\n")
