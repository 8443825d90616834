"""Pure-Python tests of the --callable loader (no torch): run `python3 test_user_callable.py`."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import user_callable as uc  # noqa: E402


def expect_error(spec, code, pattern):
    try:
        uc.load_callable(spec)
    except uc.CallableError as err:
        assert err.code == code, (err.code, str(err))
        assert pattern in str(err), str(err)
        return
    raise AssertionError(f"{spec} loaded")


def main():
    tmp = tempfile.mkdtemp()
    sys.path.insert(0, tmp)
    with open(os.path.join(tmp, "good_mod.py"), "w") as f:
        f.write("def attn(q, k, v, causal, scale):\n    return (q, k, v, causal, scale)\n")
    with open(os.path.join(tmp, "broken_mod.py"), "w") as f:
        f.write("x = 1\ndef attn(q, k, v, causal, scale)\n    return q\n")
    passed = 0
    fn = uc.load_callable("good_mod:attn")
    assert fn(1, 2, 3, True, 0.5) == (1, 2, 3, True, 0.5)
    print("ok test_loads_a_function"); passed += 1
    expect_error("broken_mod:attn", "compile-error", "broken_mod.py:2: SyntaxError")
    print("ok test_syntax_error_names_the_line"); passed += 1
    expect_error("no_such_mod_xyz:attn", "compile-error", "ModuleNotFoundError")
    expect_error("good_mod:nope", "compile-error", "good_mod has no function nope")
    expect_error("good_mod.attn", "bad-config", "must be pkg.module:function")
    print("ok test_refusals"); passed += 1
    print(f"{passed} passed")


if __name__ == "__main__":
    main()
