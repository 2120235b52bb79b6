"""The detector registry: names to factories, including prefixed names (``yolo:PATH``).

``register_detector("hog_people", factory)`` adds a fixed name; a name ending
in ``":"`` (``register_detector("yolo:", factory)``) adds a prefix whose factory
receives the rest of the name (``create_detector("yolo:model.pt")`` calls
``factory("model.pt", weights=..., device=...)``).
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Callable

import torch

from ..i18n import _, join_list
from .types import Detector, DetectorError

__all__ = [
    "DetectorSpec",
    "DETECTORS",
    "DETECTOR_MODULES",
    "register_detector",
    "register_refresher",
    "create_detector",
    "detector_specs",
    "detector_choices",
    "get_spec",
    "WEIGHTS_CHOICES",
]

log = logging.getLogger(__name__)

#: Modules that register detectors when imported (one line per feature module).
DETECTOR_MODULES: list[str] = [
    "engine.detect.opencv_detectors",
    "engine.detect.torchvision_detectors",
    "engine.yolo.detector",
]

#: accepted values of ``weights``: the installed pretrained weights, or random ones (pipeline tests)
WEIGHTS_CHOICES = ("installed", "random")


@dataclass(frozen=True)
class DetectorSpec:
    """One registered detector.

    name: registry name (a prefix ends with ``":"``).
    factory: ``factory(weights=..., device=...)``, or for a prefix ``factory(suffix, weights=..., device=...)``.
    title: shown in choosers.  weights_entry: the model-manager entry it needs
    (``None`` when it works offline with nothing to download).
    group: "torchvision", "opencv", "trained" ... for grouping in the UI.
    choices: for a prefix, a callable listing the concrete ``(suffix, title)``
    pairs available now (e.g. the trained model files), so choosers can offer them.
    """

    name: str
    factory: Callable[..., Detector]
    title: str = ""
    weights_entry: str | None = None
    group: str = ""
    description: str = ""
    choices: Callable[[], list[tuple[str, str]]] | None = None

    @property
    def is_prefix(self) -> bool:
        return self.name.endswith(":")


#: name -> spec, in registration order
DETECTORS: dict[str, DetectorSpec] = {}


def register_detector(
    name: str,
    factory: Callable[..., Detector],
    title: str = "",
    weights_entry: str | None = None,
    group: str = "",
    description: str = "",
    choices: Callable[[], list[tuple[str, str]]] | None = None,
) -> DetectorSpec:
    """Register (or replace) a detector factory under ``name`` (a prefix when it ends with ``":"``)."""
    spec = DetectorSpec(name, factory, title or name, weights_entry, group, description, choices)
    DETECTORS[name] = spec
    return spec


_loaded: set[str] = set()
_refreshers: list = []


def register_refresher(refresh) -> None:
    """Call ``refresh()`` before every listing: for entries that depend on files that come and go
    (the grid detector trained in the app is listed only while its checkpoint exists)."""
    if refresh not in _refreshers:
        _refreshers.append(refresh)


def _ensure_builtin() -> None:
    """Import every module in :data:`DETECTOR_MODULES` once (a module that fails is logged and skipped),
    then let file-backed entries catch up with the files."""
    for module in list(DETECTOR_MODULES):
        if module in _loaded:
            continue
        _loaded.add(module)
        try:
            importlib.import_module(module)
        except Exception:
            log.exception("detector module %s could not be loaded", module)
    for refresh in list(_refreshers):
        try:
            refresh()
        except Exception:
            log.exception("refreshing detector entries failed")


def detector_specs() -> list[DetectorSpec]:
    """Every registered detector, built-ins included."""
    _ensure_builtin()
    return list(DETECTORS.values())


def detector_choices() -> list[tuple[str, str, DetectorSpec]]:
    """Every concrete detector a chooser can offer: ``(name, title, spec)``; prefixes
    contribute one entry per item their ``choices`` lists."""
    out = []
    for spec in detector_specs():
        if not spec.is_prefix:
            out.append((spec.name, spec.title, spec))
        elif spec.choices is not None:
            try:
                items = spec.choices()
            except Exception:
                log.exception("listing %s detectors failed", spec.name)
                items = []
            out.extend((spec.name + suffix, title, spec) for suffix, title in items)
    return out


def get_spec(name: str) -> tuple[DetectorSpec, str | None]:
    """The spec for ``name`` and, for a prefixed name, the suffix. ``DetectorError`` if unknown."""
    _ensure_builtin()
    if name in DETECTORS and not DETECTORS[name].is_prefix:
        return DETECTORS[name], None
    prefix, sep, rest = name.partition(":")
    if sep and prefix + ":" in DETECTORS:
        if not rest:
            raise DetectorError(_("{name!r}: give a value after '{prefix}:' (for example {prefix}:model.pt)").format(name=name, prefix=prefix))
        return DETECTORS[prefix + ":"], rest
    known = join_list(sorted(DETECTORS))
    raise DetectorError(_("unknown detector {name!r}; known: {known}").format(name=name, known=known))


def create_detector(name: str, weights: str = "installed", device: torch.device | str | None = None) -> Detector:
    """Build the detector called ``name``.

    weights: ``"installed"`` (pretrained, through the model manager; raises
    :class:`engine.weights.WeightsMissing` when not downloaded) or ``"random"``
    (the architecture with random weights -- for pipeline tests and benchmarks;
    the detections say so). Detectors that need no weights ignore it.
    device: ``None`` = :func:`engine.device.get_device`.
    """
    if weights not in WEIGHTS_CHOICES:
        raise DetectorError(_("weights must be one of {choices}, not {weights!r}").format(choices=join_list(WEIGHTS_CHOICES), weights=weights))
    from ..device import get_device

    dev = torch.device(device) if device is not None else get_device()
    spec, suffix = get_spec(name)
    if suffix is not None:
        return spec.factory(suffix, weights=weights, device=dev)
    return spec.factory(weights=weights, device=dev)
