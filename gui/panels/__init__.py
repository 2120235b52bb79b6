"""The panel registry: one ``"module:Class"`` line per panel, in sidebar order."""

from __future__ import annotations

import importlib
import logging

__all__ = ["PANELS", "load_panel_classes"]

log = logging.getLogger(__name__)

PANELS: list[str] = [
    "gui.panels.welcome:WelcomePanel",
    "gui.panels.course:CoursePanel",
    "gui.panels.course_views:CourseViewsPanel",
    "gui.panels.convolution:ConvolutionPanel",
    "gui.panels.architectures:ArchitecturesPanel",
    "gui.panels.feature_maps:FeatureMapsPanel",
    "gui.panels.augmentation:AugmentationPanel",
    "gui.panels.detection:DetectionPanel",
    "gui.panels.grid_detector:GridDetectorPanel",
    "gui.panels.style_transfer:StyleTransferPanel",
    "gui.panels.faces:FacesPanel",
    "gui.panels.models:ModelsPanel",
]


def load_panel_classes(strict: bool = False) -> list[type]:
    """Import every registered panel class. A panel that fails to import is
    logged and left out (or raises, with ``strict``)."""
    classes = []
    for spec in PANELS:
        module_name, _, class_name = spec.partition(":")
        try:
            classes.append(getattr(importlib.import_module(module_name), class_name))
        except Exception:
            if strict:
                raise
            log.exception("panel %s could not be loaded and is not listed", spec)
    return classes
