"""State of the Convolution panel: input grid, filters, layer settings, the traced animation and playback."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from engine import conv
from engine.conv import INPUT_PRESETS, Animation, PoolSpec
from engine.i18n import _

from .convolution_model_course import CourseExamples
from .convolution_model_photo import PhotoState

__all__ = ["CUSTOM_INPUT", "INPUT_PRESETS", "MAX_ARITH_N", "MAX_SHIFT", "POOL_4X4", "POOL_CHOICES", "ConvLabModel"]

#: Pooling menu: "none" or an engine pooling kind.
POOL_CHOICES = ("none", "max", "avg", "global")
#: Input preset name of a grid given value by value (:meth:`ConvLabModel.set_input_values`).
CUSTOM_INPUT = "custom"
#: Largest n the formula line computes; above :data:`engine.conv.MAX_LAB_INPUT` only the arithmetic is shown.
MAX_ARITH_N = 4096
#: Largest shift of the Translation-invariance tab, in pixels.
MAX_SHIFT = 4
#: The course's 4×4 pooling example.
POOL_4X4 = ((1, 3, 2, 1), (2, 9, 1, 1), (1, 3, 2, 3), (5, 6, 1, 2))


def _pool_code(x: np.ndarray, spec: PoolSpec | None) -> str:
    """PyTorch code pooling ``x`` (C, n, n) directly (no convolution)."""
    spec = spec or PoolSpec()
    body = conv.pytorch_code(x, np.eye(x.shape[0])[:, :, None, None], None).split("weight = ")[0].rstrip()
    if spec.kind == "global":
        call = "y = F.adaptive_avg_pool2d(x, 1)  # global average pooling"
    else:
        fn = "max_pool2d" if spec.kind == "max" else "avg_pool2d"
        call = f"y = F.{fn}(x, kernel_size={spec.size}, stride={spec.stride}, padding={spec.padding})"
    return body + "\n\n" + call + "\nprint(y)\n"


class ConvLabModel(CourseExamples, PhotoState, QObject):
    """Everything the Convolution panel shows, with change signals.

    The trace is computed once per settings change (:attr:`anim`, or
    :attr:`error` when the settings give no output); playback only moves
    :attr:`step`. Shapes: input (C_in, n, n), weights (C_out, C_in, f, f), bias (C_out,).
    """

    inputChanged = Signal()
    filtersChanged = Signal()
    settingsChanged = Signal()
    traceChanged = Signal()
    stepChanged = Signal(int)
    playingChanged = Signal(bool)
    speedChanged = Signal(float)
    photoChanged = Signal()
    shiftChanged = Signal(int)
    tabRequested = Signal(str)  # "animation", "parameters" or "translation": the tab a course example is seen on

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.n = 6
        self.channels = 1
        self.input_preset = INPUT_PRESETS[0]
        self.input = np.zeros((1, 6, 6))
        self.f = 3
        self.weights = np.zeros((1, 1, 3, 3))
        self.bias = np.zeros(1)
        self.presets: list[str] = ["vertical edge"]
        self.padding = 0
        self.padding_mode = "zeros"
        self.stride = 1
        self.dilation = 1
        self.relu = False
        self.pool_kind = "none"
        self.pool_size = 2
        self.pool_stride = 2
        self.pool_only = False
        self.anim: Animation | None = None
        self.error = ""
        self.pool_error = ""
        self.step = 0
        self.speed = 4.0
        self.photo: np.ndarray | None = None
        self.photo_name = ""
        self.shift = 1
        #: (C, H, W) of the course example the lab draws a few channels of (None: the lab is what it shows)
        self.example_shape: tuple[int, int, int] | None = None
        #: units of the fully connected layer the parameters are compared with (None: as wide as the conv's output)
        self.dense_units: int | None = None
        self._prepared = None
        self._rng = np.random.default_rng(0)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._batch = False
        self.set_input_preset(INPUT_PRESETS[0])
        self.set_kernel_preset("vertical edge")

    # -- derived values --

    @property
    def filters(self) -> int:
        return int(self.weights.shape[0])

    @property
    def pool_spec(self) -> PoolSpec | None:
        if self.pool_kind == "none":
            return None
        return PoolSpec(self.pool_kind, self.pool_size, self.pool_stride, 0)

    @property
    def drawn(self) -> bool:
        """Whether the input is small enough to be traced and drawn (else only the arithmetic is shown)."""
        return self.n <= conv.MAX_LAB_INPUT

    @property
    def total_steps(self) -> int:
        return len(self.anim) if self.anim is not None else 0

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def coverage(self) -> np.ndarray | None:
        """(n, n) windows per input pixel, or None when there is no output (or the grid is not drawn)."""
        if not self.drawn:
            return None
        try:
            return conv.coverage(self.n, self.f, self.padding, self.stride, self.dilation)
        except ValueError:
            return None

    def params(self) -> conv.ParamComparison | None:
        """This conv layer beside a fully connected layer: as wide as its output, or of :attr:`dense_units` units."""
        try:
            cmp = conv.compare_params(self.n, self.channels, self.f, self.filters, self.padding, self.stride, self.dilation)
        except ValueError:
            return None
        if self.dense_units:
            dense = conv.compare_params(self.n, self.channels, self.n, self.dense_units)  # a kernel over the whole image
            cmp = replace(cmp, dense_weights=dense.dense_weights, dense_biases=dense.dense_biases)
        return cmp

    def code(self, functional: bool = False) -> str:
        """PyTorch code equivalent to the current layer (and pooling), with this input and these weights."""
        if self.pool_only:
            return _pool_code(self.input, self.pool_spec)
        return conv.pytorch_code(self.input, self.weights, self.bias, self.stride, self.padding, self.dilation, self.padding_mode, self.pool_spec, functional, relu=self.relu)

    # -- input --

    def set_n(self, n: int) -> None:
        """Input size n×n: 1..MAX_LAB_INPUT is traced and drawn; larger n (up to MAX_ARITH_N) only does the arithmetic."""
        n = int(min(max(n, 1), MAX_ARITH_N))
        if n != self.n:
            self.example_shape = self.dense_units = None  # no longer the example's input
            self.n = n
            self._fill_input()

    def set_input_values(self, values: object) -> None:
        """Use these numbers as the input: (n, n) for one channel or (C, n, n); the preset becomes 'custom'."""
        a = np.asarray(values, dtype=np.float64)
        if a.ndim == 2:
            a = a[None]
        if a.ndim != 3 or a.shape[1] != a.shape[2] or not 1 <= a.shape[1] <= conv.MAX_LAB_INPUT or not 1 <= a.shape[0] <= conv.MAX_CHANNELS:
            raise ValueError(_("the input must be a square grid of 1..{n} cells a side with 1..{c} channels, not shape {s}").format(
                n=conv.MAX_LAB_INPUT, c=conv.MAX_CHANNELS, s=tuple(a.shape)))
        batch, self._batch = self._batch, True
        try:
            self.input_preset = CUSTOM_INPUT
            self.n = int(a.shape[1])
            if a.shape[0] != self.channels:
                self.set_channels(int(a.shape[0]))
        finally:
            self._batch = batch
        self.input = a.copy()
        self.inputChanged.emit()
        self.filtersChanged.emit()
        self._recompute()

    def use_pool_example(self, kind: str = "max") -> None:
        """The course's 4×4 pooling example in one step: that input, pooling only, f=2, s=2."""
        batch, self._batch = self._batch, True
        try:
            self.set_input_values(POOL_4X4)
            self.set_pool(kind, 2, 2)
            self.set_pool_only(True)
        finally:
            self._batch = batch
        self.settingsChanged.emit()
        self._recompute()

    def set_channels(self, channels: int) -> None:
        if isinstance(channels, bool) or not 1 <= int(channels) <= conv.MAX_CHANNELS:
            raise ValueError(_("channels must be 1..{max}").format(max=conv.MAX_CHANNELS))
        channels = int(channels)
        if channels == self.channels:
            return
        self.example_shape = self.dense_units = None  # no longer the example's input
        self.channels = channels
        if self.input_preset == "photo crop" and channels not in (1, 3):
            self.input_preset = "random integers"  # the photo has grey or RGB channels only
        self._fill_input(emit=False)
        self.weights = np.stack([self._preset_filter(name) if name != "custom" else np.repeat(self.weights[k, :1], channels, axis=0) for k, name in enumerate(self.presets)])
        self.filtersChanged.emit()
        self._recompute()

    def set_input_preset(self, name: str) -> None:
        if name == CUSTOM_INPUT:
            return
        if name not in INPUT_PRESETS:
            raise ValueError(f"unknown input preset {name!r}")
        self.input_preset = name
        if name == "vertical edge 6×6":
            self.n = 6
        self._fill_input()

    def _fill_input(self, emit: bool = True) -> None:
        if self.drawn:
            if self.input_preset == CUSTOM_INPUT:  # keep the numbers that still fit; new cells are 0
                old = self.input
                new = np.zeros((self.channels, self.n, self.n))
                c, r = min(old.shape[0], self.channels), min(old.shape[1], self.n)
                new[:c, :r, :r] = old[:c, :r, :r]
                self.input = new
            else:
                self.input = conv.input_preset(self.input_preset, self.n, self.channels, self._rng)
        self.inputChanged.emit()
        if emit:
            self._recompute()

    def set_cell(self, channel: int, row: int, col: int, value: float) -> None:
        self.input[channel, row, col] = float(value)
        self.inputChanged.emit()
        self._recompute()

    # -- filters --

    def _preset_filter(self, name: str) -> np.ndarray:
        if name == "red vertical edge":
            return conv.red_vertical_edge(self.f) if self.channels == 3 else conv.filter_preset("vertical edge", self.f, self.channels)
        return conv.filter_preset(name, self.f, self.channels)

    def set_filter_count(self, count: int) -> None:
        count = int(min(max(count, 1), 4))
        k = self.filters
        if count == k:
            return
        if count < k:
            self.weights, self.bias, self.presets = self.weights[:count].copy(), self.bias[:count].copy(), self.presets[:count]
        else:
            extra = [p for p in ("horizontal edge", "sharpen" if self.f == 3 else "box blur", "gaussian", "identity")][: count - k]
            for name in extra:
                self.presets.append(name)
                self.weights = np.concatenate([self.weights, self._preset_filter(name)[None]])
                self.bias = np.append(self.bias, 0.0)
        self.filtersChanged.emit()
        self._recompute()

    def set_kernel_size(self, f: int) -> None:
        f = int(min(max(f, 1), conv.MAX_KERNEL))
        if f == self.f:
            return
        self.f = f
        new = []
        for k, name in enumerate(self.presets):
            if name in conv.FIXED_SIZE_PRESETS and f != 3 or name == "custom":
                self.presets[k] = "custom"
                new.append(conv.fit_kernel(self.weights[k], f))
            else:
                new.append(self._preset_filter(name))
        self.weights = np.stack(new)
        self.filtersChanged.emit()
        self._recompute()

    def set_kernel_preset(self, name: str, index: int | None = None) -> None:
        """Put preset ``name`` on filter ``index`` (all filters when None). Fixed 3×3 presets switch f to 3."""
        if name not in conv.KERNEL_PRESETS and name != "red vertical edge":
            raise ValueError(f"unknown kernel preset {name!r}")
        if name in conv.FIXED_SIZE_PRESETS and self.f != 3:
            self.f = 3
            self.weights = np.stack([conv.fit_kernel(w, 3) for w in self.weights])
            self.presets = ["custom" if p in conv.FIXED_SIZE_PRESETS or p == "custom" else p for p in self.presets]
            for k, p in enumerate(self.presets):
                if p != "custom":
                    self.weights[k] = self._preset_filter(p)
        targets = range(self.filters) if index is None else [index]
        for k in targets:
            if name == "custom":
                self.presets[k] = "custom"
                continue
            self.presets[k] = name
            self.weights[k] = self._preset_filter(name)
        self.filtersChanged.emit()
        self._recompute()

    def set_random_weights(self, index: int | None = None, low: int = -2, high: int = 2) -> None:
        """Small random integer weights (low..high) on filter ``index`` (all when None): e.g. the 32 weights of a 1×1 filter."""
        targets = range(self.filters) if index is None else [index]
        for k in targets:
            self.weights[k] = self._rng.integers(low, high + 1, size=self.weights[k].shape)
            self.presets[k] = "custom"
        self.filtersChanged.emit()
        self._recompute()

    def use_red_vertical_edge(self) -> None:
        """The one-click example: 3 channels, one filter whose red kernel is a vertical edge and green/blue are zero."""
        self._batch = True
        try:
            self.set_channels(3)
            self.set_filter_count(1)
            self.set_kernel_size(3)
        finally:
            self._batch = False
        self.bias[:] = 0
        self.set_kernel_preset("red vertical edge", 0)

    def set_kernel_value(self, k: int, channel: int, row: int, col: int, value: float) -> None:
        self.weights[k, channel, row, col] = float(value)
        self.presets[k] = "custom"
        self.filtersChanged.emit()
        self._recompute()

    def set_bias(self, k: int | None, value: float) -> None:
        """Bias of filter ``k`` (every filter when None)."""
        if k is None:
            self.bias[:] = float(value)
        else:
            self.bias[k] = float(value)
        self.filtersChanged.emit()
        self._recompute()

    # -- layer settings --

    def set_padding(self, p: int) -> None:
        p = int(min(max(p, 0), 5))
        if p != self.padding:
            self.padding = p
            self._settings()

    def set_valid(self) -> None:
        self.set_padding(0)

    def same_explanation(self) -> str:
        """What pressing 'same' says with the current settings: "" when it simply works."""
        try:
            p = conv.same_padding(self.f, self.dilation)
        except ValueError as exc:
            return str(exc)
        if p > 5:
            return _("'same' needs p = {p}, more than the 5 this lab allows; lower the kernel size or dilation.").format(p=p)
        if self.stride != 1:
            return _("p = {p} keeps the size only at stride 1; with stride {s} the output shrinks by about {s}×.").format(p=p, s=self.stride)
        return ""

    def set_same(self) -> str:
        """Set the padding that keeps the size (at stride 1). Returns "" or the explanation when impossible."""
        try:
            p = conv.same_padding(self.f, self.dilation)
        except ValueError as exc:
            return str(exc)
        if p <= 5:
            self.set_padding(p)
        return self.same_explanation()

    def set_padding_mode(self, mode: str) -> None:
        if mode not in conv.PADDING_MODES:
            raise ValueError(f"unknown padding mode {mode!r}")
        if mode != self.padding_mode:
            self.padding_mode = mode
            self._settings()

    def set_stride(self, s: int) -> None:
        s = int(min(max(s, 1), conv.MAX_STRIDE))
        if s != self.stride:
            self.stride = s
            self._settings()

    def set_relu(self, on: bool) -> None:
        """Apply ReLU after the bias (one layer of a CNN) or show the plain convolution."""
        if bool(on) != self.relu:
            self.relu = bool(on)
            self._settings()

    def set_dilation(self, d: int) -> None:
        d = int(min(max(d, 1), 4))
        if d != self.dilation:
            self.dilation = d
            self._settings()

    def set_pool_only(self, on: bool) -> None:
        """Pool the input directly, with no convolution (max pooling when no pooling was chosen)."""
        on = bool(on)
        if on == self.pool_only:
            return
        self.pool_only = on
        if on and self.pool_kind == "none":
            self.pool_kind = "max"
        self._settings()

    def set_pool(self, kind: str | None = None, size: int | None = None, stride: int | None = None) -> None:
        if kind is not None:
            if kind not in POOL_CHOICES:
                raise ValueError(f"unknown pooling {kind!r}")
            if kind == "none" and self.pool_only:
                self.pool_only = False  # nothing left to do without a pooling
            self.pool_kind = kind
        if size is not None:
            self.pool_size = int(min(max(size, 1), 4))
        if stride is not None:
            self.pool_stride = int(min(max(stride, 1), 4))
        self._settings()

    def _settings(self) -> None:
        self.settingsChanged.emit()
        self._recompute()

    # -- the trace --

    def _recompute(self) -> None:
        if self._batch:
            return
        was_at_end = self.anim is not None and self.step >= self.total_steps - 1
        self.pool_error = ""
        if not self.drawn:
            self.anim, self.error = None, ""
        elif self.pool_only:
            self._recompute_pool_only()
        else:
            self._recompute_conv()
        if self.anim is None:
            self.pause()
        total = self.total_steps
        self.step = max(0, total - 1) if (was_at_end and not self.playing) else min(self.step, max(0, total - 1))
        self.traceChanged.emit()
        self.stepChanged.emit(self.step)

    def _recompute_pool_only(self) -> None:
        spec = self.pool_spec or PoolSpec("max", self.pool_size, self.pool_stride, 0)
        try:
            pool = conv.pool_trace(self.input, spec.kind, spec.size, spec.stride, spec.padding)
        except ValueError as exc:
            self.anim, self.error = None, str(exc)
            return
        # the identity 1×1 convolution: its output is the input, so the frame shows the input being pooled
        identity = np.eye(self.channels)[:, :, None, None]
        self.anim, self.error = Animation(conv.trace(self.input, identity), pool, pool_only=True), ""

    def _recompute_conv(self) -> None:
        try:
            t = conv.trace(self.input, self.weights, self.bias, self.stride, self.padding, self.dilation, self.padding_mode, relu=self.relu)
        except ValueError as exc:
            self.anim, self.error = None, str(exc)
        else:
            pool = None
            spec = self.pool_spec
            if spec is not None:
                try:
                    pool = conv.pool_trace(t.output, spec.kind, spec.size, spec.stride, spec.padding)
                except ValueError as exc:
                    self.pool_error = str(exc)
            self.anim, self.error = Animation(t, pool), ""

    # -- playback --

    def set_step(self, k: int) -> None:
        if self.anim is None:
            return
        k = int(min(max(k, 0), self.total_steps - 1))
        if k != self.step:
            self.step = k
            self.stepChanged.emit(k)

    def step_forward(self) -> None:
        self.set_step(self.step + 1)

    def step_back(self) -> None:
        self.set_step(self.step - 1)

    def play(self) -> None:
        if self.anim is None or self.playing:
            return
        if self.step >= self.total_steps - 1:
            self.set_step(0)
        self._timer.start(max(1, int(round(1000 / self.speed))))
        self.playingChanged.emit(True)

    def pause(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self.playingChanged.emit(False)

    def toggle_play(self) -> None:
        self.pause() if self.playing else self.play()

    def set_speed(self, steps_per_second: float) -> None:
        self.speed = float(min(max(steps_per_second, 0.25), 120.0))
        if self._timer.isActive():
            self._timer.setInterval(max(1, int(round(1000 / self.speed))))
        self.speedChanged.emit(self.speed)

    def _tick(self) -> None:
        if self.step >= self.total_steps - 1:
            self.pause()
            return
        self.set_step(self.step + 1)

    # -- translation demo --

    def set_shift(self, k: int) -> None:
        """Pixels the Translation-invariance tab shifts the input to the right (0..MAX_SHIFT)."""
        k = int(min(max(k, 0), MAX_SHIFT))
        if k != self.shift:
            self.shift = k
            self.shiftChanged.emit(k)
