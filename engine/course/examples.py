"""The course's worked examples: what a panel must show and the exact numbers it must produce.

``state`` describes the panel's settings (inputs, kernel, padding, stride, model…; ``view`` names the
part of the panel the example is read on when it is not the first);
``expected`` holds the numbers from the course map, written out. Shapes in
``expected`` are in the note's order, H×W×C (keys ending ``_hwc``).
:mod:`engine.course.check` recomputes every number with the panels' engine functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..i18n import N_, _

__all__ = ["Example", "EXAMPLES", "PANELS", "example", "examples_for", "UnknownExample"]

#: Panel ids an example can open.
PANELS = ("convolution", "architectures", "feature_maps", "augmentation", "detection", "grid_detector",
          "style_transfer", "faces", "models", "course_views")


class UnknownExample(KeyError):
    """No example has this id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown example"


@dataclass(frozen=True)
class Example:
    """One worked example: a stable ``id``, its ``section``, the ``panel`` that shows it,
    the panel ``state`` and the ``expected`` numbers."""

    id: str
    section: str
    panel: str
    state: dict[str, Any] = field(default_factory=dict)
    expected: dict[str, Any] = field(default_factory=dict)
    description: str = ""


POOL_4X4 = [[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]]
_ROW = [0, 30, 30, 0]
_NMS_BOXES = [[10, 10, 110, 110], [14, 12, 114, 112], [6, 8, 106, 108], [200, 20, 300, 120], [205, 24, 305, 124]]

