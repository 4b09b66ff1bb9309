"""ctypes declarations of the runtime C API (include/hdp-c/Runtime.h).

The package talks to libHDPRuntimeC.so only through this module. ctypes
releases the GIL for the duration of every call, so runs on different
compiled attentions proceed in parallel from Python threads.
"""

import ctypes
import os

from . import _location

# hdp_status
STATUS_OK = 0
STATUS_INVALID_ARGUMENT = 1

# hdp_backend
BACKENDS = {"cpu": 0, "reference": 1, "sim": 2}


class Shape(ctypes.Structure):
    """hdp_attention_shape."""

    _fields_ = [
        ("batch", ctypes.c_int64),
        ("heads", ctypes.c_int64),
        ("query_len", ctypes.c_int64),
        ("key_len", ctypes.c_int64),
        ("head_dim", ctypes.c_int64),
        ("value_dim", ctypes.c_int64),
        ("mask_rank", ctypes.c_int32),
        ("mask_shape", ctypes.c_int64 * 4),
    ]


def _package_relative(path):
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, path))


def library_path():
    """The libHDPRuntimeC.so this package uses: $HDP_RUNTIME_LIBRARY, or the
    one of the build tree or install prefix the package belongs to."""
    return os.environ.get("HDP_RUNTIME_LIBRARY") or _package_relative(
        _location.RUNTIME_LIBRARY
    )


def accel_configs_dir():
    """The directory of the bundled accelerator configurations."""
    return _package_relative(_location.ACCEL_CONFIGS_DIR)


def _load():
    path = library_path()
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise ImportError(
            "hdp: cannot load the runtime library %s (%s); set "
            "HDP_RUNTIME_LIBRARY to the path of libHDPRuntimeC.so" % (path, e)
        ) from None
    handle_p = ctypes.POINTER(ctypes.c_void_p)
    buf = ctypes.c_void_p  # addresses of numpy/torch buffers, or None
    i64p = ctypes.POINTER(ctypes.c_int64)
    lib.hdp_attention_create_on_backend.argtypes = [
        ctypes.c_char_p, ctypes.POINTER(Shape), ctypes.c_int, ctypes.c_char_p,
        handle_p]
    lib.hdp_attention_create_on_backend.restype = ctypes.c_int
    lib.hdp_attention_run.argtypes = [ctypes.c_void_p] + [buf] * 8
    lib.hdp_attention_run.restype = ctypes.c_int
    lib.hdp_attention_block_grid.argtypes = [ctypes.c_void_p, i64p, i64p]
    lib.hdp_attention_block_grid.restype = ctypes.c_int
    lib.hdp_attention_stats_json.argtypes = [ctypes.c_void_p]
    lib.hdp_attention_stats_json.restype = ctypes.c_char_p
    lib.hdp_attention_destroy.argtypes = [ctypes.c_void_p]
    lib.hdp_attention_destroy.restype = None
    lib.hdp_last_error.argtypes = []
    lib.hdp_last_error.restype = ctypes.c_char_p
    return lib


lib = _load()


class Error(RuntimeError):
    """Compiling or running an attention failed in the hdp runtime."""


def check(status):
    """Raises the library's error for a failed status: ValueError for bad
    arguments (config, shapes), hdp.Error otherwise."""
    if status == STATUS_OK:
        return
    message = lib.hdp_last_error().decode(errors="replace")
    if status == STATUS_INVALID_ARGUMENT:
        raise ValueError(message)
    raise Error(message)
