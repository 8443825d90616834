"""A `--callable` for attnlab that is PyTorch SDPA itself (flash backend forced), so its timings
must match `--backend sdpa --kernel flash` within the noise: the check that the Python harness
times a user callable the way it times SDPA.

    PYTHONPATH=examples npx attnlab run --backend python --callable sdpa_callable:attn ...
"""
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel


def attn(q, k, v, causal, scale):
    """fn(q, k, v, causal, scale) -> o, square problems (S == Skv, H == Hkv)."""
    with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal, scale=scale)
