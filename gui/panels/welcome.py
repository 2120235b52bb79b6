"""Welcome: what ConvStudio does, the device in use, and a way into each panel."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from engine.i18n import N_, _
from engine.device import device_label

from ..panel import Panel

__all__ = ["WelcomePanel"]


class WelcomePanel(Panel):
    panel_id = "welcome"
    title = N_("Welcome")
    summary = N_("What ConvStudio does and where to start")

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        from . import load_panel_classes

        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        heading = QLabel("<h1>ConvStudio</h1>")
        intro = QLabel(
            "See and use convolutional networks. Step through convolutions cell by cell, look inside "
            "classic architectures, detect objects live with the boxes before and after non-max "
            "suppression, enroll and recognise faces, and stylise photos. Heavy work runs in the "
            "background on your GPU when there is one; the window never freezes."
        )
        intro.setWordWrap(True)
        self.device_text = QLabel()
        self.device_text.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addSpacing(8)
        layout.addWidget(self.device_text)
        layout.addSpacing(12)
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(8)
        row = 0
        for cls in load_panel_classes():
            if cls.panel_id == self.panel_id:
                continue
            button = QPushButton(cls.title)
            button.setMinimumWidth(150)
            button.clicked.connect(lambda checked=False, pid=cls.panel_id: self.ctx.switch_to(pid))
            text = QLabel(cls.summary)
            text.setWordWrap(True)
            grid.addWidget(button, row, 0)
            grid.addWidget(text, row, 1)
            row += 1
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)
        layout.addStretch(1)
        tip = QLabel("Tip: drop an image file on the window to open it in the current panel. F1 lists the shortcuts.")
        tip.setWordWrap(True)
        layout.addWidget(tip)
        self.activate()

    def activate(self) -> None:
        self.device_text.setText(f"<b>Compute device:</b> {device_label()} (change it in View ▸ Compute device)")
