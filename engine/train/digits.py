"""LeNet-5 trained on scikit-learn's bundled handwritten digits, offline, in seconds.

The 1,797 8x8 digits (values 0..16) are scaled to 32x32 (bilinear), mapped to
[-1, 1], and split with a seed into training and held-out sets (stratified).
:func:`train_digits` is an engine job: it yields :class:`DigitsMetrics` (loss
and accuracy curves so far, and at the end the held-out confusion matrix) and
returns a :class:`DigitsResult`. The trained model is saved as a state dict
plus metadata to ``trained_dir()/lenet5_digits.pt`` and read back with
:func:`engine.weights.safe_load`.

    outcome = run_job(train_digits(epochs=8))
    model, meta = load_trained_lenet()
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..i18n import _
from ..jobs import Job, Progress
from ..files import save_torch
from ..paths import trained_dir
from ..samples import load_digits

__all__ = [
    "DIGITS_FILE",
    "DigitsSplit",
    "DigitsMetrics",
    "DigitsResult",
    "DigitsModelMissing",
    "digits_split",
    "digits_to_tensor",
    "digit_image",
    "preprocess_digit",
    "build_lenet5",
    "train_digits",
    "evaluate",
    "confusion_matrix",
    "checked_meta",
    "trained_path",
    "save_trained",
    "load_trained_lenet",
]

#: File name of the trained model inside :func:`engine.paths.trained_dir`.
DIGITS_FILE = "lenet5_digits.pt"
_SIZE = 32


class DigitsModelMissing(FileNotFoundError):
    """No trained LeNet-5 is saved yet; train one (Feature maps panel or ``convstudio arch train-digits``)."""

    def __init__(self, path: Path):
        super().__init__(
            _("No trained LeNet-5 at {path}. Train it in the Feature maps panel or with: convstudio arch train-digits").format(path=path)
        )
        self.path = path


def digits_to_tensor(images: np.ndarray) -> torch.Tensor:
    """(N, 8, 8) digits in 0..16 -> float32 (N, 1, 32, 32) in [-1, 1] (bilinear scaling)."""
    x = torch.as_tensor(np.asarray(images, dtype=np.float32) / 16.0).unsqueeze(1)
    x = F.interpolate(x, size=(_SIZE, _SIZE), mode="bilinear", align_corners=False)
    return (x.clamp(0.0, 1.0) - 0.5) / 0.5


@dataclass
class DigitsSplit:
    """Seeded stratified split. x_*: (N, 1, 32, 32) float32 in [-1, 1]; y_*: (N,) int64; *_index: rows of the dataset."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    train_index: np.ndarray
    test_index: np.ndarray


def digits_split(seed: int = 0, test_fraction: float = 0.2) -> DigitsSplit:
    """Split the 1,797 digits into training and held-out sets, stratified by class, reproducibly."""
    from sklearn.model_selection import train_test_split

    images, labels = load_digits()
    idx = np.arange(len(labels))
    train_idx, test_idx = train_test_split(idx, test_size=test_fraction, random_state=seed, stratify=labels)
    x = digits_to_tensor(images)
    y = torch.as_tensor(labels)
    return DigitsSplit(x[train_idx], y[train_idx], x[test_idx], y[test_idx], train_idx, test_idx)


def digit_image(index: int) -> np.ndarray:
    """Dataset digit ``index`` as a (32, 32, 3) uint8 RGB image (white ink on black), exactly as the network sees it."""
    images, _ = load_digits()
    if not 0 <= index < len(images):
        raise IndexError(f"digit index must be 0..{len(images) - 1}")
    x = digits_to_tensor(images[index : index + 1])[0, 0]
    grey = ((x + 1.0) * 127.5).round().clamp(0, 255).to(torch.uint8).numpy()
    return np.repeat(grey[:, :, None], 3, axis=2)


