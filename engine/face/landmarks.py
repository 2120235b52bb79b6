"""dlib's 5-point face landmark model (``shape_predictor_5_face_landmarks.dat``).

An ensemble of regression trees (Kazemi & Sullivan 2014) applied in a cascade: each stage
reads the grey value at a few hundred feature pixels, placed relative to the current shape
estimate (anchor landmark + offset, warped by the similarity transform from the mean shape
to the current shape), descends every tree by pixel-difference tests and adds the reached
leaves to the shape. Shapes live in box-normalised coordinates: (0,0) is the box's top-left
corner and (1,1) its bottom-right corner. Trees are evaluated together with numpy.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from engine.i18n import _
from engine.paths import data_dir
from engine.files import save_torch
from engine.weights import WeightsError, safe_load
from engine.face.dlib_format import RegressionForest, ShapePredictorData, read_shape_predictor
from engine.face.files import models_files
from engine.face.geometry import similarity_transform

__all__ = ["ShapePredictor", "LANDMARK_NAMES", "load_shape_predictor"]

#: Order of the 5 points: outer and inner corner of the right eye (image left), of the left eye, nose base.
LANDMARK_NAMES = ("right_eye_outer", "right_eye_inner", "left_eye_outer", "left_eye_inner", "nose")


class _Stage:
    """One cascade stage as arrays: T trees of depth D (S = 2**D - 1 splits)."""

    def __init__(self, forest: RegressionForest, anchors: np.ndarray, deltas: np.ndarray):
        self.idx1, self.idx2 = forest.idx1, forest.idx2  # (T,S)
        self.thresh = forest.thresh  # (T,S) float32
        self.leaves = forest.leaves  # (T,S+1,2P) float32
        self.anchors = anchors  # (F,)
        self.deltas = deltas  # (F,2) float32
        self.num_splits = self.idx1.shape[1]

    def apply(self, shape: np.ndarray, pix: np.ndarray) -> np.ndarray:
        """``shape`` (2P,) float32 plus, tree by tree in float32, the leaf each tree reaches
        with feature values ``pix`` (F,) float32."""
        trees = np.arange(len(self.idx1))
        node = np.zeros(len(trees), np.int64)
        while True:
            active = node < self.num_splits
            if not active.any():
                break
            t, n = trees[active], node[active]
            go_left = (pix[self.idx1[t, n]] - pix[self.idx2[t, n]]) > self.thresh[t, n]
            node[active] = np.where(go_left, 2 * n + 1, 2 * n + 2)
        steps = np.concatenate([shape[None], self.leaves[trees, node - self.num_splits]])
        return np.cumsum(steps, axis=0, dtype=np.float32)[-1]


def _cache_file(src: Path) -> Path:
    st = src.stat()
    return data_dir() / "face_cache" / f"{src.stem}-{st.st_size}-{st.st_mtime_ns}.pt"


def _to_tensors(data: ShapePredictorData) -> dict[str, torch.Tensor]:
    out = {"initial_shape": torch.from_numpy(data.initial_shape)}
    for i, (f, a, d) in enumerate(zip(data.forests, data.anchor_idx, data.deltas)):
        for key, arr in (("idx1", f.idx1), ("idx2", f.idx2), ("thresh", f.thresh), ("leaves", f.leaves),
                         ("anchors", a), ("deltas", d)):
            out[f"{i}.{key}"] = torch.from_numpy(np.ascontiguousarray(arr))
    return out


def _from_tensors(t: dict[str, torch.Tensor]) -> ShapePredictorData:
    n = sum(1 for k in t if k.endswith(".idx1"))
    g = {k: v.numpy() for k, v in t.items()}
    forests = [RegressionForest(g[f"{i}.idx1"], g[f"{i}.idx2"], g[f"{i}.thresh"], g[f"{i}.leaves"]) for i in range(n)]
    return ShapePredictorData(g["initial_shape"], forests, [g[f"{i}.anchors"] for i in range(n)],
                              [g[f"{i}.deltas"] for i in range(n)])


#: The cache holds the landmark model as tensors (a few MB); anything far beyond is not one.
CACHE_MAX_BYTES = 256 << 20


def _cache_problem(data: ShapePredictorData) -> str | None:
    """Why cached landmark data cannot be used as it is (shapes that do not fit together), or None."""
    shape = np.asarray(data.initial_shape)
    if shape.ndim != 1 or shape.size < 2 or shape.size % 2 or not np.isfinite(shape).all():
        return _("the mean shape is not a list of points")
    points = shape.size // 2
    if not data.forests or not len(data.forests) == len(data.anchor_idx) == len(data.deltas):
        return _("the cascade stages do not match")
    for f, a, d in zip(data.forests, data.anchor_idx, data.deltas):
        t, splits = f.idx1.shape if f.idx1.ndim == 2 else (0, 0)
        features = len(a)
        if (t == 0 or f.idx2.shape != (t, splits) or f.thresh.shape != (t, splits)
                or f.leaves.shape != (t, splits + 1, 2 * points) or d.shape != (features, 2)
                or a.ndim != 1 or (features and (a.min() < 0 or a.max() >= points))
                or f.idx1.min() < 0 or f.idx2.min() < 0 or max(f.idx1.max(), f.idx2.max()) >= features):
            return _("a cascade stage has shapes that do not fit together")
    return None


def load_shape_predictor(path: str | Path) -> ShapePredictorData:
    """Parse dlib's file once, then reuse a tensor copy cached in the data folder (loaded
    with :func:`engine.weights.safe_load`; refreshed when the source file changes). A cache that
    is not a regular file, does not load or whose shapes do not fit is kept aside and rebuilt."""
    from engine.stored import DamagedFile, check_stored, keep_aside

    src = Path(path)
    cache = _cache_file(src)
    if os.path.lexists(cache):
        try:
            check_stored(cache, CACHE_MAX_BYTES)  # a FIFO or a link to /dev/zero is not read
            data = _from_tensors(safe_load(cache))
            problem = _cache_problem(data)
            if problem is None:
                return data
        except DamagedFile as exc:
            problem = str(exc)
        except (WeightsError, KeyError, TypeError, AttributeError, ValueError, IndexError, RuntimeError) as exc:
            problem = " ".join((str(exc) or type(exc).__name__).split())[:200]
        keep_aside(cache, problem, _("the landmark model's cache"), _("it is rebuilt from {file}").format(file=src.name))
    data = read_shape_predictor(src)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        save_torch(_to_tensors(data), cache)
    except OSError:
        pass  # a read-only data folder only costs the parse next time
    return data


@lru_cache(maxsize=4)
def _load(path: str) -> tuple[np.ndarray, list[_Stage]]:
    data = load_shape_predictor(path)
    stages = [_Stage(f, a, d) for f, a, d in zip(data.forests, data.anchor_idx, data.deltas)]
    return data.initial_shape, stages


class ShapePredictor:
    """``predict(image, box)`` -> (P,2) float landmarks in image pixels (P = 5 here)."""

    def __init__(self, path: str | Path | None = None):
        self.initial_shape, self.stages = _load(str(path or models_files().landmarks5))
        self.num_parts = len(self.initial_shape) // 2

    def predict(self, image: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
        """Landmarks for the face in ``box`` (x1, y1, x2, y2 inclusive corners, as detected)
        of ``image`` (H,W,3) uint8 RGB (or (H,W) grey). Returns float64 (P,2) x,y pixels."""
        image = np.asarray(image)
        if image.ndim not in (2, 3):
            raise ValueError(_("image must be (H,W,3) or (H,W), got {shape}").format(shape=image.shape))
        # only the few hundred pixels the cascade reads are converted: a grey copy of a
        # 100-megapixel photo would cost 400 MB per face
        h, w = image.shape[:2]
        x1, y1, x2, y2 = (float(np.floor(v + 0.5)) for v in box)
        origin = np.array([x1, y1])
        extent = np.array([x2 - x1, y2 - y1])  # box-normalised (1,1) -> bottom-right corner
        mean_pts = self.initial_shape.reshape(-1, 2).astype(np.float64)
        shape = self.initial_shape.copy()
        for stage in self.stages:
            cur = shape.reshape(-1, 2)
            m, _offset = similarity_transform(mean_pts, cur.astype(np.float64))
            m = m.astype(np.float32)
            local = stage.deltas @ m.T + cur[stage.anchors]  # float32, box-normalised
            pts = np.floor(local.astype(np.float64) * extent + origin + 0.5).astype(np.int64)
            inside = (pts[:, 0] >= 0) & (pts[:, 0] < w) & (pts[:, 1] >= 0) & (pts[:, 1] < h)
            pix = np.zeros(len(pts), np.float32)
            pix[inside] = _grey_at(image, pts[inside, 1], pts[inside, 0])
            shape = stage.apply(shape, pix)
        return shape.reshape(-1, 2).astype(np.float64) * extent + origin


def _grey_at(image: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Grey values (float32) at the given pixels; dlib's grey of an RGB pixel is the integer mean of its channels."""
    px = image[ys, xs]
    if image.ndim == 3:
        px = px.astype(np.uint16).sum(axis=1) // 3
    return px.astype(np.float32)
