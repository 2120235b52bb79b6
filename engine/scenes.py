"""Labelled synthetic scenes: shapes and little cars on textured backgrounds.

Every scene is generated from a seed, so the same seed gives the same pixels
and the same ground truth. Objects belong to :data:`CLASS_NAMES` (circle,
square, triangle, car), have random size, colour and position, may overlap
partially, and sit on a background that is a crop of a bundled sample photo,
smooth colour noise, or a gradient. Boxes are exact: each object's box is the
tight pixel extent of its own silhouette (before anything is drawn over it).

:class:`DemoScene` animates objects moving over a sample photo; every frame is
a :class:`Scene` with its ground truth, computed from the frame index alone
(random access, reproducible), which makes it a camera-free video source.

    scene = make_scene(seed=3, size=(160, 160))
    scene.image      # (160, 160, 3) uint8 RGB
    scene.boxes      # (N, 4) float32 xyxy in pixels
    scene.labels     # (N,) int64 indices into scene.class_names
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Sequence

import cv2
import numpy as np

from .samples import SAMPLE_PHOTOS, sample_image
from .i18n import _, join_list

__all__ = [
    "CLASS_NAMES",
    "BACKGROUNDS",
    "Scene",
    "Sprite",
    "render_sprite",
    "make_background",
    "make_scene",
    "make_scenes",
    "DemoScene",
]

#: Object classes, in label order.
CLASS_NAMES: tuple[str, ...] = ("circle", "square", "triangle", "car")

#: Background kinds accepted by :func:`make_background` / :func:`make_scene`.
BACKGROUNDS: tuple[str, ...] = ("photo", "noise", "gradient", "mixed")


@dataclass(frozen=True)
class Scene:
    """One labelled image.

    image: (H, W, 3) uint8 RGB.
    boxes: (N, 4) float32, xyxy in pixels (x2/y2 exclusive: a one-pixel
        object at column 5 has x1=5, x2=6).
    labels: (N,) int64 indices into ``class_names``.
    class_names: the names of all classes.
    """

    image: np.ndarray
    boxes: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...] = CLASS_NAMES

    def __len__(self) -> int:
        return int(self.boxes.shape[0])

    @property
    def size(self) -> tuple[int, int]:
        """(height, width) of the image."""
        return int(self.image.shape[0]), int(self.image.shape[1])

    def names(self) -> list[str]:
        """Class name of each object."""
        return [self.class_names[int(i)] for i in self.labels]


@dataclass(frozen=True)
class Sprite:
    """A rendered object cropped to its silhouette.

    mask: (h, w) bool silhouette; rgb: (h, w, 3) uint8 colours; label: class index.
    """

    mask: np.ndarray
    rgb: np.ndarray
    label: int

    @property
    def shape(self) -> tuple[int, int]:
        return int(self.mask.shape[0]), int(self.mask.shape[1])


# -- sprites ------------------------------------------------------------------

def _is_car(label: int) -> bool:
    return CLASS_NAMES[label] == "car"


def _random_colour(rng: np.random.Generator) -> np.ndarray:
    """A saturated-ish random colour (HSV with high S and V), as uint8 RGB."""
    hsv = np.array([[[rng.integers(0, 180), rng.integers(120, 256), rng.integers(130, 256)]]], np.uint8)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0, 0]


def _crop_to_mask(mask: np.ndarray, rgb: np.ndarray, label: int) -> Sprite:
    ys = np.flatnonzero(mask.any(axis=1))
    xs = np.flatnonzero(mask.any(axis=0))
    y0, y1, x0, x1 = ys[0], ys[-1] + 1, xs[0], xs[-1] + 1
    return Sprite(np.ascontiguousarray(mask[y0:y1, x0:x1]), np.ascontiguousarray(rgb[y0:y1, x0:x1]), label)


def render_sprite(label: int, size: int, rng: np.random.Generator, colour: np.ndarray | None = None) -> Sprite:
    """Draw one object of class ``label`` about ``size`` pixels across.

    Circles are round, squares square (slightly rotated at most), triangles of
    varying proportion and rotation, cars about twice as wide as tall (body,
    cabin with windows, two dark wheels), facing left or right.
    """
    if label < 0 or label >= len(CLASS_NAMES):
        raise ValueError(_("label must be 0..{last}, got {label}").format(last=len(CLASS_NAMES) - 1, label=label))
    size = max(int(size), 6)
    colour = _random_colour(rng) if colour is None else np.asarray(colour, np.uint8)
    dark = (colour.astype(np.float32) * 0.45).astype(np.uint8)
    pad = 2
    canvas = int(size * (1.3 if _is_car(label) else 1.0)) + 2 * pad
    mask = np.zeros((canvas, canvas), np.uint8)
    rgb = np.zeros((canvas, canvas, 3), np.uint8)
    c = canvas / 2.0
    shift = 4  # sub-pixel precision for cv2 drawing
    scale = 1 << shift

    def pts(points: np.ndarray) -> np.ndarray:
        return np.round(points * scale).astype(np.int32).reshape(-1, 1, 2)

    name = CLASS_NAMES[label]
    if name == "circle":
        r = size / 2.0
        cv2.circle(mask, (int(c * scale), int(c * scale)), int(r * scale), 1, -1, cv2.LINE_8, shift)
        rgb[:] = colour
        outline = np.zeros_like(mask)
        cv2.circle(outline, (int(c * scale), int(c * scale)), int(r * scale), 1, max(1, size // 14), cv2.LINE_8, shift)
        rgb[outline > 0] = dark
    elif name in ("square", "triangle"):
        if name == "square":
            half = size / 2.0 / 1.1
            poly = np.array([[-half, -half], [half, -half], [half, half], [-half, half]])
            angle = rng.uniform(-12, 12)
        else:
            aspect = rng.uniform(0.75, 1.3)  # height / base
            base = size / max(1.0, aspect)
            h = base * aspect
            poly = np.array([[0.0, -h / 2], [base / 2, h / 2], [-base / 2, h / 2]])
            angle = rng.uniform(-25, 25) + (180.0 if rng.random() < 0.25 else 0.0)
        t = np.deg2rad(angle)
        rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
        poly = poly @ rot.T + c
        cv2.fillPoly(mask, [pts(poly)], 1, cv2.LINE_8, shift)
        rgb[:] = colour
        cv2.polylines(rgb, [pts(poly)], True, tuple(int(v) for v in dark), max(1, size // 14), cv2.LINE_8, shift)
    else:  # car: wider than tall
        w = float(size) * 1.3
        h = w * rng.uniform(0.45, 0.6)
        x0, y0 = c - w / 2, c - h / 2
        body_top = y0 + h * 0.42
        wheel_r = h * 0.2
        body_bottom = y0 + h - wheel_r
        cabin = np.array(
            [[x0 + w * 0.22, body_top], [x0 + w * 0.32, y0], [x0 + w * 0.68, y0], [x0 + w * 0.8, body_top]]
        )
        if rng.random() < 0.5:  # facing the other way: mirror the cabin
            cabin[:, 0] = 2 * c - cabin[:, 0]
        body = np.array([[x0, body_top], [x0 + w, body_top], [x0 + w, body_bottom], [x0, body_bottom]])
        for poly in (body, cabin):
            cv2.fillPoly(mask, [pts(poly)], 1, cv2.LINE_8, shift)
            cv2.fillPoly(rgb, [pts(poly)], tuple(int(v) for v in colour), cv2.LINE_8, shift)
        # windows
        win = cabin.copy()
        win[:, 1] = np.clip(win[:, 1], y0 + h * 0.08, body_top - h * 0.06)
        mid_x = cabin[:, 0].mean()
        win[:, 0] = mid_x + (win[:, 0] - mid_x) * 0.8
        cv2.fillPoly(rgb, [pts(win)], (200, 225, 240), cv2.LINE_8, shift)
        for wx in (x0 + w * 0.22, x0 + w * 0.78):
            centre = (int(wx * scale), int((y0 + h - wheel_r) * scale))
            cv2.circle(mask, centre, int(wheel_r * scale), 1, -1, cv2.LINE_8, shift)
            cv2.circle(rgb, centre, int(wheel_r * scale), (25, 25, 25), -1, cv2.LINE_8, shift)
            cv2.circle(rgb, centre, int(wheel_r * 0.45 * scale), (150, 150, 150), -1, cv2.LINE_8, shift)
    rgb[mask == 0] = 0
    return _crop_to_mask(mask.astype(bool), rgb, label)


# -- backgrounds --------------------------------------------------------------

def make_background(size: tuple[int, int], rng: np.random.Generator, kind: str = "mixed") -> np.ndarray:
    """A textured (H, W, 3) uint8 background.

    kind: ``"photo"`` (a random crop of a bundled sample photo, toned down so
    objects stay visible), ``"noise"`` (smooth colour noise), ``"gradient"``,
    or ``"mixed"`` (one of these at random, photos half the time).
    """
    if kind not in BACKGROUNDS:
        raise ValueError(_("unknown background {kind}; choose one of {choices}").format(kind=repr(kind), choices=join_list(BACKGROUNDS)))
    h, w = int(size[0]), int(size[1])
    if kind == "mixed":
        kind = str(rng.choice(["photo", "photo", "noise", "gradient"]))
    if kind == "photo":
        photo = sample_image(str(rng.choice(SAMPLE_PHOTOS)))
        ph, pw = photo.shape[:2]
        frac = rng.uniform(0.35, 1.0)
        ch = max(8, int(min(ph, pw * h / w) * frac))
        cw = max(8, int(ch * w / h))
        cw = min(cw, pw)
        y = int(rng.integers(0, ph - ch + 1))
        x = int(rng.integers(0, pw - cw + 1))
        crop = cv2.resize(photo[y : y + ch, x : x + cw], (w, h), interpolation=cv2.INTER_AREA)
        if rng.random() < 0.5:
            crop = crop[:, ::-1]
        grey = crop.mean()
        out = grey + (crop.astype(np.float32) - grey) * rng.uniform(0.45, 0.8)
        return np.clip(out, 0, 255).astype(np.uint8)
    if kind == "noise":
        cells = int(rng.integers(3, 12))
        small = rng.normal(0, 1, (cells, max(2, cells * w // h), 3)).astype(np.float32)
        smooth = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
        base = rng.uniform(60, 190, 3).astype(np.float32)
        fine = rng.normal(0, rng.uniform(2, 14), (h, w, 1)).astype(np.float32)
        return np.clip(base + smooth * rng.uniform(15, 40) + fine, 0, 255).astype(np.uint8)
    a = rng.uniform(40, 220, 3).astype(np.float32)
    b = rng.uniform(40, 220, 3).astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = (np.cos(angle) * xx / max(w, 1) + np.sin(angle) * yy / max(h, 1))
    t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
    return np.clip(a + (b - a) * t[..., None], 0, 255).astype(np.uint8)


# -- scenes -------------------------------------------------------------------

def _paste(image: np.ndarray, sprite: Sprite, x: int, y: int) -> None:
    """Draw ``sprite`` with its top-left at (x, y), clipped to the image."""
    H, W = image.shape[:2]
    h, w = sprite.shape
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, W), min(y + h, H)
    if x0 >= x1 or y0 >= y1:
        return
    m = sprite.mask[y0 - y : y1 - y, x0 - x : x1 - x]
    region = image[y0:y1, x0:x1]
    region[m] = sprite.rgb[y0 - y : y1 - y, x0 - x : x1 - x][m]


def _acceptable(box: np.ndarray, placed: list[np.ndarray], max_iou: float, max_cover: float) -> bool:
    for other in placed:
        ix = max(0.0, min(box[2], other[2]) - max(box[0], other[0]))
        iy = max(0.0, min(box[3], other[3]) - max(box[1], other[1]))
        inter = ix * iy
        if inter == 0:
            continue
        a1 = (box[2] - box[0]) * (box[3] - box[1])
        a2 = (other[2] - other[0]) * (other[3] - other[1])
        if inter / (a1 + a2 - inter) > max_iou or inter / min(a1, a2) > max_cover:
            return False
    return True


def make_scene(
    seed: int | np.random.Generator | None = None,
    size: tuple[int, int] = (160, 160),
    objects: tuple[int, int] = (1, 5),
    object_size: tuple[float, float] = (0.15, 0.45),
    background: str = "mixed",
    max_iou: float = 0.3,
    max_cover: float = 0.5,
    classes: Sequence[int] | None = None,
) -> Scene:
    """Generate one labelled scene.

    seed: an int (reproducible), a numpy Generator (continues its stream) or None.
    size: (height, width) in pixels.
    objects: inclusive range for the number of objects.
    object_size: object size range as a fraction of min(height, width).
    background: one of :data:`BACKGROUNDS`.
    max_iou / max_cover: overlap limits between two objects' boxes (IoU, and
        intersection over the smaller box), so overlaps stay partial.
    classes: restrict to these class indices (default: all).
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    h, w = int(size[0]), int(size[1])
    if h < 16 or w < 16:
        raise ValueError(_("scene size must be at least 16x16, got {h}x{w}").format(h=h, w=w))
    lo, hi = int(objects[0]), int(objects[1])
    if lo < 0 or hi < lo:
        raise ValueError(_("objects must be a range (min, max) with 0 <= min <= max, got {objects}").format(objects=objects))
    pool = list(range(len(CLASS_NAMES))) if classes is None else [int(c) for c in classes]
    image = make_background((h, w), rng, background)
    short = min(h, w)
    count = int(rng.integers(lo, hi + 1))
    boxes: list[np.ndarray] = []
    labels: list[int] = []
    for _object in range(count):
        label = int(rng.choice(pool))
        px = int(round(rng.uniform(*object_size) * short))
        sprite = render_sprite(label, px, rng)
        sh, sw = sprite.shape
        if sh > h or sw > w:
            continue
        for _attempt in range(20):
            x = int(rng.integers(0, w - sw + 1))
            y = int(rng.integers(0, h - sh + 1))
            box = np.array([x, y, x + sw, y + sh], np.float32)
            if _acceptable(box, boxes, max_iou, max_cover):
                _paste(image, sprite, x, y)
                boxes.append(box)
                labels.append(label)
                break
    return Scene(
        image=image,
        boxes=np.array(boxes, np.float32).reshape(-1, 4),
        labels=np.array(labels, np.int64),
        class_names=CLASS_NAMES,
    )


