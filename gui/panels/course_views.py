"""Worked examples: a view built for each course example that no lab panel can show as it is (a 1000-unit
fully connected layer, 192 input channels, ten filters, people and encodings chosen by hand, the style costs
of tiny activations, the plain-vs-residual training). Show me in the Course panel opens the right one."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from engine.i18n import N_, _

from ..panel import Panel
from ..widgets.course_views_faces import OneShotView, TripletView, VerifyRecogniseView
from ..widgets.course_views_layers import ConvLayerView, DenseVsConvView
from ..widgets.course_views_residual import DegradationView
from ..widgets.course_views_style import ContentCostView, GramView, TotalCostView
from .course_views_model import VIEW_IDS, VIEW_TITLES, CourseViewsModel

__all__ = ["CourseViewsPanel"]

_VIEW_CLASSES = (DenseVsConvView, ConvLayerView, DegradationView, VerifyRecogniseView, OneShotView, TripletView,
                 TotalCostView, ContentCostView, GramView)


class CourseViewsPanel(Panel):
    """A chooser of the worked-example views above the chosen view; each view binds to the panel's model."""

    panel_id = "course_views"
    title = N_("Worked examples")
    summary = N_("The course's worked examples that need a view of their own, with their numbers computed live")

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.model = CourseViewsModel(ctx.jobs, self)
        v = QVBoxLayout(self)
        top = QHBoxLayout()
        self.choose_caption = QLabel()
        self.chooser = QComboBox()
        for view in VIEW_IDS:
            self.chooser.addItem(_(VIEW_TITLES[view]), view)
        self.reset_button = QPushButton()
        top.addWidget(self.choose_caption)
        top.addWidget(self.chooser, 1)
        top.addWidget(self.reset_button)
        v.addLayout(top)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        v.addWidget(self.heading)
        self.stack = QStackedWidget()
        self.views: dict[str, QWidget] = {}
        for cls in _VIEW_CLASSES:
            view = cls(self.model)
            self.views[cls.view_id] = view
            self.stack.addWidget(view)
        v.addWidget(self.stack, 1)
        self.chooser.currentIndexChanged.connect(lambda i: self.model.set_view(self.chooser.itemData(i)))
        self.reset_button.clicked.connect(lambda: self.model.reset(self.model.view))
        self.model.viewChanged.connect(self._show)
        self.retranslate()
        self._show(self.model.view)

    def current_view(self) -> QWidget:
        """The view on screen."""
        return self.views[self.model.view]

    def _show(self, view: str) -> None:
        self.chooser.blockSignals(True)
        self.chooser.setCurrentIndex(VIEW_IDS.index(view))
        self.chooser.blockSignals(False)
        self.stack.setCurrentWidget(self.views[view])
        self.heading.setText(_(VIEW_TITLES[view]))

    def retranslate(self) -> None:
        """Every view re-renders its texts and shapes (language or shape notation changed)."""
        self.choose_caption.setText(_("Example:"))
        self.reset_button.setText(_("Back to the course's numbers"))
        for i, view in enumerate(VIEW_IDS):
            self.chooser.setItemText(i, _(VIEW_TITLES[view]))
        self.heading.setText(_(VIEW_TITLES[self.model.view]))
        for view in self.views.values():
            view.render()

    def shutdown(self) -> None:
        self.model.cancel_run()

    def deactivate(self) -> None:
        self.model.cancel_run()
