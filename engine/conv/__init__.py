"""The convolution lab's engine: arithmetic, traced convolution and pooling, kernels,
code generation, real-image filtering and animation export.

    from engine.conv import output_size, trace, pool_trace, coverage
    output_size(6, 3)                      # 4
    t = trace(x, w, padding=1)             # x (C_in, H, W), w (C_out, C_in, f, f)
    t.output, t.steps[0].products          # (C_out, H_out, W_out), (C_in, f, f)
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__all__ = [
    "Animation", "FrameLayout", "GridBox", "fmt", "frame_layout", "value_colours",
    "PADDING_MODES", "ParamComparison", "check_padding_mode", "compare_params", "conv_params", "coverage", "coverage_extremes", "output_size", "same_padding",
    "MAX_CHANNELS", "MAX_KERNEL", "MAX_LAB_INPUT", "MAX_STRIDE", "PointwiseView", "pointwise_view", "ShiftDemo", "shift_demo",
    "pytorch_code",
    "EXPORT_FORMATS", "ExportResult", "export_animation", "export_job",
    "INPUT_PRESETS", "input_preset",
    "FIXED_SIZE_PRESETS", "KERNEL_PRESETS", "RGB_FILTER_PRESETS", "filter_preset", "fit_kernel", "kernel_preset", "red_vertical_edge",
    "POOL_KINDS", "PoolSpec", "PoolStep", "PoolTrace", "check_pool", "pool_trace",
    "FeatureMaps", "apply_filters", "apply_filters_job", "conv_image", "prepare_photo",
    "render_frame", "step_caption",
    "ConvStep", "ConvTrace", "pad_input", "resolve_padding", "source_index", "trace",
]

#: Where each name lives. Submodules load on first use, so plain arithmetic (``conv size``) needs no torch.
_SOURCES: dict[str, str] = {
    "Animation": "animation", "FrameLayout": "animation", "GridBox": "animation", "fmt": "animation", "frame_layout": "animation", "value_colours": "animation",
    "PADDING_MODES": "arith", "ParamComparison": "arith", "check_padding_mode": "arith", "compare_params": "arith", "conv_params": "arith", "coverage": "arith", "coverage_extremes": "arith", "output_size": "arith", "same_padding": "arith",
    "pytorch_code": "codegen",
    "EXPORT_FORMATS": "export", "ExportResult": "export", "export_animation": "export", "export_job": "export",
    "INPUT_PRESETS": "inputs", "input_preset": "inputs",
    "MAX_CHANNELS": "limits", "MAX_KERNEL": "limits", "MAX_LAB_INPUT": "limits", "MAX_STRIDE": "limits",
    "PointwiseView": "pointwise", "pointwise_view": "pointwise",
    "FIXED_SIZE_PRESETS": "kernels", "KERNEL_PRESETS": "kernels", "RGB_FILTER_PRESETS": "kernels", "filter_preset": "kernels", "fit_kernel": "kernels", "kernel_preset": "kernels", "red_vertical_edge": "kernels",
    "POOL_KINDS": "arith", "PoolSpec": "arith", "PoolStep": "pool", "PoolTrace": "pool", "check_pool": "arith", "pool_trace": "pool",
    "FeatureMaps": "realimage", "apply_filters": "realimage", "apply_filters_job": "realimage", "conv_image": "realimage", "prepare_photo": "realimage",
    "render_frame": "render", "step_caption": "render",
    "ShiftDemo": "shift", "shift_demo": "shift",
    "ConvStep": "trace", "ConvTrace": "trace", "pad_input": "trace", "resolve_padding": "arith", "source_index": "trace", "trace": "trace",
}


#: Names deleted from the package (``del engine.conv.trace``; tests that take a capability away): not loaded again.
_REMOVED: set[str] = set()


def __getattr__(name: str) -> Any:
    module = _SOURCES.get(name)
    if module is None or name in _REMOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """``engine.conv.trace`` names the function, as it always has, not the submodule of the same name.

    Loading a submodule binds it on its package; for ``trace`` that binding is skipped, and the
    name resolves through :func:`__getattr__` to the function. A name deleted from the package
    stays deleted until it is set again, as with a plain module.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "trace" and isinstance(value, types.ModuleType):
            return
        _REMOVED.discard(name)
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        super().__delattr__(name)
        if name in _SOURCES:
            _REMOVED.add(name)


sys.modules[__name__].__class__ = _Package
