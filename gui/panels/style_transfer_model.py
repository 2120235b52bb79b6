"""State of the Style transfer panel: inputs, parameters, the run's partial results, and the fast style network."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from engine import weights
from engine.device import get_device
from engine.i18n import N_, _
from engine.io import load_image, save_image
from engine.samples import SAMPLE_PHOTOS
from engine.style import (
    STYLE_SAMPLES,
    FastStylizer,
    ImageTooSmall,
    check_image_size,
    LossRecord,
    MemoryEstimate,
    StyleParams,
    StylePartial,
    StyleResult,
    TrainParams,
    estimate_memory,
    gram_matrix,
    load_backbone,
    load_transformer,
    resolve_image,
    stylize,
    train_style,
)
from engine.style.gatys import resize_long_side, suggest_size

__all__ = [
    "StyleTransferModel", "FastStyleModel", "CONTENT_SAMPLES", "STYLE_CHOICES", "MIN_TRAIN_STEPS", "short_training_warning", "loss_readout",
]

#: fewer fast-style training steps than this leave the network near its random start (a dark, blotchy picture)
MIN_TRAIN_STEPS = 200


def short_training_warning(steps: int) -> str:
    """A warning when ``steps`` is too few to learn a style, else ""."""
    if steps >= MIN_TRAIN_STEPS:
        return ""
    return _("{steps} steps are far too few: the network barely leaves its random start and the picture comes out nearly black. "
             "Use at least {minimum} steps; 400 for a first look, a few thousand for a clean style.").format(steps=steps, minimum=MIN_TRAIN_STEPS)


def loss_readout(record: LossRecord) -> str:
    """Every number of J after one step, each named: J, the weighted terms, and the unweighted costs J_content and J_style."""
    return _("J = α·J_content + β·J_style + γ·TV = {total}\n"
             "α·J_content = {wc}\nβ·J_style = {ws}\nγ·TV = {wt}\n"
             "unweighted costs: J_content = {jc}, J_style = {js}").format(
        total=f"{record.total:.4g}", wc=f"{record.weighted_content:.4g}", ws=f"{record.weighted_style:.4g}",
        wt=f"{record.weighted_tv:.4g}", jc=f"{record.content_cost:.4g}", js=f"{record.style_cost:.4g}")


def report_every(steps: int) -> int:
    """Steps between loss points: about 20 points on a short run, one every 10 steps on a long one."""
    return max(1, min(10, steps // 20))

CONTENT_SAMPLES = list(SAMPLE_PHOTOS)
STYLE_CHOICES = list(STYLE_SAMPLES) + list(SAMPLE_PHOTOS)
_GRAM_SIZE = 128  # long side at which the Gram view computes its matrices


class StyleTransferModel(QObject):
    """Inputs, parameters and results of the optimisation. The view binds to the signals."""

    contentChanged = Signal()
    styleChanged = Signal()
    paramsChanged = Signal()
    outputChanged = Signal()  # current/best image or losses changed
    runningChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.content: np.ndarray = resolve_image("sample:chelsea")
        self.content_name = "chelsea"
        self.style: np.ndarray = resolve_image("sample:mosaic")
        self.style_name = "mosaic"
        self.params = StyleParams(size=256, steps=150, report_every=10)
        self.output: np.ndarray | None = None  # the image shown (current)
        self.best: np.ndarray | None = None  # lowest-loss image so far: what Save and Cancel keep
        self.losses: list[LossRecord] = []
        self.result: StyleResult | None = None
        self.notice = ""
        self.running = False
        self.run_params: StyleParams | None = None  # the settings of the run that made ``best``
        self.run_inputs: tuple[str, str] = ("", "")  # (content name, style name) of that run
        self._backbones: dict[str, object] = {}

    # -- inputs --

    def set_content(self, rgb: np.ndarray, name: str) -> None:
        self.content, self.content_name = np.ascontiguousarray(rgb), name
        self.contentChanged.emit()

    def set_style(self, rgb: np.ndarray, name: str) -> None:
        self.style, self.style_name = np.ascontiguousarray(rgb), name
        self.styleChanged.emit()

    def load_content(self, spec: str) -> None:
        """``spec``: a sample name or a file path; raises ImageLoadError/ValueError."""
        rgb = resolve_image(f"sample:{spec}" if spec in STYLE_CHOICES else spec)
        self.set_content(rgb, spec if spec in STYLE_CHOICES else Path(spec).name)

    def load_style(self, spec: str) -> None:
        rgb = resolve_image(f"sample:{spec}" if spec in STYLE_CHOICES else spec)
        self.set_style(rgb, spec if spec in STYLE_CHOICES else Path(spec).name)

    def swap(self) -> None:
        """Exchange content and style."""
        self.content, self.style = self.style, self.content
        self.content_name, self.style_name = self.style_name, self.content_name
        self.contentChanged.emit()
        self.styleChanged.emit()

    # -- parameters --

    def update_params(self, **changes) -> None:
        """Change fields of :class:`StyleParams` (e.g. ``size=512``); emits ``paramsChanged`` when something changed."""
        new = replace(self.params, **changes)
        if new != self.params:
            self.params = new
            self.paramsChanged.emit()

    def apply_example(self, state: dict) -> None:
        """Put the panel into a course example's state: ``alpha`` and ``beta`` weigh the content and style
        costs of the next run. Hand-chosen activations are not part of the panel."""
        changes = {k: float(state[k]) for k in ("alpha", "beta") if k in state}
        if changes:
            self.update_params(**changes)

    def vgg19_installed(self) -> bool:
        return weights.status("vgg19") in ("installed", "imported")

    def effective_backbone(self) -> str:
        """The backbone a run will use: VGG-19 falls back to random filters while its weights are missing."""
        return "vgg19" if self.params.backbone == "vgg19" and self.vgg19_installed() else "random"

    def memory_estimate(self) -> MemoryEstimate:
        return estimate_memory(self.content.shape, replace(self.params, backbone=self.effective_backbone()), get_device())

    def suggested_size(self, available: int) -> int:
        """The largest output size that fits in ``available`` bytes with the current settings (0 if none)."""
        return suggest_size(self.content.shape, replace(self.params, backbone=self.effective_backbone()), available, get_device())

    # -- running --

    def make_job(self):
        """The stylisation job for the current inputs and parameters."""
        self.output = self.best = None
        self.losses = []
        self.result = None
        self.notice = ""
        # what Save records: the settings and inputs of this run, even if the controls change meanwhile
        self.run_params = replace(self.params, style_layers=dict(self.params.style_layers))
        self.run_inputs = (self.content_name, self.style_name)
        self.outputChanged.emit()
        return stylize(self.content, self.style, replace(self.run_params, style_layers=dict(self.run_params.style_layers)), device=get_device())

    def set_running(self, running: bool) -> None:
        if running != self.running:
            self.running = running
            self.runningChanged.emit(running)

    def take_partial(self, partial: StylePartial) -> None:
        self.output, self.best, self.losses = partial.image, partial.best, partial.losses
        self.outputChanged.emit()

    def take_result(self, result: StyleResult) -> None:
        self.result = result
        self.output = self.best = result.image
        self.losses = result.losses
        self.notice = result.notice
        self.outputChanged.emit()

    def keep_best(self, partial: StylePartial | None) -> None:
        """After Cancel: the best image so far becomes the output."""
        if partial is not None:
            self.losses = partial.losses
            self.output = self.best = partial.best
        self.outputChanged.emit()

    def save(self, path: str | Path) -> Path:
        """Write the best image as PNG with the parameters in its metadata."""
        if self.best is None:
            raise ValueError(_("there is no output to save yet"))
        p = Path(path)
        if p.suffix.lower() != ".png":
            p = p.with_suffix(".png")
        if self.result is not None:
            meta = self.result.metadata()
        else:
            meta = (self.run_params or self.params).to_metadata()
            meta["convstudio:cancelled-at-step"] = str(self.losses[-1].step if self.losses else 0)
        content_name, style_name = self.run_inputs if self.run_params is not None else (self.content_name, self.style_name)
        meta["convstudio:content"] = content_name
        meta["convstudio:style"] = style_name
        return save_image(p, self.best, meta)

    # -- Gram view --

    def gram_pair(self, layer: str) -> tuple[np.ndarray, np.ndarray, str]:
        """(style Gram, output Gram, label: an English source text) at ``layer``, computed at a small size; before a run the content photo stands for the output."""
        import torch

        name = self.effective_backbone()
        if name not in self._backbones:
            self._backbones[name] = load_backbone(name, "cpu").backbone
        bb = self._backbones[name]
        out, label = (self.best, N_("Output")) if self.best is not None else (self.content, N_("Content photo (before a run)"))

        def g(rgb: np.ndarray) -> np.ndarray:
            small = resize_long_side(rgb, _GRAM_SIZE)
            t = torch.from_numpy(np.array(small, dtype=np.float32)).permute(2, 0, 1).unsqueeze(0) / 255.0
            with torch.no_grad():
                a = bb(t, [layer])[layer]
            return (gram_matrix(a)[0] / a[0, 0].numel()).numpy()

        return g(self.style), g(out), label


class FastStyleModel(QObject):
    """The fast-style tab: the loaded network, the image it applies to, training state."""

    networkChanged = Signal()
    outputChanged = Signal()
    curveChanged = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.stylizer: FastStylizer | None = None
        self.notice = ""  # why the input is shown unstylised (an image under the network's minimum size)
        self.network_name = ""
        self.strength = 1.0
        self.input: np.ndarray | None = None
        self.output: np.ndarray | None = None
        self.curve: list = []
        self.train_params = TrainParams(steps=400, batch_size=2, size=192, checkpoint_every=100)
        self._stylised: np.ndarray | None = None  # (H, W, 3) float32 0..255: the input at full strength

    def load_network(self, path: str | Path) -> None:
        """Load a .pth style network (ours or the PyTorch examples'); raises StyleModelError."""
        net = load_transformer(path)
        self.stylizer = FastStylizer(net, get_device())
        self._stylised = None
        self.network_name = Path(path).name
        self.networkChanged.emit()
        if self.input is not None:
            self.apply()

    def set_input(self, rgb: np.ndarray) -> None:
        self.input = np.ascontiguousarray(rgb)
        self._stylised = None
        self.apply()

    def set_strength(self, strength: float) -> None:
        self.strength = float(strength)
        if self.input is not None:
            self.apply()

    def apply(self) -> None:
        """Stylise the input photo (kept at most 1024 px on its long side for a quick preview)."""
        if self.stylizer is None or self.input is None:
            self.output = self.input
            self.outputChanged.emit()
            return
        img = resize_long_side(self.input, 1024) if max(self.input.shape[:2]) > 1024 else self.input
        try:
            check_image_size(*img.shape[:2])
        except ImageTooSmall as exc:  # shown as is; the panel says why it is not stylised
            self.notice = str(exc)
            self.output = self.input
            self.outputChanged.emit()
            return
        self.notice = ""
        if self._stylised is None or self._stylised.shape != img.shape:
            # the network runs once per photo and network; the strength slider only blends
            import torch

            x = torch.from_numpy(np.array(img, dtype=np.uint8, copy=True)).permute(2, 0, 1).unsqueeze(0).float()
            self._stylised = self.stylizer.tensor(x.to(self.stylizer.device))[0].permute(1, 2, 0).cpu().numpy()
        s = min(max(self.strength, 0.0), 1.0)
        base = img.astype(np.float32)
        self.output = np.clip(np.rint(base + (self._stylised - base) * s), 0, 255).astype(np.uint8)
        self.outputChanged.emit()

    def train_job(self, style: np.ndarray, images: str | None, out_path: Path):
        self.curve = []
        self.curveChanged.emit()
        return train_style(style, images or None, out_path, replace(self.train_params), device=get_device())

    def set_curve(self, curve: list) -> None:
        self.curve = curve
        self.curveChanged.emit()

    @staticmethod
    def load_image(path: str) -> np.ndarray:
        return load_image(path)
