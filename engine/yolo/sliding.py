"""Sliding windows two ways: crop-and-classify versus the same network as convolutions.

The classifier is the classic 14x14x3 example::

    conv 5x5, 16 filters -> 10x10x16 -> max pool 2x2 -> 5x5x16
    -> FC 400 -> ReLU -> FC 400 -> ReLU -> FC 4 -> softmax

with 4 classes: background, circle, square, triangle (the three shapes that
stay recognisable at 14 pixels, plus "nothing here").

:func:`to_convolutional` copies its weights into a fully convolutional twin:
the first FC layer becomes 400 filters of 5x5x16, the second 400 filters of
1x1x400, the output layer 4 filters of 1x1x400, softmax over channels. Run on
a larger image it evaluates every 14x14 window at stride 2 in one pass:
16x16 -> 2x2x4, 28x28 -> 8x8x4, H x W -> ((H-14)/2+1) x ((W-14)/2+1) x 4.
Output cell (i, j) corresponds to the window whose top-left is (2j, 2i).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..i18n import _
from ..jobs import Job, Progress
from ..files import save_torch
from ..scenes import CLASS_NAMES, make_background, make_scene, render_sprite

__all__ = [
    "WINDOW",
    "STRIDE",
    "SLIDING_CLASSES",
    "WindowClassifier",
    "ConvWindowClassifier",
    "to_convolutional",
    "output_size",
    "window_of",
    "crop_windows",
    "sliding_cropped",
    "sliding_convolutional",
    "SlidingComparison",
    "compare",
    "window_grid",
    "WindowSizeRun",
    "sliding_sizes",
    "make_crops",
    "train_classifier_job",
    "ClassifierResult",
    "save_classifier",
    "load_classifier",
    "demo_scene",
]

#: Window side in pixels.
WINDOW = 14
#: Step between neighbouring windows (the max-pool factor).
STRIDE = 2
#: Output classes of the window classifier.
SLIDING_CLASSES: tuple[str, ...] = ("background", "circle", "square", "triangle")


class WindowClassifier(nn.Module):
    """The 14x14x3 classifier with fully connected layers.

    Input (N, 3, 14, 14) float 0..1; output (N, 4) logits.
    """

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 5)
        self.fc1 = nn.Linear(5 * 5 * 16, 400)
        self.fc2 = nn.Linear(400, 400)
        self.out = nn.Linear(400, len(SLIDING_CLASSES))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv(x)), 2)
        x = torch.flatten(x, 1)  # (N, 16*5*5) in channel, row, column order
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.out(x)


class ConvWindowClassifier(nn.Module):
    """The fully convolutional twin. Input (N, 3, H, W), H, W >= 14;
    output (N, 4, (H-14)//2+1, (W-14)//2+1) logits."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 5)
        self.fc1 = nn.Conv2d(16, 400, 5)
        self.fc2 = nn.Conv2d(400, 400, 1)
        self.out = nn.Conv2d(400, len(SLIDING_CLASSES), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv(x)), 2)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.out(x)


def to_convolutional(net: WindowClassifier) -> ConvWindowClassifier:
    """Copy the FC classifier's weights into its convolutional twin (no training)."""
    conv = ConvWindowClassifier()
    with torch.no_grad():
        conv.conv.weight.copy_(net.conv.weight)
        conv.conv.bias.copy_(net.conv.bias)
        conv.fc1.weight.copy_(net.fc1.weight.view(400, 16, 5, 5))
        conv.fc1.bias.copy_(net.fc1.bias)
        conv.fc2.weight.copy_(net.fc2.weight.view(400, 400, 1, 1))
        conv.fc2.bias.copy_(net.fc2.bias)
        conv.out.weight.copy_(net.out.weight.view(len(SLIDING_CLASSES), 400, 1, 1))
        conv.out.bias.copy_(net.out.bias)
    return conv.eval()


def output_size(h: int, w: int) -> tuple[int, int]:
    """Rows and columns of the output map for an H x W input."""
    if h < WINDOW or w < WINDOW:
        raise ValueError(_("the image must be at least {side}×{side}, got {h}×{w}").format(side=WINDOW, h=h, w=w))
    return (h - WINDOW) // STRIDE + 1, (w - WINDOW) // STRIDE + 1


