"""Fast feed-forward styles: a Johnson-style transformation network, its training, and applying it.

This module is the public face; the work is in :mod:`.fast_model` (the network, its size
limits and files), :mod:`.fast_apply` (photos, tiles, folders, camera) and
:mod:`.fast_train` (training).

The network maps an RGB image in 0..255 to an RGB image in 0..255, (N, 3, H, W) float ->
(N, 3, H, W), and reads the PyTorch examples' *fast_neural_style* files (mosaic, candy, udnie,
rain-princess) as well as its own; :mod:`.fast_model` describes the architecture.
"""

from __future__ import annotations

from .fast_apply import TILE_MARGIN, CameraUnavailable, FastStylizer, apply_to_folder, camera_frames, stylize_frames
from .fast_model import (
    ImageTooSmall,
    StyleModelError,
    TransformerNet,
    check_image_size,
    clean_state_dict,
    load_transformer,
    min_input_side,
    save_transformer,
)
from .fast_train import TrainParams, TrainPoint, TrainResult, train_style

__all__ = [
    "TransformerNet",
    "StyleModelError",
    "CameraUnavailable",
    "ImageTooSmall",
    "min_input_side",
    "check_image_size",
    "TILE_MARGIN",
    "clean_state_dict",
    "load_transformer",
    "save_transformer",
    "FastStylizer",
    "apply_to_folder",
    "TrainParams",
    "TrainPoint",
    "TrainResult",
    "train_style",
    "camera_frames",
    "stylize_frames",
]
