"""Neural style transfer: Gatys optimisation and fast feed-forward style networks.

* :func:`stylize` -- the Gatys optimisation as a job (live partial images, cancel keeps the best).
* :func:`load_backbone` -- VGG-19 through the model manager, or the offline random-filter fallback.
* :mod:`.losses` -- Gram matrix, content, style and total-variation costs.
* :mod:`.colors` -- preserving the photo's colours (luminance-only transfer, histogram matching).
* :mod:`.memory` -- the memory estimate and guard.
* :mod:`.fast` -- Johnson-style transformation networks: train, load (PyTorch examples' format), apply.
"""

from .backbones import BACKBONES, LAYER_NAMES, RANDOM_NOTICE, Backbone, BackboneChoice, load_backbone, random_backbone, vgg19_backbone
from .colors import PRESERVE_MODES
from .fast import (
    CameraUnavailable,
    FastStylizer,
    ImageTooSmall,
    StyleModelError,
    TrainParams,
    TrainResult,
    TransformerNet,
    apply_to_folder,
    camera_frames,
    check_image_size,
    load_transformer,
    min_input_side,
    save_transformer,
    stylize_frames,
    train_style,
)
from .gatys import (
    DEFAULT_CONTENT_LAYER,
    DEFAULT_STYLE_LAYERS,
    INITS,
    OPTIMIZERS,
    LossRecord,
    StyleParams,
    StylePartial,
    StyleResult,
    estimate_memory,
    scale_sizes,
    stylize,
    suggest_size,
    weights_for_strength,
)
from .losses import content_loss, gram_matrix, style_layer_loss, style_loss, total_loss, tv_loss
from .memory import MemoryEstimate, MemoryRefused, available_bytes, check_memory, estimate_bytes
from .samples import STYLE_SAMPLES, resolve_image, style_sample

__all__ = [
    "BACKBONES", "LAYER_NAMES", "RANDOM_NOTICE", "Backbone", "BackboneChoice", "load_backbone", "random_backbone", "vgg19_backbone",
    "PRESERVE_MODES",
    "CameraUnavailable", "FastStylizer", "ImageTooSmall", "check_image_size", "min_input_side", "StyleModelError", "TrainParams", "TrainResult", "TransformerNet", "apply_to_folder",
    "camera_frames", "load_transformer", "save_transformer", "stylize_frames", "train_style",
    "DEFAULT_CONTENT_LAYER", "DEFAULT_STYLE_LAYERS", "INITS", "OPTIMIZERS", "LossRecord", "StyleParams", "StylePartial",
    "StyleResult", "estimate_memory", "scale_sizes", "stylize", "suggest_size", "weights_for_strength",
    "content_loss", "gram_matrix", "style_layer_loss", "style_loss", "total_loss", "tv_loss",
    "MemoryEstimate", "MemoryRefused", "available_bytes", "check_memory", "estimate_bytes",
    "STYLE_SAMPLES", "resolve_image", "style_sample",
]
