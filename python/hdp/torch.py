"""hdp for PyTorch: a drop-in for torch.nn.functional.scaled_dot_product_attention.

    import hdp.torch
    out = hdp.torch.scaled_dot_product_attention(q, k, v, attn_mask=mask,
                                                 config="rho = 0.3")

The signature is PyTorch 2's (attn_mask, dropout_p, is_causal, scale,
enable_gqa), plus hdp's keyword-only config, backend and accel_config; the
scores are computed the HDP way (docs/semantics.md), so results differ from
dense attention as pruning and quantisation make them. Two deliberate
differences: a row with every key masked out gives 0 (PyTorch: NaN), and a
floating mask value <= -10000 removes its element. Inference only: there is
no backward pass.
"""

import torch

from ._attention import attention
from ._config import config_text, text_with_scale

_NAME = "hdp.torch.scaled_dot_product_attention"


def _causal_mask(n, m):
    """PyTorch's is_causal: query i attends keys j <= i (top-left aligned)."""
    keep = torch.ones(n, m, dtype=torch.bool).tril(diagonal=0)
    return keep


def scaled_dot_product_attention(query, key, value, attn_mask=None,
                                 dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False, *, config=None,
                                 backend="cpu", accel_config=None):
    """softmax(query·keyᵀ·scale + attn_mask)·value with Hybrid Dynamic
    Pruning.

    query (..., Hq, L, E), key (..., H, S, E), value (..., H, S, Ev): rank 2
    to 4, on the CPU. attn_mask: bool (True = attend) or floating, added to
    the scores; broadcastable to (..., L, S). Not supported (errors):
    dropout_p > 0, attn_mask together with is_causal, tensors that need grad.
    """
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, torch.Tensor):
            raise TypeError("%s: %s must be a torch.Tensor, got %s"
                            % (_NAME, name, type(t).__name__))
    if dropout_p != 0.0:
        raise NotImplementedError(
            "%s: dropout_p=%r is not supported (hdp attention has no "
            "dropout); pass dropout_p=0.0, e.g. in model.eval()"
            % (_NAME, dropout_p))
    if is_causal and attn_mask is not None:
        raise ValueError("%s: give either attn_mask or is_causal, not both"
                         % _NAME)
    rank = query.dim()
    if not 2 <= rank <= 4:
        raise ValueError("%s: query must have rank 2 to 4 ([B,H]L,E), got "
                         "shape %s" % (_NAME, tuple(query.shape)))
    if key.dim() != rank or value.dim() != rank:
        raise ValueError("%s: query, key and value must have one rank, got "
                         "shapes %s, %s, %s" % (_NAME, tuple(query.shape),
                                               tuple(key.shape),
                                               tuple(value.shape)))

    # hdp computes [B,H,N,D]: missing leading dimensions become size 1.
    def to4(t):
        return t.reshape((1,) * (4 - t.dim()) + tuple(t.shape))

    q, k, v = to4(query), to4(key), to4(value)
    if k.shape[1] != q.shape[1] or v.shape[1] != q.shape[1]:
        if not enable_gqa:
            raise ValueError(
                "%s: query has %d heads but key/value %d and %d; pass "
                "enable_gqa=True to share key/value heads among query heads"
                % (_NAME, q.shape[1], k.shape[1], v.shape[1]))
        if k.shape[1] != v.shape[1] or q.shape[1] % k.shape[1]:
            raise ValueError(
                "%s: enable_gqa needs key and value with one head count "
                "dividing the query's %d, got %d and %d"
                % (_NAME, q.shape[1], k.shape[1], v.shape[1]))
        group = q.shape[1] // k.shape[1]
        k = k.repeat_interleave(group, dim=1)
        v = v.repeat_interleave(group, dim=1)

    mask = attn_mask
    if is_causal:
        mask = _causal_mask(q.shape[2], k.shape[2])
    elif mask is not None:
        if not isinstance(mask, torch.Tensor):
            raise TypeError("%s: attn_mask must be a torch.Tensor, got %s"
                            % (_NAME, type(mask).__name__))
        if mask.dim() > rank:
            raise ValueError("%s: attn_mask of shape %s has a higher rank "
                             "than query %s" % (_NAME, tuple(mask.shape),
                                                tuple(query.shape)))
        mask = mask.reshape((1,) * (4 - rank) + tuple(mask.shape))

    text = config_text(config)
    if scale is not None:
        text = text_with_scale(text, scale)
    out = attention(q, k, v, mask, config=text, backend=backend,
                    accel_config=accel_config)
    return out.reshape(tuple(query.shape[:-1]) + (value.shape[-1],))