EXAMPLES: tuple[Example, ...] = (
    Example("fc-input-1000", "computer-vision", "course_views",
            {"view": "dense-vs-conv", "input_hwc": [1000, 1000, 3], "hidden_units": 1000, "f": 3, "filters": 10},
            {"inputs": 3_000_000, "weights": 3_000_000_000},
            N_("A fully connected layer of 1000 units on a 1000×1000×3 image")),
    Example("edge-6x6", "edge-detection", "convolution",
            {"input": "vertical edge 6×6", "n": 6, "kernel": "vertical edge", "f": 3, "padding": 0, "stride": 1},
            {"output_hwc": [4, 4, 1], "output": [_ROW] * 4},
            N_("Bright left half, dark right half, vertical edge kernel")),
    Example("edge-6x6-mirrored", "edge-detection", "convolution",
            {"input": "vertical edge 6×6", "mirrored": True, "n": 6, "kernel": "vertical edge", "f": 3},
            {"output": [[-v for v in _ROW]] * 4},
            N_("The same edge from dark to light: the response changes sign")),
    Example("padding-6x6", "padding", "convolution",
            {"n": 6, "f": 3, "paddings": [0, 1], "same_for_f": [3, 5]},
            {"valid_out": 4, "padded_in": 8, "padded_out": 6, "same_p_f3": 1, "same_p_f5": 2},
            N_("Valid and same convolution of a 6×6 input")),
    Example("stride-7x7", "stride", "convolution",
            {"n": 7, "f": 3, "padding": 0, "stride": 2},
            {"output": 3},
            N_("7×7 input, 3×3 kernel, stride 2")),
    Example("stride-6x6-valid", "stride", "convolution",
            {"n": 6, "f": 3, "padding": 0, "stride": 2},
            {"output": 2},
            N_("6×6 input, 3×3 kernel, stride 2, no padding: not half the size")),
    Example("volume-6x6x3", "volumes", "convolution",
            {"n": 6, "channels": 3, "f": 3, "filters": [1, 2]},
            {"one_filter_hwc": [4, 4, 1], "two_filters_hwc": [4, 4, 2], "products_per_step": 27},
            N_("6×6×3 input with one and with two 3×3×3 filters")),
    Example("red-vertical-edge", "volumes", "convolution",
            {"n": 6, "channels": 3, "filter": "red vertical edge", "input": "vertical edge 6×6 in red only"},
            {"green_kernel_sum": 0, "blue_kernel_sum": 0, "output_row": _ROW},
            N_("A filter that finds vertical edges in the red channel only")),
    Example("layer-params-280", "one-layer", "course_views",
            {"view": "conv-layer", "input_hwc": [6, 6, 3], "f": 3, "channels": 3, "filters": 10},
            {"params": 280, "weights_per_filter": 27, "output_hwc": [4, 4, 10]},
            N_("Parameters of 10 filters of 3×3×3 with biases")),
    Example("relu-step", "one-layer", "convolution",
            {"input": "vertical edge 6×6", "mirrored": True, "kernel": "vertical edge", "bias": 5, "activation": "relu"},
            {"pre_activation_row": [5, -25, -25, 5], "activation_row": [5, 0, 0, 5]},
            N_("Convolution, then bias, then ReLU")),
    Example("pool-max-4x4", "pooling", "convolution",
            {"input": POOL_4X4, "pool": "max", "f": 2, "stride": 2, "pool_on_input": True},
            {"output": [[9, 2], [6, 3]]},
            N_("Max pooling of a 4×4 input, f=2, s=2")),
    Example("pool-avg-4x4", "pooling", "convolution",
            {"input": POOL_4X4, "pool": "avg", "f": 2, "stride": 2, "pool_on_input": True},
            # the lower-left window holds 1, 3, 5, 6: its mean is (1 + 3 + 5 + 6)/4 = 3.75
            {"output": [[3.75, 1.25], [3.75, 2]]},
            N_("Average pooling of a 4×4 input, f=2, s=2")),
    Example("pool-global-7x7x1000", "pooling", "convolution",
            {"input_hwc": [7, 7, 1000], "pool": "global", "pool_on_input": True},
            {"output_hwc": [1, 1, 1000], "params": 0},
            N_("Global average pooling of 7×7×1000")),
    Example("sharing-6x6-3x3", "why-convolutions", "convolution",
            {"n": 6, "f": 3, "channels": 1, "filters": 1, "view": "parameters"},
            {"conv_params": 10, "dense_params": 592, "inputs_per_output": 9, "inputs": 36},
            N_("A 3×3 filter on 6×6 against a fully connected layer with the same output")),
    Example("activation-sizes-lenet-like", "why-convolutions", "architectures",
            {"model": "lenet-like 32×32×3 (8 and 16 filters of 5×5, max pool 2, 120, 84, 10)", "column": "activation size"},
            {"activation_sizes": [6272, 1568, 1600, 400, 120, 84, 10]},
            N_("Activation size layer by layer, from 6,272 down to 84 and the 10 outputs")),
    Example("translation-shift-2", "why-convolutions", "convolution",
            {"shift_px": 2, "kernel": "vertical edge", "pool": "max", "f": 2, "stride": 2},
            {"feature_map_shift": 2, "pooled_shift": 1},
            N_("Shift the input by 2 pixels: the feature map shifts by 2, the pooled map by 1")),
    Example("lenet5-params", "lenet5", "architectures",
            {"model": "lenet5"},
            {"params": 61_706, "shapes_hwc": [[28, 28, 6], [14, 14, 6], [10, 10, 16], [5, 5, 16]]},
            N_("LeNet-5 (softmax variant): shapes and parameter count")),
    Example("alexnet-paper-shapes", "alexnet", "architectures",
            {"model": "alexnet-paper", "input_hwc": [227, 227, 3]},
            {"shapes_hwc": [[55, 55, 96], [27, 27, 96], [27, 27, 256], [13, 13, 256], [13, 13, 384],
                            [13, 13, 384], [13, 13, 256], [6, 6, 256]],
             "flatten": 9216, "dense": [4096, 4096, 1000]},
            N_("The paper's AlexNet on 227×227×3, layer by layer")),
    Example("alexnet-224-vs-227", "alexnet", "convolution",
            {"n": [224, 227], "f": 11, "stride": 4, "padding": 0},
            {"out_224": 54, "out_227": 55},
            N_("Why 227: the first layer's output size from 224 and from 227")),
    Example("vgg16-params", "vgg16", "architectures",
            {"model": "vgg16"},
            {"params": 138_357_544},
            N_("VGG-16 parameter count")),
    Example("nin-imagenet-gap", "nin", "architectures",
            {"model": "nin-imagenet", "input_hwc": [224, 224, 3]},
            {"last_conv_hwc": [6, 6, 1000], "classes": 1000, "gap_params": 0},
            N_("ImageNet NiN: the last 1×1 convolution and global average pooling")),
    Example("resnet50-projections", "resnet", "architectures",
            {"model": "resnet50"},
            {"projection_blocks": 4, "first_projection_hwc": [56, 56, 256], "first_projection_weights": 16_384},
            N_("ResNet-50's 1×1 projection shortcuts")),
    Example("resnet-plain-vs-residual", "resnet", "course_views",
            {"view": "degradation", "experiment": "degradation", "width": 8, "epochs": 3, "data": "8×8 digits"},
            {"depth_plain": 20, "depth_residual": 20, "same_parameters": True, "residual_trains_lower": True},
            N_("A plain and a residual 20-layer network with the same parameters, trained side by side")),
    Example("one-by-one-6x6x32", "one-by-one", "convolution",
            {"n": 6, "channels": 32, "f": 1, "filters": 4},
            {"output_hwc": [6, 6, 4], "weights_per_filter": 32},
            N_("1×1 convolution on 6×6×32 with 4 filters")),
    Example("one-by-one-28x28x192", "one-by-one", "course_views",
            {"view": "conv-layer", "input_hwc": [28, 28, 192], "n": 28, "channels": 192, "f": 1, "filters": 32},
            {"output_hwc": [28, 28, 32], "params": 6_176, "weights_per_filter": 192},
            N_("Shrinking 28×28×192 to 28×28×32 with 1×1 filters")),
    Example("inception-bottleneck-params", "inception", "architectures",
            {"calculator": "inception-5x5"},
            {"params_direct": 409_600, "params_reduced": 59_392, "with_bias_direct": 409_664, "with_bias_reduced": 59_488},
            N_("5×5 branch on 256 channels with and without a 1×1 bottleneck")),
    Example("inception-bottleneck-macs", "inception", "architectures",
            {"calculator": "28x28x192-to-32"},
            {"macs_direct": 120_422_400, "macs_reduced": 12_443_648},
            N_("28×28×192 → 28×28×32 by 5×5, directly and through 16 channels")),
    Example("inception-v1-paper", "inception", "architectures",
            {"model": "inception-v1-paper"},
            {"conv5x5_count": 9, "classes": 1000},
            N_("GoogLeNet as in the paper: true 5×5 branches in all nine modules")),
    Example("mirror-flip", "augmentation", "augmentation",
            {"mirror": True, "mirror_p": 1.0, "image_row": [1, 2, 3]},
            {"mirrored_row": [3, 2, 1]},
            N_("Mirroring flips left and right")),
    Example("colour-shift-manual", "augmentation", "augmentation",
            {"colour_offsets": [20, -20, 20], "pixel": [100, 100, 100]},
            {"pixel_after": [120, 80, 120]},
            N_("A colour shift dialled by hand: +20 R, −20 G, +20 B")),
    Example("y-vector-8", "localisation", "grid_detector",
            {"grid": 1, "input_size": 100, "classes": 3, "box": [20, 30, 60, 90], "label": 1},
            {"length": 8, "y": [1, 0.4, 0.6, 0.6, 0.4, 0, 1, 0]},
            N_("The target y of one image with one object")),
    Example("sliding-window-count", "sliding-windows", "grid_detector",
            {"image": 64, "window": 14, "stride": 2},
            {"windows": 676},
            N_("How many 14×14 windows a 64×64 image holds at stride 2")),
    Example("sliding-windows-three-sizes", "sliding-windows", "grid_detector",
            {"image": 64, "windows": [14, 28, 42], "stride": 2},
            {"windows": [676, 361, 144]},
            N_("Windows of three sizes on one image")),
    Example("conv-sliding-16x16", "conv-sliding", "grid_detector",
            {"input_hwc": [16, 16, 3], "window": 14, "stride": 2},
            {"output_hwc": [2, 2, 4], "equals_crops": True},
            N_("The convolutional classifier on 16×16×3 equals its four 14×14 crops")),
    Example("yolo-grid-3x3", "bbox-prediction", "grid_detector",
            {"grid": 3, "input_size": 300, "classes": 3, "anchors": 1, "box": [100, 200, 200, 300], "label": 2},
            {"output_hwc": [3, 3, 8], "cell": [2, 1]},
            N_("A 3×3 grid with an 8-number y per cell")),
    Example("iou-two-boxes", "iou", "detection",
            {"boxes": [[0, 0, 4, 4], [2, 2, 6, 6]]},
            {"iou": 4 / 28, "iou_self": 1.0},
            N_("IoU of two overlapping boxes, and of a box with itself")),
    Example("nms-five-boxes", "nms", "detection",
            {"boxes": _NMS_BOXES, "scores": [0.9, 0.6, 0.7, 0.8, 0.7], "score_threshold": 0.6, "iou_threshold": 0.5},
            {"kept_scores": [0.9, 0.8]},
            N_("Five boxes on two cars: non-max suppression keeps one per car")),
    Example("anchors-3x3x16", "anchors", "grid_detector",
            {"grid": 3, "input_size": 300, "classes": 3, "anchors": [[0.5, 1.5], [1.5, 0.5]],
             "boxes": [[130, 100, 170, 200], [100, 130, 200, 170]], "labels": [0, 1]},
            {"output_hwc": [3, 3, 16], "anchor_of_each": [0, 1], "both_kept": True},
            N_("Two anchors: a pedestrian and a car with midpoints in the same cell")),
    Example("verify-threshold", "face-recognition", "course_views",
            {"view": "verify-recognise", "threshold": 0.6, "distances": [0.5, 0.7], "people": ["Ana", "Ben", "Chen", "Dina"]},
            {"same_at_0_5": True, "same_at_0_7": False, "recognised": ["Ana", ""], "comparisons": [1, 4]},
            N_("Verification: the same person when the distance is at most τ")),
    Example("one-shot-new-person", "one-shot", "course_views",
            {"view": "one-shot", "gallery": ["Ana", "Ben", "Chen", "Dina", "Eva"], "new_person": "Fei", "photos_each": 1,
             "threshold": 0.6},
            {"recognised": "Fei", "people": 6, "before_enrolling_known": False, "softmax_outputs": [5, 6],
             "softmax_params": [645, 774], "softmax_picks_an_old_person": True},
            N_("Add a person with one photo: no retraining, recognised at once")),
    Example("siamese-squared-distance", "siamese", "faces",
            {"distance": 0.5, "threshold": 0.6},
            {"distance": 0.5, "squared": 0.25, "threshold_squared": 0.36},
            N_("One distance both ways: ‖·‖ and ‖·‖², with τ converted")),
    Example("triplet-loss", "triplet", "course_views",
            {"view": "triplet", "anchor": [0, 0], "positive": [0.3, 0.4], "negative": [0.6, 0], "margin": 0.2},
            {"ap": 0.25, "an": 0.36, "loss": 0.09},
            N_("Triplet loss of a chosen triplet with margin α = 0.2")),
    Example("style-total-cost", "style-transfer", "course_views",
            {"view": "total-cost", "alpha": 10, "beta": 40, "content": 2.0, "style": 0.5},
            {"total": 40.0},
            N_("J(G) = α·J_content + β·J_style for chosen values")),
    Example("content-cost-2x2", "content-cost", "course_views",
            {"view": "content-cost", "a_C": [[1, 2], [3, 4]], "a_G": [[1, 0], [3, 5]]},
            {"cost": 2.5},
            N_("Content cost of two small activations")),
    Example("gram-2-channels", "style-cost", "course_views",
            {"view": "gram", "a_G": [[1, 2, 3, 4], [0, 1, 0, 1]], "a_S": [[1, 1, 1, 1], [0, 0, 0, 0]], "hw": [2, 2]},
            {"gram": [[30, 6], [6, 2]], "style_cost": 752 / 256},
            N_("Gram matrix of a 2×2×2 activation and its style cost")),
)

_BY_ID = {e.id: e for e in EXAMPLES}


def example(example_id: str) -> Example:
    """The example with this id; raises :class:`UnknownExample`."""
    try:
        return _BY_ID[example_id]
    except KeyError:
        raise UnknownExample(_("unknown example '{id}'").format(id=example_id)) from None


def examples_for(section_id: str) -> list[Example]:
    """The examples of one section, in order."""
    return [e for e in EXAMPLES if e.section == section_id]