def window_of(row: int, col: int) -> tuple[int, int, int, int]:
    """The input window (x1, y1, x2, y2) seen by output cell (row, col)."""
    return col * STRIDE, row * STRIDE, col * STRIDE + WINDOW, row * STRIDE + WINDOW


def _to_tensor(image: np.ndarray) -> torch.Tensor:
    """(H, W, 3) uint8 -> (1, 3, H, W) float 0..1."""
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(_("expected an (H, W, 3) image, got shape {shape}").format(shape=image.shape))
    return torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1).unsqueeze(0).float() / 255.0


def crop_windows(image: np.ndarray) -> torch.Tensor:
    """Every window of the image: (rows*cols, 3, 14, 14), row-major."""
    x = _to_tensor(image)[0]
    rows, cols = output_size(x.shape[1], x.shape[2])
    return torch.stack([x[:, r * STRIDE : r * STRIDE + WINDOW, c * STRIDE : c * STRIDE + WINDOW] for r in range(rows) for c in range(cols)])


@torch.no_grad()
def sliding_cropped(net: WindowClassifier, image: np.ndarray, one_at_a_time: bool = True) -> np.ndarray:
    """Classify every window separately: probabilities (rows, cols, 4).

    ``one_at_a_time`` runs one forward pass per window (the classic cost);
    otherwise all crops go through as one batch.
    """
    net.eval()
    x = _to_tensor(image)
    rows, cols = output_size(x.shape[2], x.shape[3])
    if one_at_a_time:
        out = torch.empty(rows, cols, len(SLIDING_CLASSES))
        for r in range(rows):
            for c in range(cols):
                crop = x[:, :, r * STRIDE : r * STRIDE + WINDOW, c * STRIDE : c * STRIDE + WINDOW]
                out[r, c] = torch.softmax(net(crop), dim=1)[0]
        return out.numpy()
    probs = torch.softmax(net(crop_windows(image)), dim=1)
    return probs.view(rows, cols, -1).numpy()


@torch.no_grad()
def sliding_convolutional(conv: ConvWindowClassifier, image: np.ndarray) -> np.ndarray:
    """One pass of the convolutional twin: probabilities (rows, cols, 4)."""
    conv.eval()
    probs = torch.softmax(conv(_to_tensor(image)), dim=1)[0]
    return probs.permute(1, 2, 0).numpy()


@dataclass(frozen=True)
class SlidingComparison:
    """Both ways on one image.

    cropped, convolutional: (rows, cols, 4) probabilities; max_diff: largest
    absolute difference; seconds_*: best-of-``repeats`` wall time of each way
    (cropped one window per pass, cropped as one batch, convolutional);
    speedup: seconds_cropped / seconds_conv.
    """

    cropped: np.ndarray
    convolutional: np.ndarray
    max_diff: float
    seconds_cropped: float
    seconds_batched: float
    seconds_conv: float

    @property
    def speedup(self) -> float:
        return self.seconds_cropped / max(self.seconds_conv, 1e-9)

    @property
    def speedup_batched(self) -> float:
        return self.seconds_batched / max(self.seconds_conv, 1e-9)


