"""Feature maps › the two training tabs: LeNet-5 trained on the digits, and the plain-vs-residual experiment.

:class:`TrainingTabs` is mixed into :class:`~gui.panels.feature_maps.FeatureMapsPanel`: it builds both
pages and shows the runs that the panel's :class:`~gui.panels.feature_maps_model.FeatureMapsModel`
(``self.model``) starts, reports and finishes.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.i18n import N_, _

from ..widgets.form import inline, spin_box

__all__ = ["TrainingTabs"]


def _page_with_intro(text: str) -> tuple[QWidget, QVBoxLayout]:
    """A tab page that starts with a word-wrapped introduction; returns the page and its column."""
    page = QWidget()
    v = QVBoxLayout(page)
    intro = QLabel(text)
    intro.setWordWrap(True)
    v.addWidget(intro)
    return page, v


class TrainingTabs:
    """The *Train LeNet-5 on digits* and *Residual experiment* tabs (a mixin: widgets are the panel's attributes)."""

    def _build_train_tab(self) -> QWidget:
        import pyqtgraph as pg

        page, v = _page_with_intro(_(
            "LeNet-5 (1998: 32×32 grey input, tanh, average pooling) learns the 1,797 scikit-learn digits, "
            "each 8×8 image scaled to 32×32. 80% train it (Adam, seeded); the other 20% are held out to measure accuracy. "
            "The trained model is saved and used by the Feature maps tab."
        ))
        row = QHBoxLayout()
        self.epochs_spin = inline(row, N_("Epochs"), spin_box(1, 50, 8))
        self.start_train_button = QPushButton(_("Train"))
        self.cancel_train_button = QPushButton(_("Cancel"))
        self.cancel_train_button.setEnabled(False)
        row.addWidget(self.start_train_button)
        row.addWidget(self.cancel_train_button)
        self.train_status = QLabel(self._saved_model_text())
        self.train_status.setWordWrap(True)
        row.addWidget(self.train_status, 1)
        v.addLayout(row)
        plots = QGridLayout()
        self.loss_plot = pg.PlotWidget(title=_("Training loss"))
        self.loss_plot.setLabel("bottom", _("epoch"))
        self.loss_plot.setLabel("left", _("cross-entropy"))
        self.loss_curve = self.loss_plot.plot([], [], pen=pg.mkPen("#d0582c", width=2), name=_("train loss"))
        self.acc_plot = pg.PlotWidget(title=_("Accuracy"))
        self.acc_plot.addLegend(offset=(-10, -10))
        self.acc_plot.setLabel("bottom", _("epoch"))
        self.acc_plot.setLabel("left", _("accuracy"), units="%")
        self.acc_plot.setYRange(0, 100)
        self.train_acc_curve = self.acc_plot.plot([], [], pen=pg.mkPen("#7b8ea8", width=2), symbol="o", symbolSize=5, name=_("training"))
        self.test_acc_curve = self.acc_plot.plot([], [], pen=pg.mkPen("#2a7ab8", width=2), symbol="o", symbolSize=5, name=_("held out"))
        plots.addWidget(self.loss_plot, 0, 0)
        plots.addWidget(self.acc_plot, 0, 1)
        conf_box = QWidget()
        cv = QVBoxLayout(conf_box)
        cv.setContentsMargins(0, 0, 0, 0)
        cv.addWidget(QLabel(_("<b>Confusion matrix</b> (held out; rows = true digit, columns = predicted)")))
        self.confusion = QTableWidget(10, 10)
        self.confusion.setHorizontalHeaderLabels([str(i) for i in range(10)])
        self.confusion.setVerticalHeaderLabels([str(i) for i in range(10)])
        self.confusion.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.confusion.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.confusion.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        cv.addWidget(self.confusion)
        plots.addWidget(conf_box, 0, 2)
        plots.setColumnStretch(0, 1)
        plots.setColumnStretch(1, 1)
        plots.setColumnStretch(2, 1)
        v.addLayout(plots, 1)
        self._show_saved_confusion()
        return page

    def _build_residual_tab(self) -> QWidget:
        import pyqtgraph as pg

        page, v = _page_with_intro(_(
            "Two 20-layer CNNs (19 convolutions with batch norm, then a classifier; the CIFAR ResNet-20 layout at width 8) "
            "train side by side on the same batches of 8×8 digits from the same initial weights. The only difference: "
            "the residual network adds each block's input to its output: x<sub>l+1</sub> = x<sub>l</sub> + F(x<sub>l</sub>, W<sub>l</sub>). "
            "Deeper plain networks train <i>worse</i>, not just overfit — the degradation problem that shortcuts solve (He et al., 2015)."
        ))
        row = QHBoxLayout()
        self.res_epochs_spin = inline(row, N_("Epochs"), spin_box(1, 20, 3))
        self.res_seed_spin = inline(row, N_("Seed"), spin_box(0, 9999))
        self.res_start_button = QPushButton(_("Run experiment"))
        self.res_cancel_button = QPushButton(_("Cancel"))
        self.res_cancel_button.setEnabled(False)
        row.addWidget(self.res_start_button)
        row.addWidget(self.res_cancel_button)
        row.addStretch(1)
        v.addLayout(row)
        self.res_plot = pg.PlotWidget(title=_("Training loss, plain vs residual (20 layers each)"))
        self.res_plot.addLegend(offset=(-10, 10))
        self.res_plot.setLabel("bottom", _("epoch"))
        self.res_plot.setLabel("left", _("cross-entropy"))
        self.plain_curve = self.res_plot.plot([], [], pen=pg.mkPen("#c8372d", width=2), name=_("plain 20-layer"))
        self.residual_curve = self.res_plot.plot([], [], pen=pg.mkPen("#2a7ab8", width=2), name=_("residual 20-layer"))
        v.addWidget(self.res_plot, 1)
        self.res_status = QLabel(_("Press Run: about 20–40 s on a laptop CPU for 3 epochs. Cancel keeps the curves so far."))
        self.res_status.setWordWrap(True)
        v.addWidget(self.res_status)
        return page

    def _saved_model_text(self) -> str:
        from engine.train.digits import trained_path

        path = trained_path()
        return _("A trained model is saved at {path}.").format(path=path) if path.exists() else _("No trained model yet.")

    def _show_saved_confusion(self) -> None:
        from engine.train.digits import DigitsModelMissing, load_trained_lenet
        from engine.weights import WeightsError

        try:
            _model, meta = load_trained_lenet()
        except (DigitsModelMissing, WeightsError):
            self._set_confusion(None)
            return
        conf = meta.get("confusion")
        self._set_confusion(np.asarray(conf) if conf is not None else None)
        acc = meta.get("accuracy")
        if isinstance(acc, float):
            self.train_status.setText(
                _("Saved model: {acc:.1f}% held-out accuracy after {epochs} epochs ({seconds:.1f} s).").format(
                    acc=acc * 100, epochs=meta.get("epochs"), seconds=meta.get("seconds", 0))
            )

    def _set_confusion(self, conf: np.ndarray | None) -> None:
        top = float(conf.max()) if conf is not None and conf.size else 1.0
        for r in range(10):
            for c in range(10):
                value = int(conf[r, c]) if conf is not None else 0
                item = QTableWidgetItem(str(value) if conf is not None else "")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if conf is not None and value:
                    t = value / top
                    base = (42, 122, 184) if r == c else (200, 55, 45)
                    colour = QColor(*(int(255 - (255 - b) * (0.25 + 0.75 * t)) for b in base))
                    item.setBackground(QBrush(colour))
                    item.setForeground(QBrush(QColor(255, 255, 255) if t > 0.5 else QColor(0, 0, 0)))
                self.confusion.setItem(r, c, item)

    def start_training(self, switch: bool = True) -> None:
        if switch:
            self.tabs.setCurrentIndex(1)
        self.loss_curve.setData([], [])
        self.train_acc_curve.setData([], [])
        self.test_acc_curve.setData([], [])
        self._set_confusion(None)
        self.train_status.setText(_("Training…"))
        self.model.train_digits(self.epochs_spin.value())

    def _cancel_training(self) -> None:
        if self.model.train_handle is not None:
            self.model.train_handle.cancel()

    def _training_update(self, metrics) -> None:
        self.loss_curve.setData(metrics.steps, metrics.train_loss)
        self.train_acc_curve.setData(metrics.epochs, [a * 100 for a in metrics.train_accuracy])
        self.test_acc_curve.setData(metrics.epochs, [a * 100 for a in metrics.test_accuracy])
        if metrics.test_accuracy:
            self.train_status.setText(
                _("Epoch {epoch}: held-out accuracy {acc:.1f}% ({seconds:.1f} s)").format(
                    epoch=metrics.epochs[-1], acc=metrics.test_accuracy[-1] * 100, seconds=metrics.seconds)
            )
        if metrics.confusion is not None:
            self._set_confusion(metrics.confusion)

    def _training_finished(self, text: str) -> None:
        self.train_status.setText(text)
        self._update_buttons()

    def start_residual(self) -> None:
        self.plain_curve.setData([], [])
        self.residual_curve.setData([], [])
        self.res_status.setText(_("Training both networks…"))
        self.model.run_residual(self.res_epochs_spin.value(), self.res_seed_spin.value())

    def _cancel_residual(self) -> None:
        if self.model.residual_handle is not None:
            self.model.residual_handle.cancel()

    def _residual_update(self, curves) -> None:
        self.plain_curve.setData(curves.steps, curves.plain_loss)
        self.residual_curve.setData(curves.steps, curves.residual_loss)

    def _residual_finished(self, text: str) -> None:
        self.res_status.setText(text)
        self._update_buttons()
