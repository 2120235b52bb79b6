"""dlib's pretrained face models (detector, 5-point landmarks, 128-D descriptor) in PyTorch."""

from engine.face.files import FaceModelFiles, FaceModelsMissing, models_dir, models_files

__all__ = ["FaceModelFiles", "FaceModelsMissing", "models_dir", "models_files"]
