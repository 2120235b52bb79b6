"""dlib's pretrained face models in PyTorch: MMOD CNN detector, 5-point landmarks,
alignment and the 128-D descriptor ResNet (same person when distance < 0.6)."""

from engine.face.align import ChipDetails, align_face, extract_chip, face_chip_details
from engine.face.dlib_format import DlibFormatError
from engine.face.files import FaceModelFiles, FaceModelsMissing, models_dir, models_files
from engine.face.landmarks import LANDMARK_NAMES, ShapePredictor
from engine.face.mmod import FaceBox, MMODFaceDetector
from engine.face.pipeline import Face, FaceAnalyzer, face_distance
from engine.face.resnet import CHIP_SIZE, DESCRIPTOR_DIM, SAME_PERSON_DISTANCE, Embedder, FaceDescriptorNet

__all__ = [
    "FaceModelFiles", "FaceModelsMissing", "models_dir", "models_files", "DlibFormatError",
    "MMODFaceDetector", "FaceBox", "ShapePredictor", "LANDMARK_NAMES",
    "ChipDetails", "face_chip_details", "extract_chip", "align_face",
    "Embedder", "FaceDescriptorNet", "CHIP_SIZE", "DESCRIPTOR_DIM", "SAME_PERSON_DISTANCE",
    "Face", "FaceAnalyzer", "face_distance",
]
