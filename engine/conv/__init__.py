"""The convolution lab's engine: arithmetic, traced convolution and pooling, kernels,
code generation, real-image filtering and animation export.

    from engine.conv import output_size, trace, pool_trace, coverage
    output_size(6, 3)                      # 4
    t = trace(x, w, padding=1)             # x (C_in, H, W), w (C_out, C_in, f, f)
    t.output, t.steps[0].products          # (C_out, H_out, W_out), (C_in, f, f)
"""

from .animation import Animation, FrameLayout, GridBox, fmt, frame_layout, value_colours
from .arith import PADDING_MODES, ParamComparison, check_padding_mode, compare_params, conv_params, coverage, coverage_extremes, output_size, same_padding
from .codegen import pytorch_code
from .export import EXPORT_FORMATS, ExportResult, export_animation, export_job
from .inputs import INPUT_PRESETS, input_preset
from .limits import MAX_CHANNELS, MAX_KERNEL, MAX_LAB_INPUT, MAX_STRIDE
from .pointwise import PointwiseView, pointwise_view
from .kernels import FIXED_SIZE_PRESETS, KERNEL_PRESETS, RGB_FILTER_PRESETS, filter_preset, fit_kernel, kernel_preset, red_vertical_edge
from .pool import POOL_KINDS, PoolSpec, PoolStep, PoolTrace, check_pool, pool_trace
from .realimage import FeatureMaps, apply_filters, apply_filters_job, conv_image, prepare_photo
from .render import render_frame, step_caption
from .shift import ShiftDemo, shift_demo
from .trace import ConvStep, ConvTrace, pad_input, resolve_padding, source_index, trace

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
