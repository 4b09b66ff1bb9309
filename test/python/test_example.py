"""examples/python/llama_attention.py: a PyTorch model (stories260K) whose
attention runs through hdp.torch.scaled_dot_product_attention. With a
near-dense configuration (no pruning, wide fixed point) the model must
behave like the dense one: measured, every top-1 prediction the same and
logits within 0.02."""

import importlib.util
import os

import torch

import hdp

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples",
                       "python", "llama_attention.py")
spec = importlib.util.spec_from_file_location("llama_attention", EXAMPLE)
example = importlib.util.module_from_spec(spec)
spec.loader.exec_module(example)


def story_tokens(count):
    pieces, scores = example.load_vocabulary(
        os.path.join(example.MODEL_DIR, "tok512.bin"))
    assert example.encode("Once upon a time", pieces, scores)
    with open(os.path.join(example.MODEL_DIR,
                           "tinystories_valid_excerpt_30KB.txt")) as f:
        story = f.readline().strip()
    return torch.tensor([1] + example.encode(story, pieces, scores)[:count])


def test_model_through_hdp_matches_dense():
    model = example.Llama(os.path.join(example.MODEL_DIR, "stories260K.bin"))
    tokens = story_tokens(64)
    near_dense = hdp.Config(policy="dense", int_bits=6, frac_bits=10,
                            approx=False, shift=-1)

    def through_hdp(q, k, v, **kwargs):
        return hdp.torch.scaled_dot_product_attention(q, k, v,
                                                      config=near_dense,
                                                      **kwargs)

    with torch.no_grad():
        dense = model(tokens, example.dense_sdpa)
        got = model(tokens, through_hdp)
    loss = torch.nn.functional.cross_entropy(dense[0, :-1], tokens[1:]).item()
    assert 1.0 < loss < 1.8, "the dense model does not predict the story"
    agree = (got.argmax(-1) == dense.argmax(-1)).float().mean().item()
    assert agree >= 0.98, agree
    assert (got - dense).abs().max().item() < 0.1
