"""The course outline's items on two lines: the title in the interface's language, the other language below."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

__all__ = ["SECOND_LINE", "TwoLineDelegate"]

#: Item data role holding the second (smaller, muted) line of column 0.
SECOND_LINE = int(Qt.ItemDataRole.UserRole) + 1


class TwoLineDelegate(QStyledItemDelegate):
    """Paints column 0 as the item's text with :data:`SECOND_LINE` below it, both elided to the width."""

    def sizeHint(self, option, index) -> QSize:  # noqa: N802
        size = super().sizeHint(option, index)
        if index.column() == 0 and index.data(SECOND_LINE):
            size.setHeight(size.height() + QFontMetrics(option.font).height() - 2)
        return size

    def paint(self, painter, option, index) -> None:
        second = index.data(SECOND_LINE) if index.column() == 0 else None
        if not second:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        first = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        pal = opt.palette
        text_colour = pal.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        muted = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        r = opt.rect.adjusted(4, 2, -4, -2)
        fm = QFontMetrics(opt.font)
        painter.save()
        painter.setFont(opt.font)
        painter.setPen(text_colour)
        top = QRect(r.x(), r.y(), r.width(), fm.height())
        painter.drawText(top, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, fm.elidedText(first, Qt.TextElideMode.ElideRight, r.width()))
        small = opt.font
        small.setBold(False)
        small.setPointSizeF(max(7.0, opt.font.pointSizeF() * 0.88))
        sfm = QFontMetrics(small)
        painter.setFont(small)
        painter.setPen(pal.color(muted))
        bottom = QRect(r.x(), top.bottom() + 1, r.width(), sfm.height())
        painter.drawText(bottom, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, sfm.elidedText(str(second), Qt.TextElideMode.ElideRight, r.width()))
        painter.restore()
