"""hdp: attention with Hybrid Dynamic Pruning, from Python.

    import hdp
    out = hdp.attention(q, k, v, mask, config="#hdp.config<rho = 0.3>")

numpy arrays or torch tensors in, the same out; backends "cpu" (compiled),
"reference" and "sim" (the co-processor simulator). A drop-in for PyTorch's
scaled_dot_product_attention is hdp.torch.scaled_dot_product_attention.
The package calls the runtime C API (libHDPRuntimeC.so) through ctypes; see
docs/embedding.md.
"""

from ._attention import (AttentionResult, CacheInfo, attention, cache_info,
                         clear_cache)
from ._capi import Error, accel_configs_dir, library_path
from ._config import Config
from ._location import VERSION as __version__

__all__ = ["AttentionResult", "CacheInfo", "Config", "Error", "attention",
           "accel_configs_dir", "cache_info", "clear_cache", "library_path"]
