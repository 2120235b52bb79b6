"""The panel registry: one entry per panel, in sidebar order.

An entry knows what the sidebar shows (id, title, summary) and whether the panel needs torch, without
importing the panel's module: the window paints its sidebar at once and builds a panel the first time
it is shown (panels that need torch once it has loaded in the background). The panel classes carry
the same texts; a test keeps :data:`PANELS` and the classes in step. A new panel is one module plus one
entry here.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass

from engine.i18n import N_

__all__ = ["PANELS", "PanelEntry", "load_panel_classes", "panel_entries"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PanelEntry:
    """A registered panel, known before its module is loaded.

    spec: ``"module:Class"``; title and summary: source texts (translated where shown);
    accepts_images: drops and File ▸ Open go to it; needs_torch: the panel is built only once torch is loaded.
    """

    spec: str
    panel_id: str
    title: str
    summary: str
    accepts_images: bool = False
    needs_torch: bool = True

    def load(self) -> type:
        """Import the panel's module and return its class."""
        module_name, _sep, class_name = self.spec.partition(":")
        return getattr(importlib.import_module(module_name), class_name)


#: The registered panels, in sidebar order: one entry per panel (the class carries the same texts; a test checks).
PANELS: tuple[PanelEntry, ...] = (
    PanelEntry("gui.panels.welcome:WelcomePanel", "welcome", N_("Welcome"),
               N_("What ConvStudio does and where to start"), needs_torch=False),
    PanelEntry("gui.panels.course:CoursePanel", "course", N_("Course"),
               N_("The course note, section by section: the idea, formulas, worked examples, exercises and errata"), needs_torch=False),
    PanelEntry("gui.panels.course_views:CourseViewsPanel", "course_views", N_("Worked examples"),
               N_("The course's worked examples that need a view of their own, with their numbers computed live")),
    PanelEntry("gui.panels.convolution:ConvolutionPanel", "convolution", N_("Convolution"),
               N_("Step through a convolution: padding, stride, dilation, RGB filters, pooling, and your own photos"), accepts_images=True),
    PanelEntry("gui.panels.architectures:ArchitecturesPanel", "architectures", N_("Architectures"),
               N_("LeNet-5 to ResNet and GoogLeNet, or your own model file: layer shapes, parameters, MACs, receptive fields")),
    PanelEntry("gui.panels.feature_maps:FeatureMapsPanel", "feature_maps", N_("Feature maps"),
               N_("What every layer computes on your image; train LeNet-5 on digits; plain vs residual nets"), accepts_images=True),
    PanelEntry("gui.panels.augmentation:AugmentationPanel", "augmentation", N_("Augmentation"),
               N_("Mirror, crop, colour, rotation, shear and elastic warps on a seeded grid; copy the torchvision code"), accepts_images=True),
    PanelEntry("gui.panels.detection:DetectionPanel", "detection", N_("Detection"),
               N_("Live object detection with the boxes before and after non-max suppression"), accepts_images=True),
    PanelEntry("gui.panels.grid_detector:GridDetectorPanel", "grid_detector", N_("Grid detector"),
               N_("Detection from first principles: sliding windows as convolutions, and a YOLO grid trained here")),
    PanelEntry("gui.panels.style_transfer:StyleTransferPanel", "style_transfer", N_("Style transfer"),
               N_("Paint a photo in the style of a painting and watch it form; train and apply fast style networks"), accepts_images=True),
    PanelEntry("gui.panels.faces:FacesPanel", "faces", N_("Faces"),
               N_("Enroll people, recognise them live with 'Unknown', verify pairs, calibrate the threshold"), accepts_images=True),
    PanelEntry("gui.panels.models:ModelsPanel", "models", N_("Models"),
               N_("Pretrained weights: download on request, import a file you have, verify checksums")),
)


def panel_entries() -> list[PanelEntry]:
    """Every registered panel, in sidebar order; no panel module is imported."""
    return list(PANELS)


def load_panel_classes(strict: bool = False) -> list[type]:
    """Import every registered panel class. A panel that fails to import is
    logged and left out (or raises, with ``strict``)."""
    classes = []
    for entry in PANELS:
        try:
            classes.append(entry.load())
        except Exception:
            if strict:
                raise
            log.exception("panel %s could not be loaded and is not listed", entry.spec)
    return classes
