"""Welcome: the course's front door. Continue where you left off, progress through the note's four parts,
a card per panel, and the compute device."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from engine.course import PARTS, SECTIONS, section_ids, sections_of
from engine.course.progress import Progress
from engine.i18n import N_, _

from ..panel import Panel
from ..torch_loader import torch_loaded
from ..widgets.panel_icons import panel_icon
from . import PanelEntry
from .course_model import SETTINGS_SECTION

__all__ = ["WelcomePanel"]


class WelcomePanel(Panel):
    panel_id = "welcome"
    title = N_("Welcome")
    summary = N_("What ConvStudio does and where to start")

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        from . import panel_entries

        self.heading = QLabel("<h1 style='margin:0'>ConvStudio</h1>")
        self.intro = QLabel()
        self.intro.setWordWrap(True)

        # continue where you left off
        self.continue_card = QFrame()
        self.continue_card.setObjectName("welcomeContinue")
        self.continue_card.setStyleSheet(
            "QFrame#welcomeContinue { background: palette(base); border: 1px solid palette(mid); border-radius: 6px; }"
            " QFrame#welcomeContinue QLabel { background: transparent; }")
        self.continue_label = QLabel()
        self.continue_label.setWordWrap(True)
        self.continue_label.setTextFormat(Qt.TextFormat.RichText)
        self.continue_button = QPushButton()
        self.continue_button.setMinimumWidth(140)
        self.continue_button.clicked.connect(self.continue_course)
        cv = QVBoxLayout(self.continue_card)
        cv.setContentsMargins(14, 10, 14, 12)
        top = QHBoxLayout()
        top.addWidget(self.continue_label, 1)
        top.addWidget(self.continue_button, 0, Qt.AlignmentFlag.AlignTop)
        cv.addLayout(top)
        bars = QGridLayout()
        bars.setHorizontalSpacing(12)
        bars.setVerticalSpacing(4)
        self.part_labels: dict[str, QLabel] = {}
        self.part_bars: dict[str, QProgressBar] = {}
        for row, part in enumerate(PARTS):
            label = QLabel()
            bar = QProgressBar()
            bar.setRange(0, len(sections_of(part.id)))
            bar.setFormat("%v / %m")
            bar.setMaximumHeight(16)
            bars.addWidget(label, row, 0)
            bars.addWidget(bar, row, 1)
            self.part_labels[part.id] = label
            self.part_bars[part.id] = bar
        bars.setColumnStretch(1, 1)
        cv.addLayout(bars)

        # a card per panel
        self.cards = QGridLayout()
        self.cards.setHorizontalSpacing(12)
        self.cards.setVerticalSpacing(12)
        self._card_widgets: list[tuple[PanelEntry, QLabel, QLabel, QPushButton]] = []
        classes = [c for c in panel_entries() if c.panel_id != self.panel_id]
        for i, cls in enumerate(classes):
            card = QFrame()
            card.setObjectName("welcomeCard")
            card.setStyleSheet(
                "QFrame#welcomeCard { background: palette(base); border: 1px solid palette(mid); border-radius: 6px; }"
                " QFrame#welcomeCard QLabel { background: transparent; }")
            icon = QLabel()
            icon.setPixmap(panel_icon(cls.panel_id, 48, self.palette().color(self.foregroundRole())))
            icon.setFixedSize(52, 52)
            name = QLabel()
            name.setStyleSheet("font-weight: bold; font-size: 11pt;")
            text = QLabel()
            text.setWordWrap(True)
            button = QPushButton()
            button.clicked.connect(lambda checked=False, pid=cls.panel_id: self.ctx.switch_to(pid))
            grid = QGridLayout(card)
            grid.setContentsMargins(10, 8, 10, 8)
            grid.addWidget(icon, 0, 0, 2, 1, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(name, 0, 1)
            grid.addWidget(text, 1, 1)
            grid.addWidget(button, 2, 1, Qt.AlignmentFlag.AlignRight)
            grid.setColumnStretch(1, 1)
            self.cards.addWidget(card, i // 3, i % 3)
            self._card_widgets.append((cls, name, text, button))
        for c in range(3):
            self.cards.setColumnStretch(c, 1)

        self.device_text = QLabel()
        self.device_text.setTextFormat(Qt.TextFormat.RichText)
        self.tip = QLabel()
        self.tip.setWordWrap(True)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(28, 18, 28, 18)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addWidget(self.continue_card)
        layout.addLayout(self.cards)
        layout.addWidget(self.device_text)
        layout.addWidget(self.tip)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.retranslate()

    def last_section(self) -> str:
        """The course section shown last ("" when the course was never opened)."""
        saved = str(self.ctx.settings.value(SETTINGS_SECTION, "") or "")
        return saved if saved in section_ids() else ""

    def continue_course(self) -> None:
        """Open the Course panel at the last section (the first one when there is none)."""
        target = self.last_section() or SECTIONS[0].id
        model = self.ctx.panel_model("course")
        self.ctx.switch_to("course")
        if model is not None:
            model.select(target)

    def refresh(self) -> None:
        """Re-read the progress and the last section (they change in the Course panel)."""
        progress = Progress()
        for part in PARTS:
            secs = sections_of(part.id)
            self.part_bars[part.id].setValue(sum(1 for s in secs if progress.solved(s.id)))
        last = self.last_section()
        if last:
            s = next(x for x in SECTIONS if x.id == last)
            self.continue_label.setText("<b>" + _("Continue where you left off") + "</b><br>"
                                        + _("Section: {title}").format(title=_(s.title_en)))
            self.continue_button.setText(_("Continue"))
        else:
            self.continue_label.setText("<b>" + _("Start the course") + "</b><br>"
                                        + _("Thirty sections in the note's order, each with worked examples and an exercise."))
            self.continue_button.setText(_("Start"))
        if torch_loaded():  # the window refreshes this page once torch has loaded in the background
            from engine.device import device_label

            device = _("{device} (change it in View ▸ Compute device)").format(device=device_label())
        else:
            device = _("PyTorch is loading…")
        self.device_text.setText("<b>" + _("Compute device:") + "</b> " + device)

    def retranslate(self) -> None:
        self.intro.setText(_(
            "Learn convolutional networks with the course note, and see every idea at work: step through "
            "convolutions cell by cell, look inside classic architectures, detect objects, recognise faces "
            "and stylise photos. Heavy work runs in the background, on your GPU when there is one."))
        for part in PARTS:
            self.part_labels[part.id].setText(_(part.title_en))
        for cls, name, text, button in self._card_widgets:
            name.setText(_(cls.title))
            text.setText(_(cls.summary))
            button.setText(_("Open"))
        self.tip.setText(_("Tip: drop an image file on the window to open it in the current panel. F1 lists the shortcuts."))
        self.refresh()

    def activate(self) -> None:
        self.refresh()