def _best_time(fn, repeats: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _repeat in range(max(1, repeats)):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def compare(net: WindowClassifier, image: np.ndarray, repeats: int = 3) -> SlidingComparison:
    """Run ``image`` through the cropped and the convolutional way; time both."""
    conv = to_convolutional(net)
    t_crop, cropped = _best_time(lambda: sliding_cropped(net, image, True), repeats)
    t_batch, _batched = _best_time(lambda: sliding_cropped(net, image, False), repeats)
    t_conv, convolved = _best_time(lambda: sliding_convolutional(conv, image), repeats)
    diff = float(np.abs(cropped - convolved).max())
    return SlidingComparison(cropped, convolved, diff, t_crop, t_batch, t_conv)


# -- several window sizes ---------------------------------------------------------

def window_grid(h: int, w: int, size: int, stride: int) -> tuple[int, int]:
    """Rows and columns of ``size``×``size`` windows at ``stride`` on an H×W image (0 rows if it does not fit)."""
    if size < 1 or stride < 1:
        raise ValueError(_("window size and stride must be at least 1, got {size} and {stride}").format(size=size, stride=stride))
    if h < size or w < size:
        return 0, 0
    return (h - size) // stride + 1, (w - size) // stride + 1


@dataclass(frozen=True)
class WindowSizeRun:
    """Crop-and-classify with one window size.

    size, stride: the window side and step (pixels). rows × cols windows, ``crops`` of them;
    each crop is resized to the classifier's 14×14 input. probs: (rows, cols, 4) class
    probabilities; boxes: (crops, 4) xyxy windows in image pixels, row-major; seconds: wall
    time of classifying this size's crops one forward pass each.
    """

    size: int
    stride: int
    rows: int
    cols: int
    probs: np.ndarray
    boxes: np.ndarray
    seconds: float

    @property
    def crops(self) -> int:
        """How many windows this size classifies."""
        return self.rows * self.cols

    @property
    def seconds_per_crop(self) -> float:
        """Average time of one crop's forward pass (0 when no window fits)."""
        return self.seconds / self.crops if self.crops else 0.0


@torch.no_grad()
def sliding_sizes(net: WindowClassifier, image: np.ndarray, sizes: tuple[int, ...] = (14, 21, 28),
                  strides: tuple[int, ...] | None = None) -> list[WindowSizeRun]:
    """Slide windows of each size over ``image`` ((H, W, 3) uint8) and classify every crop, one pass each.

    ``strides`` defaults to each size scaled like the 14-pixel window's stride 2 (⌈size/7⌉).
    Larger windows find larger objects and cost fewer crops; every size adds its whole cost,
    which is why the classic method is slow. Sizes that do not fit give a run with 0 crops.
    """
    if strides is None:
        strides = tuple(max(1, -(-int(k) * STRIDE // WINDOW)) for k in sizes)
    if len(strides) != len(sizes):
        raise ValueError(_("give one stride per window size ({n} sizes, {m} strides)").format(n=len(sizes), m=len(strides)))
    net.eval()
    x = _to_tensor(image)
    h, w = int(x.shape[2]), int(x.shape[3])
    runs = []
    for size, stride in zip(sizes, strides):
        rows, cols = window_grid(h, w, int(size), int(stride))
        probs = torch.empty(rows, cols, len(SLIDING_CLASSES))
        boxes = np.zeros((rows * cols, 4), dtype=np.int64)
        t0 = time.perf_counter()
        for r in range(rows):
            for c in range(cols):
                y0, x0 = r * stride, c * stride
                crop = x[:, :, y0 : y0 + size, x0 : x0 + size]
                if size != WINDOW:
                    crop = F.interpolate(crop, size=(WINDOW, WINDOW), mode="bilinear", align_corners=False, antialias=size > WINDOW)
                probs[r, c] = torch.softmax(net(crop), dim=1)[0]
                boxes[r * cols + c] = (x0, y0, x0 + size, y0 + size)
        runs.append(WindowSizeRun(int(size), int(stride), rows, cols, probs.numpy(), boxes, time.perf_counter() - t0))
    return runs


# -- data and training --------------------------------------------------------

def make_crops(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` labelled 14x14 crops: images (n, 14, 14, 3) uint8, labels (n,) int64.

    A quarter are background (texture only, or a shape pushed mostly out of
    the window); the rest hold one shape of 8-13 pixels near the centre.
    """
    rng = np.random.default_rng([seed, 14])
    images = np.zeros((n, WINDOW, WINDOW, 3), np.uint8)
    labels = np.zeros(n, np.int64)
    for i in range(n):
        label = int(rng.integers(0, len(SLIDING_CLASSES))) if rng.random() < 0.75 else 0
        big = make_background((WINDOW * 2, WINDOW * 2), rng, "mixed")
        y0, x0 = int(rng.integers(0, WINDOW)), int(rng.integers(0, WINDOW))
        tile = big[y0 : y0 + WINDOW, x0 : x0 + WINDOW].copy()
        if label > 0 or rng.random() < 0.4:
            shape_label = label if label > 0 else int(rng.integers(1, len(SLIDING_CLASSES)))
            sprite = render_sprite(CLASS_NAMES.index(SLIDING_CLASSES[shape_label]), int(rng.integers(8, 13)), rng)
            sh, sw = sprite.shape
            if label > 0:
                y = (WINDOW - sh) // 2 + int(rng.integers(-1, 2))
                x = (WINDOW - sw) // 2 + int(rng.integers(-1, 2))
            else:  # mostly outside: only an edge shows
                side = rng.integers(0, 4)
                off = int(rng.integers(sw // 2 + 2, sw))
                x = [-off, WINDOW - sw + off, (WINDOW - sw) // 2, (WINDOW - sw) // 2][side]
                y = [(WINDOW - sh) // 2, (WINDOW - sh) // 2, -off, WINDOW - sh + off][side]
            y0, x0 = max(y, 0), max(x, 0)
            y1, x1 = min(y + sh, WINDOW), min(x + sw, WINDOW)
            if y0 < y1 and x0 < x1:
                m = sprite.mask[y0 - y : y1 - y, x0 - x : x1 - x]
                tile[y0:y1, x0:x1][m] = sprite.rgb[y0 - y : y1 - y, x0 - x : x1 - x][m]
        images[i] = tile
        labels[i] = label
    return images, labels


@dataclass(frozen=True)
class ClassifierResult:
    """A trained window classifier and its accuracy on held-out crops."""

    net: WindowClassifier
    accuracy: float
    seconds: float


def train_classifier_job(n_train: int = 6000, epochs: int = 4, seed: int = 0, batch_size: int = 64) -> Job[ClassifierResult]:
    """Job: train the 14x14 classifier on generated crops (Adam); returns it with held-out accuracy."""
    t0 = time.perf_counter()
    torch.manual_seed(seed)
    yield Progress(0.0, _("Generating {n} crops…").format(n=n_train))
    images, labels = make_crops(n_train, seed)
    val_images, val_labels = make_crops(max(200, n_train // 10), seed + 1)
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255.0
    y = torch.from_numpy(labels)
    net = WindowClassifier()
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    steps = epochs * ((n_train + batch_size - 1) // batch_size)
    gen = torch.Generator().manual_seed(seed)
    step = 0
    for epoch in range(epochs):
        order = torch.randperm(n_train, generator=gen)
        net.train()
        for start in range(0, n_train, batch_size):
            idx = order[start : start + batch_size]
            xb = x[idx]
            perm = torch.randperm(3, generator=gen)
            xb = xb[:, perm]  # colour-channel shuffle: shapes, not colours
            loss = F.cross_entropy(net(xb), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            if step % 20 == 0:
                yield Progress(0.05 + 0.9 * step / steps, _("epoch {epoch}/{epochs}: loss {loss:.3f}").format(epoch=epoch + 1, epochs=epochs, loss=float(loss.detach())))
    net.eval()
    with torch.no_grad():
        vx = torch.from_numpy(val_images).permute(0, 3, 1, 2).float() / 255.0
        acc = float((net(vx).argmax(1) == torch.from_numpy(val_labels)).float().mean())
    yield Progress(1.0, _("held-out accuracy {acc:.1%}").format(acc=acc))
    return ClassifierResult(net, acc, time.perf_counter() - t0)


def save_classifier(path: str | Path, net: WindowClassifier, accuracy: float) -> Path:
    """Write the classifier (tensors and numbers only)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_torch({"format": "convstudio-window-classifier/1", "state_dict": net.state_dict(), "accuracy": float(accuracy)}, path)
    return path


def load_classifier(path: str | Path) -> tuple[WindowClassifier, float]:
    """Read a classifier saved by :func:`save_classifier` (via ``engine.weights.safe_load``)."""
    from ..weights import WeightsError, safe_load

    blob = safe_load(path)
    if not isinstance(blob, dict) or blob.get("format") != "convstudio-window-classifier/1":
        raise WeightsError(_("{path} is not a ConvStudio window classifier").format(path=path))
    net = WindowClassifier()
    net.load_state_dict(blob["state_dict"])
    return net.eval(), float(blob.get("accuracy", 0.0))


def demo_scene(seed: int = 0, size: int = 64) -> np.ndarray:
    """A scene with small shapes (about window size) for sliding over: (size, size, 3) uint8."""
    classes = [CLASS_NAMES.index(c) for c in SLIDING_CLASSES[1:]]
    return make_scene(seed, size=(size, size), objects=(2, 4), object_size=(10 / size, 12 / size), classes=classes).image
