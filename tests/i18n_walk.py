"""Test helpers: every text a panel shows, and which of it is still English (or Chinese).

A text is English when, after removing HTML, numbers, file names, identifiers (``conv5_1``,
``features.0``, ``Conv2d``), mixed-case names (``ReLU``, ``LeNet``, ``PyTorch``) and all-capital
abbreviations (``RGB``, ``NMS``), a word of two or more letters remains that is not in
:data:`ALLOWED`: technical tokens that stay as they are in every language.
"""

from __future__ import annotations

import html
import re

from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QTableWidget,
    QTabWidget,
    QTextEdit,
    QTreeWidget,
    QWidget,
    QAbstractSpinBox,
)

#: Words that stay in English in the Chinese interface: units, model/API/library names and the
#: course's own English terms (MAP.md's glossary keeps "anchor box", Anchor/Positive/Negative, Gram).
ALLOWED = {
    # units and notation
    "px", "ms", "fps", "MB", "GB", "KB", "s", "x", "n", "f", "p", "d", "o", "k", "ln", "log", "exp", "max", "min",
    "argmax", "sqrt", "id", "vs", "dB", "tanh", "sigmoid", "softmax", "alpha", "beta", "gamma", "sigma", "tau", "std",
    # libraries, formats, file types
    "torch", "torchvision", "nn", "opencv", "cv", "dlib", "numpy", "sklearn", "png", "jpg", "jpeg", "pth", "pt", "mp", "mp4",
    "onnx", "json", "csv", "db", "sqlite", "ini", "cuda", "cpu", "mps", "auto", "pt2",
    # model and sample names (identifiers shown as data)
    "alexnet", "vgg", "resnet", "googlenet", "inception", "lenet", "nin", "mobilenet", "ssdlite", "ssd", "retinanet",
    "fasterrcnn", "fcos", "mmod", "haar", "hog", "random", "mosaic", "candy", "udnie", "rain", "princess",
    "astronaut", "chelsea", "coffee", "rocket", "camera", "Sobel", "Scharr", "Gaussian", "Laplacian", "Adam",
    "Gatys", "Johnson", "Gram", "Siamese", "Anchor", "Positive", "Negative", "Inception", "YOLO", "Haar", "HOG",
    "Rosenbrock", "Fusion", "hubble", "ihc", "Faster",  # Faster R-CNN
    # the glossary keeps the padding names: Valid 卷积 / Same 卷积
    "Valid", "Same",
    "Boxes",  # the note's section title "Anchor Boxes", kept in English by the Chinese note itself
    "Ana", "Ben", "Chen", "Dina", "Eva", "Fei",  # the people of the worked face examples (data, not interface)
    "content", "style", "kk", "ijk",  # formula subscripts as the note writes them: J_content, J_style, G_kk', a_ijk
}

_TAG = re.compile(r"<[^>]+>")
_DROP = re.compile(
    r"https?://\S+"                      # links
    r"|\bscikit-(?:learn|image)\b"          # library names
    r"|\b[A-Z][a-z]+(?: et al\.?| and [A-Z][a-z]+| ?等)"  # citations: He et al., Gatys and Ecker, He 等
    r"|[\w.-]*[/\\][\w./\\-]*"          # paths
    r"|\b\w*[\d_]\w*\b"                 # identifiers with digits or underscores: conv5_1, resnet50, 3x3
    r"|\b\w+\.\w+(?:\.\w+)*\b"          # dotted names: features.0, torch.nn
    r"|\b[A-Za-z]*[a-z][A-Z]\w*\b"      # mixed case: ReLU, LeNet, PyTorch, ConvStudio
    r"|\b[A-Z]{2,}s?\b"                 # abbreviations: RGB, NMS, MACs
)
_WORD = re.compile(r"[A-Za-z]{2,}")
_HAN = re.compile(r"[\u3400-\u9fff]")


def english_words(text: str) -> list[str]:
    """The English words left in ``text`` once technical tokens are taken out."""
    plain = html.unescape(_TAG.sub(" ", text or ""))
    plain = _DROP.sub(" ", plain)
    return [w for w in _WORD.findall(plain) if w not in ALLOWED and w.lower() not in ALLOWED]


def has_chinese(text: str) -> bool:
    """True if ``text`` holds a Han character."""
    return bool(_HAN.search(text or ""))


def open_every_tab(root: QWidget, process_events) -> None:
    """Show each tab of each tab widget once (tabs may build their content when first shown)."""
    seen = set()
    changed = True
    while changed:
        changed = False
        for tabs in root.findChildren(QTabWidget):
            if id(tabs) in seen:
                continue
            seen.add(id(tabs))
            changed = True
            current = tabs.currentIndex()
            for i in range(tabs.count()):
                tabs.setCurrentIndex(i)
                process_events()
            tabs.setCurrentIndex(current)


def visible_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) for every text, tooltip and placeholder of the widgets under ``root``."""
    out: list[tuple[str, str]] = []

    def add(where, text):
        if isinstance(text, str) and text.strip():
            out.append((where, text))

    for w in [root, *root.findChildren(QWidget)]:
        name = f"{type(w).__name__}({w.objectName() or ''})"
        add(name + ".toolTip", w.toolTip())
        if isinstance(w, (QLabel, QAbstractButton)):
            add(name + ".text", w.text())
        if isinstance(w, (QLineEdit, QTextEdit)):
            add(name + ".placeholder", w.placeholderText())
        if isinstance(w, QGroupBox):
            add(name + ".title", w.title())
        if isinstance(w, QAbstractSpinBox):
            for attr in ("prefix", "suffix", "specialValueText"):
                if hasattr(w, attr):
                    add(f"{name}.{attr}", getattr(w, attr)())
        if isinstance(w, QTabWidget):
            for i in range(w.count()):
                add(f"{name}.tab[{i}]", w.tabText(i))
                add(f"{name}.tabToolTip[{i}]", w.tabToolTip(i))
        if isinstance(w, QComboBox):
            for i in range(w.count()):
                add(f"{name}.item[{i}]", w.itemText(i))
        if isinstance(w, QListWidget):
            for i in range(w.count()):
                add(f"{name}.item[{i}]", w.item(i).text())
                add(f"{name}.itemToolTip[{i}]", w.item(i).toolTip())
        if isinstance(w, QTableWidget):
            for c in range(w.columnCount()):
                item = w.horizontalHeaderItem(c)
                if item is not None:
                    add(f"{name}.header[{c}]", item.text())
        if isinstance(w, QTreeWidget):
            header = w.headerItem()
            for c in range(w.columnCount()):
                add(f"{name}.header[{c}]", header.text(c))
    try:
        import pyqtgraph as pg

        for view in [root, *root.findChildren(QWidget)]:
            if isinstance(view, pg.GraphicsView) and view.scene() is not None:
                for item in view.scene().items():
                    if isinstance(item, pg.AxisItem):
                        add("plot.axis", item.labelText)
                    elif isinstance(item, pg.LabelItem):
                        add("plot.label", item.text)
                    elif isinstance(item, pg.TextItem):
                        add("plot.text", item.toPlainText())
    except ImportError:  # pragma: no cover
        pass
    return out


def english_left(root: QWidget) -> list[str]:
    """'where: text [words]' for each text under ``root`` that still has English words."""
    return [f"{where}: {text[:120]!r} {words}" for where, text in visible_texts(root) if (words := english_words(text))]


def chinese_left(root: QWidget) -> list[str]:
    """'where: text' for each text under ``root`` holding Chinese."""
    return [f"{where}: {text[:120]!r}" for where, text in visible_texts(root) if has_chinese(text)]
