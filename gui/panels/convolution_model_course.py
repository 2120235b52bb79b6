"""The Convolution lab model's course part: putting the lab into a worked example's state."""

from __future__ import annotations

import numpy as np

from engine import conv

__all__ = ["CourseExamples", "SHOWN_CHANNELS"]

#: Channels the lab draws of an example with many more (global pooling of 7×7×1000): a compact view.
SHOWN_CHANNELS = 4


class CourseExamples:
    """Mixin of :class:`~gui.panels.convolution_model.ConvLabModel`: applies a course example's state."""

    def apply_example(self, state: dict) -> None:
        """Put the lab into a course example's state (:data:`engine.course.EXAMPLES`).

        Known keys: ``input`` (a preset name or a grid), ``input_hwc``, ``mirrored``, ``n``, ``channels``,
        ``kernel``, ``filter``, ``f``, ``filters``, ``padding``/``paddings``, ``stride``, ``bias``,
        ``activation``, ``pool``, ``pool_on_input``, ``shift_px``. A 1×1 filter without a named kernel
        gets small random weights. What the lab cannot show (more than 32 channels or 4 filters) is left
        at the nearest state it can; the course names the gap. ``tabRequested`` names the tab to open.
        ``view`` "parameters" opens the parameter comparison; ``hidden_units`` compares a fully connected layer of that many units (and opens the parameters);
        pooling an ``input_hwc`` with more channels than the lab draws shows :data:`SHOWN_CHANNELS` of them
        and keeps the example's shape in :attr:`example_shape`. Everything the example does not set is reset.
        """
        self.pause()
        hwc = state.get("input_hwc") or [None, None, None]
        grid = state.get("input")
        pool_input = bool(state.get("pool_on_input")) and (isinstance(grid, list) or hwc[0] is not None)
        pool = state.get("pool")
        compact = pool_input and hwc[2] is not None and int(hwc[2]) > SHOWN_CHANNELS
        self._batch = True
        try:
            self.set_dilation(1)
            self.set_padding_mode("zeros")
            self.set_pool("none")
            self.set_relu(state.get("activation") == "relu")
            channels = SHOWN_CHANNELS if compact else int(state.get("channels") or hwc[2] or 1)
            self.set_channels(min(max(channels, 1), conv.MAX_CHANNELS))
            size = state.get("n", hwc[0])
            self.set_n(max(size) if isinstance(size, list) else int(size) if size else 6)
            filters = state.get("filters", 1)
            self.set_filter_count(max(filters) if isinstance(filters, list) else int(filters))
            # with pooling, "f" and "stride" are the pool's; the convolution keeps 3×3 at stride 1
            f = 3 if pool else int(state.get("f", 3))
            self.set_kernel_size(f)
            kernel = state.get("kernel")
            if state.get("filter") == "red vertical edge":
                self.use_red_vertical_edge()
                self._batch = True
            elif kernel:
                self.set_kernel_preset(kernel)
            elif f == 1 and not pool:
                self.set_random_weights(None)  # a 1×1 filter has one weight per input channel, none preset
            else:  # filters left by an earlier example (random 1×1, red only) go back to one with a name
                for k, name in enumerate(self.presets):
                    if name in ("custom", "red vertical edge"):
                        self.set_kernel_preset("vertical edge", k)
            padding = state.get("paddings", [state.get("padding", 0)])[-1]
            self.set_padding(int(padding))
            self.set_stride(1 if pool else int(state.get("stride", 1)))
            self.bias[:] = float(state.get("bias", 0))
            if pool:
                self.set_pool(pool, int(state.get("f", 2)), int(state.get("stride", 2)))
                self.set_pool_only(pool_input)
            if isinstance(grid, list):
                self.set_input_values(grid)
            elif isinstance(grid, str) and grid.startswith("vertical edge 6×6"):
                self.input_preset = "vertical edge 6×6"
                self.n = 6
                self.input = conv.input_preset("vertical edge 6×6", 6, self.channels, self._rng)
                if "red only" in grid and self.channels == 3:
                    self.input[1:] = np.random.default_rng(0).integers(0, 10, (2, 6, 6))  # green and blue must not matter
                if state.get("mirrored"):
                    self.input = self.input[:, :, ::-1].copy()
            elif "shift_px" in state:
                # the course's check shifts a 12×12 random image: no repeating pattern, so only the true shift lines up
                self.set_input_values(conv.input_preset("random integers", 12, rng=np.random.default_rng(0)))
            else:
                self.input_preset = "random integers"
                self._fill_input(emit=False)
        finally:
            self._batch = False
        self.example_shape = (int(hwc[2]), int(hwc[0]), int(hwc[1])) if compact else None
        self.dense_units = int(state["hidden_units"]) if state.get("hidden_units") else None
        self.inputChanged.emit()
        self.filtersChanged.emit()
        self.settingsChanged.emit()
        self._recompute()
        self.set_step(self.total_steps - 1)
        self.set_shift(int(state.get("shift_px", 1)))
        parameters = self.dense_units or state.get("view") == "parameters"
        self.tabRequested.emit("translation" if "shift_px" in state else "parameters" if parameters else "animation")
