"""The attention configuration: #hdp.config<...> text, or built from keys.

docs/semantics.md defines every key; omitted keys keep their defaults.
"""

import math
import re

# The keys of #hdp.config, in the order the attribute prints them.
KEYS = ("int_bits", "frac_bits", "shift", "block", "rho", "tau_h", "policy",
        "importance", "topk", "approx", "softmax", "scale")


def _float_literal(key, x):
    """A float literal MLIR's parser accepts (it needs a '.')."""
    x = float(x)
    if not math.isfinite(x):
        raise ValueError("hdp config: %s must be finite, got %r" % (key, x))
    mantissa, _, exponent = repr(x).partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + ("e" + exponent if exponent else "")


class Config:
    """An #hdp.config<...> from keyword arguments, e.g.
    ``Config(rho=0.3, block=(2, 2), policy="topk", topk=4)``.

    Values are checked by the runtime when an attention is compiled (the one
    parser of the attribute); unknown keys are rejected here.
    """

    def __init__(self, **keys):
        unknown = sorted(set(keys) - set(KEYS))
        if unknown:
            raise TypeError("hdp config: unknown key(s) %s; expected some of %s"
                            % (", ".join(unknown), ", ".join(KEYS)))
        self._keys = {k: keys[k] for k in KEYS if keys.get(k) is not None}

    def with_scale(self, scale):
        return Config(**dict(self._keys, scale=scale))

    def get(self, key):
        return self._keys.get(key)

    def text(self):
        parts = []
        for key, value in self._keys.items():
            if key == "block":
                bm, bn = value
                parts.append("block = [%d, %d]" % (int(bm), int(bn)))
            elif key in ("rho", "tau_h", "scale"):
                parts.append("%s = %s" % (key, _float_literal(key, value)))
            elif key == "approx":
                parts.append("approx = %s" % ("true" if value else "false"))
            elif key in ("policy", "importance", "softmax"):
                parts.append("%s = %s" % (key, value))
            else:
                parts.append("%s = %d" % (key, int(value)))
        return "#hdp.config<%s>" % ", ".join(parts)

    def __repr__(self):
        return "hdp.Config(%s)" % ", ".join(
            "%s=%r" % kv for kv in self._keys.items())


def config_text(config):
    """The attribute text of `config`: None (the defaults), a Config, a dict
    of keys, or text (``"#hdp.config<rho = 0.3>"`` or just ``"rho = 0.3"``)."""
    if config is None:
        return "#hdp.config<>"
    if isinstance(config, Config):
        return config.text()
    if isinstance(config, dict):
        return Config(**config).text()
    if isinstance(config, str):
        text = config.strip()
        return text if text.startswith("#") else "#hdp.config<%s>" % text
    raise TypeError("hdp config: expected None, a str, a dict or hdp.Config, "
                    "got %s" % type(config).__name__)


def text_with_scale(text, scale):
    """`text` (an #hdp.config<...>) with `scale` added; an error if it has
    a scale already."""
    if re.search(r"\bscale\s*=", text):
        raise ValueError("hdp config: scale given both as an argument and in "
                         "the config %s" % text)
    if not text.endswith(">"):
        return text  # not a config: the runtime's parser reports it
    inner = text[text.index("<") + 1:-1].strip() if "<" in text else ""
    entry = "scale = %s" % _float_literal("scale", scale)
    return "#hdp.config<%s>" % (inner + ", " + entry if inner else entry)
