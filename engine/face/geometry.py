"""Small 2-D transforms matching dlib's point-transform conventions (float64 numpy)."""

from __future__ import annotations

import numpy as np

__all__ = ["similarity_transform", "affine_from_3_points", "apply_affine"]


def similarity_transform(src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares similarity (Umeyama) mapping ``src`` (N,2) onto ``dst`` (N,2).

    Returns ``(m, t)``: a (2,2) matrix (scale * rotation) and a (2,) translation with
    ``dst ~= src @ m.T + t``. Reflections are excluded.
    """
    src = np.asarray(src, np.float64)
    dst = np.asarray(dst, np.float64)
    mean_s, mean_d = src.mean(0), dst.mean(0)
    ds, dd = src - mean_s, dst - mean_d
    sigma_s = (ds ** 2).sum(1).mean()
    cov = dd.T @ ds / len(src)
    u, d, vt = np.linalg.svd(cov)
    s = np.eye(2)
    det = np.linalg.det(cov)
    if det < 0 or (det == 0 and np.linalg.det(u) * np.linalg.det(vt) < 0):
        if d[1] < d[0]:
            s[1, 1] = -1
        else:
            s[0, 0] = -1
    r = u @ s @ vt
    c = (np.diag(d) @ s).trace() / sigma_s if sigma_s != 0 else 1.0
    m = c * r
    return m, mean_d - m @ mean_s


def affine_from_3_points(src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The affine map sending three points ``src`` (3,2) to ``dst`` (3,2): ``(m (2,2), t (2,))``."""
    a = np.hstack([np.asarray(src, np.float64), np.ones((3, 1))])
    sol = np.linalg.solve(a, np.asarray(dst, np.float64))  # (3,2)
    return sol[:2].T, sol[2]


def apply_affine(m: np.ndarray, t: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """``pts`` (N,2) mapped by ``(m, t)``."""
    return np.asarray(pts, np.float64) @ np.asarray(m).T + np.asarray(t)
