"""Where the package finds ONNX Runtime and its plugins (without importing either)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Optional

# The plugins `cargo xtask python` copies into the package (tokenizers, taggers, segmenter).
PACKAGED_PLUGIN_DIR = Path(__file__).resolve().parent / "plugins"

_ORT_ENV = ("RIN_ORT_DYLIB", "ORT_DYLIB_PATH")


def onnxruntime_library() -> Optional[Path]:
    """The shared library inside the installed ``onnxruntime`` wheel (its ``capi/`` folder), or
    None when there is no such package. Found from the package's location alone: importing
    ``onnxruntime`` would load its Python bindings, which rin does not need."""
    spec = importlib.util.find_spec("onnxruntime")
    if spec is None or not spec.submodule_search_locations:
        return None
    patterns = {
        "win32": ["onnxruntime.dll"],
        "darwin": ["libonnxruntime.*.dylib", "libonnxruntime.dylib"],
    }.get(sys.platform, ["libonnxruntime.so.*", "libonnxruntime.so"])
    for location in spec.submodule_search_locations:
        capi = Path(location) / "capi"
        for pattern in patterns:
            # The versioned file (libonnxruntime.so.1.31.1) is the library; the rest are links.
            found = sorted(p for p in capi.glob(pattern) if p.is_file())
            if found:
                return found[-1]
    return None


def choose_ort_library(explicit: Optional[os.PathLike]) -> Optional[Path]:
    """``explicit`` if given, then ``RIN_ORT_DYLIB`` / ``ORT_DYLIB_PATH`` (as the CLI reads them;
    None lets rin-runtime read them and name them in its error), then the ``onnxruntime`` wheel."""
    if explicit is not None:
        return Path(explicit)
    if any(os.environ.get(name) for name in _ORT_ENV):
        return None
    return onnxruntime_library()


def choose_plugin_dir(explicit: Optional[os.PathLike]) -> Optional[Path]:
    """``explicit`` if given, then ``RIN_PLUGIN_DIR``, then the plugins shipped in the package:
    the CLI's order, with the package in the place of the folder next to the ``rin`` binary."""
    if explicit is not None:
        return Path(explicit)
    if os.environ.get("RIN_PLUGIN_DIR"):
        return None
    return PACKAGED_PLUGIN_DIR