def make_scenes(n: int, seed: int = 0, **kwargs) -> list[Scene]:
    """``n`` scenes from one seed (scene ``i`` is ``make_scene(seed=[seed, i])``)."""
    return [make_scene(np.random.default_rng([seed, i]), **kwargs) for i in range(n)]


# -- moving objects -----------------------------------------------------------

@dataclass
class _Mover:
    sprite: Sprite
    start: np.ndarray  # (2,) x, y of top-left at t=0
    velocity: np.ndarray  # (2,) pixels per frame


def _bounce(p: np.ndarray, span: np.ndarray) -> np.ndarray:
    """Reflect positions into [0, span] (triangle wave)."""
    span = np.maximum(span, 1e-6)
    period = 2 * span
    q = np.mod(p, period)
    return np.where(q > span, period - q, q)


@dataclass
class DemoScene:
    """Objects gliding and bouncing over a sample photo; a camera-free video.

    ``frame(i)`` depends only on ``seed`` and ``i``, so frames can be read in
    any order and always agree. Ground truth comes with every frame.

    size: (height, width); photo: a name from ``engine.samples.SAMPLE_PHOTOS``;
    objects: how many; speed: (min, max) pixels per frame; fps: nominal rate.
    """

    seed: int = 0
    size: tuple[int, int] = (480, 640)
    photo: str = "astronaut"
    objects: int = 5
    speed: tuple[float, float] = (1.5, 5.0)
    object_size: tuple[float, float] = (0.22, 0.42)
    fps: float = 30.0
    _background: np.ndarray = field(init=False, repr=False)
    _movers: list[_Mover] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        h, w = int(self.size[0]), int(self.size[1])
        if h < 32 or w < 32:
            raise ValueError(_("demo size must be at least 32x32, got {h}x{w}").format(h=h, w=w))
        rng = np.random.default_rng([self.seed, 7919])
        photo = sample_image(self.photo)
        ph, pw = photo.shape[:2]
        # cover-crop the photo to the frame's aspect ratio
        if pw * h > ph * w:
            cw = ph * w // h
            x = (pw - cw) // 2
            photo = photo[:, x : x + cw]
        else:
            ch = pw * h // w
            y = (ph - ch) // 2
            photo = photo[y : y + ch]
        bg = cv2.resize(photo, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32)
        grey = bg.mean()
        self._background = np.clip(grey + (bg - grey) * 0.75, 0, 255).astype(np.uint8)
        self._movers = []
        short = min(h, w)
        for i in range(int(self.objects)):
            label = i % len(CLASS_NAMES) if i < len(CLASS_NAMES) else int(rng.integers(0, len(CLASS_NAMES)))
            sprite = render_sprite(label, int(rng.uniform(*self.object_size) * short), rng)
            sh, sw = sprite.shape
            start = np.array([rng.uniform(0, max(w - sw, 1)), rng.uniform(0, max(h - sh, 1))])
            angle = rng.uniform(0, 2 * np.pi)
            speed = rng.uniform(*self.speed)
            self._movers.append(_Mover(sprite, start, speed * np.array([np.cos(angle), np.sin(angle)])))

    @property
    def class_names(self) -> tuple[str, ...]:
        return CLASS_NAMES

    def frame(self, index: int) -> Scene:
        """Frame number ``index`` (>= 0) with its ground-truth boxes."""
        h, w = int(self.size[0]), int(self.size[1])
        image = self._background.copy()
        boxes = np.zeros((len(self._movers), 4), np.float32)
        labels = np.zeros(len(self._movers), np.int64)
        for k, mover in enumerate(self._movers):
            sh, sw = mover.sprite.shape
            span = np.array([max(w - sw, 0), max(h - sh, 0)], np.float64)
            x, y = np.round(_bounce(mover.start + mover.velocity * index, span)).astype(int)
            _paste(image, mover.sprite, int(x), int(y))
            boxes[k] = (x, y, min(x + sw, w), min(y + sh, h))
            labels[k] = mover.sprite.label
        return Scene(image=image, boxes=boxes, labels=labels, class_names=CLASS_NAMES)

    def frames(self, count: int | None = None, start: int = 0) -> Iterator[Scene]:
        """Frames ``start, start+1, ...`` (forever when ``count`` is None)."""
        i = start
        while count is None or i < start + count:
            yield self.frame(i)
            i += 1

    def __iter__(self) -> Iterator[Scene]:
        return self.frames()