def preprocess_digit(rgb: np.ndarray) -> torch.Tensor:
    """Any (H, W, 3) uint8 image -> (1, 1, 32, 32) LeNet-5 input.

    Grey scale, dark ink on a light background is inverted (the digits are
    light on dark), the image is padded to a square and scaled to 32x32.
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) image, got shape {rgb.shape}")
    grey = torch.as_tensor(rgb.astype(np.float32) / 255.0).mean(dim=2)
    if grey.mean() > 0.5:
        grey = 1.0 - grey
    h, w = grey.shape
    side = max(h, w)
    square = torch.zeros(side, side)
    top, left = (side - h) // 2, (side - w) // 2
    square[top : top + h, left : left + w] = grey
    x = square[None, None]
    if side != _SIZE:
        x = F.interpolate(x, size=(_SIZE, _SIZE), mode="area" if side > _SIZE else "bilinear")
    return (x.clamp(0.0, 1.0) - 0.5) / 0.5


def build_lenet5() -> torch.nn.Module:
    """A fresh LeNet-5 (the architecture zoo's), random weights."""
    from ..arch.zoo import build

    return build("lenet5")


def confusion_matrix(y_true: torch.Tensor, y_pred: torch.Tensor, classes: int = 10) -> np.ndarray:
    """(classes, classes) int64 counts; row = true class, column = predicted."""
    idx = y_true.to(torch.int64) * classes + y_pred.to(torch.int64)
    return torch.bincount(idx, minlength=classes * classes).reshape(classes, classes).numpy()


@torch.no_grad()
def evaluate(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 512) -> tuple[float, float, torch.Tensor]:
    """(mean cross-entropy, accuracy 0..1, predictions (N,)) of ``model`` on ``x`` (N, 1, 32, 32)."""
    was_training = model.training
    model.eval()
    losses, preds = [], []
    for i in range(0, len(x), batch):
        logits = model(x[i : i + batch])
        losses.append(F.cross_entropy(logits, y[i : i + batch], reduction="sum"))
        preds.append(logits.argmax(1))
    model.train(was_training)
    pred = torch.cat(preds)
    return float(torch.stack(losses).sum()) / len(x), float((pred == y).float().mean()), pred


@dataclass
class DigitsMetrics:
    """Live training state (the job's partial result).

    steps / train_loss: x (epochs, fractional) and mean training loss of each stretch of batches.
    epochs / train_accuracy / test_accuracy / test_loss: one point per finished epoch.
    confusion: (10, 10) held-out confusion matrix, set when training ends.
    """

    steps: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    epochs: list[int] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    confusion: np.ndarray | None = None
    seconds: float = 0.0


@dataclass
class DigitsResult:
    """A finished run: held-out accuracy (0..1), training seconds, the saved file (or None), curves, model."""

    accuracy: float
    seconds: float
    path: Path | None
    metrics: DigitsMetrics
    model: torch.nn.Module = field(repr=False)
    test_size: int = 0


def trained_path() -> Path:
    """Where the trained LeNet-5 lives."""
    return trained_dir() / DIGITS_FILE


def save_trained(model: torch.nn.Module, meta: dict, path: Path | None = None) -> Path:
    """Save ``{"state_dict": ..., "meta": ...}`` atomically; ``meta`` holds only plain numbers, strings and lists."""
    path = Path(path) if path is not None else trained_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    save_torch({"state_dict": state, "meta": meta}, path)
    return path


def load_trained_lenet(path: Path | None = None, device: torch.device | str = "cpu") -> tuple[torch.nn.Module, dict]:
    """The saved LeNet-5 (eval mode) and its metadata; :class:`DigitsModelMissing` if none is saved.

    Loaded with :func:`engine.weights.safe_load` (tensors and plain data only).
    """
    from ..weights import WeightsError, safe_load

    path = Path(path) if path is not None else trained_path()
    if not path.exists():
        raise DigitsModelMissing(path)
    blob = safe_load(path)
    if not isinstance(blob, dict) or "state_dict" not in blob:
        raise WeightsError(f"{path} is not a ConvStudio digits model (no state_dict)")
    model = build_lenet5()
    try:
        model.load_state_dict(blob["state_dict"])
    except RuntimeError as exc:
        raise WeightsError(f"{path} does not fit LeNet-5: {str(exc).splitlines()[0]}") from None
    return model.eval().to(device), checked_meta(blob.get("meta"))


def checked_meta(raw) -> dict:
    """The digits model's metadata with only the known fields of the right type (a file may hold anything)."""
    from ..stored import checked_fields, is_count, is_number, is_number_list, is_text

    def confusion(v) -> bool:
        return (isinstance(v, list) and len(v) == 10 and all(is_number_list(r) and len(r) == 10 for r in v))

    return checked_fields(raw, {
        "architecture": is_text, "dataset": is_text, "accuracy": lambda v: is_number(v) and 0 <= v <= 1,
        "test_size": is_count, "train_size": is_count, "epochs": is_count, "seed": is_count,
        "seconds": lambda v: is_number(v) and v >= 0, "input": is_text, "confusion": confusion, "trained_at": is_text,
    })


def train_digits(
    epochs: int = 8,
    seed: int = 0,
    batch_size: int = 32,
    lr: float = 5e-3,
    save: bool = True,
    path: Path | None = None,
    reports_per_epoch: int = 5,
) -> Job[DigitsResult]:
    """Job: train LeNet-5 on the digits with Adam, reporting curves as it goes.

    Deterministic for a given ``seed`` on one thread (the global RNG is forked,
    so callers' random state is untouched). Yields a copy of
    :class:`DigitsMetrics` several times per epoch; returns :class:`DigitsResult`
    and, with ``save``, writes the model to :func:`trained_path` (or ``path``).
    A cancelled run saves nothing.
    """
    if epochs < 1:
        raise ValueError("epochs must be at least 1")
    start = time.perf_counter()
    metrics = DigitsMetrics()
    yield Progress(0.0, _("Preparing the digits…"))
    split = digits_split(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = build_lenet5().train()
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
        gen = torch.Generator().manual_seed(seed)
        n = len(split.y_train)
        batches = (n + batch_size - 1) // batch_size
        every = max(1, batches // max(1, reports_per_epoch))
        for epoch in range(epochs):
            order = torch.randperm(n, generator=gen)
            run_loss, run_count, correct = 0.0, 0, 0
            for b in range(batches):
                idx = order[b * batch_size : (b + 1) * batch_size]
                xb, yb = split.x_train[idx], split.y_train[idx]
                logits = model(xb)
                loss = F.cross_entropy(logits, yb)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                run_loss += float(loss.detach()) * len(idx)
                run_count += len(idx)
                correct += int((logits.argmax(1) == yb).sum())
                if (b + 1) % every == 0 or b == batches - 1:
                    metrics.steps.append(epoch + (b + 1) / batches)
                    metrics.train_loss.append(run_loss / run_count)
                    run_loss, run_count = 0.0, 0
                    metrics.seconds = time.perf_counter() - start
                    frac = (epoch + (b + 1) / batches) / epochs
                    yield Progress(frac * 0.98, _("Epoch {epoch}/{epochs}, loss {loss}").format(epoch=epoch + 1, epochs=epochs, loss=f"{metrics.train_loss[-1]:.3f}"), copy.deepcopy(metrics))
            sched.step()
            test_loss, test_acc, _pred = evaluate(model, split.x_test, split.y_test)
            metrics.epochs.append(epoch + 1)
            metrics.train_accuracy.append(correct / n)
            metrics.test_accuracy.append(test_acc)
            metrics.test_loss.append(test_loss)
            metrics.seconds = time.perf_counter() - start
            yield Progress(
                (epoch + 1) / epochs * 0.98,
                _("Epoch {epoch}/{epochs}: held-out accuracy {accuracy}%").format(epoch=epoch + 1, epochs=epochs, accuracy=f"{test_acc * 100:.1f}"),
                copy.deepcopy(metrics),
            )
    model.eval()
    _loss, accuracy, pred = evaluate(model, split.x_test, split.y_test)
    metrics.confusion = confusion_matrix(split.y_test, pred)
    metrics.seconds = time.perf_counter() - start
    saved = None
    if save:
        meta = {
            "architecture": "lenet5",
            "dataset": "scikit-learn digits (8x8 scaled to 32x32)",
            "accuracy": accuracy,
            "test_size": int(len(split.y_test)),
            "train_size": int(n),
            "epochs": int(epochs),
            "seed": int(seed),
            "seconds": float(metrics.seconds),
            "input": "grey (1, 32, 32), digits/16 mapped to [-1, 1]",
            "confusion": metrics.confusion.tolist(),
            "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        saved = save_trained(model, meta, path)
    yield Progress(1.0, _("Held-out accuracy {accuracy}% in {seconds} s").format(accuracy=f"{accuracy * 100:.1f}", seconds=f"{metrics.seconds:.1f}"), copy.deepcopy(metrics))
    return DigitsResult(accuracy, metrics.seconds, saved, metrics, model, int(len(split.y_test)))
