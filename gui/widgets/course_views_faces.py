"""Worked-example views about faces: verification vs recognition, one-shot learning (a softmax over 5 → 6
people against a similarity function), and the triplet loss of three chosen encodings."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.i18n import _

from .course_views_common import num, rich_label

__all__ = ["VerifyRecogniseView", "OneShotView", "TripletView", "ProbBars", "TripletPlot"]


def _dspin(lo: float, hi: float, step: float, decimals: int = 2) -> QDoubleSpinBox:
    s = QDoubleSpinBox()
    s.setRange(lo, hi)
    s.setSingleStep(step)
    s.setDecimals(decimals)
    s.setKeyboardTracking(False)
    return s


def _set(spin, value: float) -> None:
    spin.blockSignals(True)
    spin.setValue(float(value))
    spin.blockSignals(False)


class VerifyRecogniseView(QWidget):
    """Two photos claimed to be one person: verified with one comparison, recognised with K."""

    view_id = "verify-recognise"

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        v = QVBoxLayout(self)
        self.intro = rich_label()
        v.addWidget(self.intro)
        row = QHBoxLayout()
        self.tau_caption = QLabel()
        self.tau_spin = _dspin(0.05, 2.0, 0.05)
        row.addWidget(self.tau_caption)
        row.addWidget(self.tau_spin)
        row.addStretch(1)
        v.addLayout(row)
        boxes = QHBoxLayout()
        self.verify_box, self.recognise_box = QGroupBox(), QGroupBox()
        self.verify_label = rich_label()
        vv = QVBoxLayout(self.verify_box)
        vv.addWidget(self.verify_label)
        vv.addStretch(1)
        rv = QVBoxLayout(self.recognise_box)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.recognise_label = rich_label()
        rv.addWidget(self.table)
        rv.addWidget(self.recognise_label)
        boxes.addWidget(self.verify_box, 1)
        boxes.addWidget(self.recognise_box, 1)
        v.addLayout(boxes)
        self.footer = rich_label()
        v.addWidget(self.footer)
        v.addStretch(1)
        self.tau_spin.valueChanged.connect(lambda t: model.set_params(self.view_id, threshold=t))
        model.resultChanged.connect(lambda view: view == self.view_id and self.render())
        self.render()

    def render(self) -> None:
        """Draw the model's numbers in the current language."""
        r = self.model.results.get(self.view_id)
        if r is None:
            return
        _set(self.tau_spin, r.threshold)
        self.tau_caption.setText(_("Threshold τ (Euclidean distance)"))
        self.intro.setText(_("Two new photos both claim to be <b>{name}</b>. The distance d between face encodings decides: "
                             "d ≤ τ means the same person.").format(name=r.claimed))
        self.verify_box.setTitle(_("Verification (1:1): is this {name}?").format(name=r.claimed))
        lines = []
        for i, ver in enumerate(r.verifications):
            verdict = _("same person") if ver.same else _("not the same person")
            sign = "≤" if ver.same else ">"
            lines.append(_("photo {i}: d = {d} {sign} τ = {tau} → <b>{verdict}</b>").format(
                i=i + 1, d=num(ver.distance, 3), sign=sign, tau=num(r.threshold, 3), verdict=verdict))
        lines.append(_("one comparison per photo, with {name}'s enrolled photo only").format(name=r.claimed))
        self.verify_label.setText("<br>".join(lines))
        self.recognise_box.setTitle(_("Recognition (1:K): who is this, among K = {k} people?").format(k=len(r.people)))
        t = self.table
        t.setRowCount(len(r.distances))
        t.setColumnCount(len(r.people))
        t.setHorizontalHeaderLabels(list(r.people))
        t.setVerticalHeaderLabels([_("photo {i}").format(i=i + 1) for i in range(len(r.distances))])
        for i, row in enumerate(r.distances):
            best = min(range(len(row)), key=lambda k: row[k])
            for k, d in enumerate(row):
                item = QTableWidgetItem(num(d, 3))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if k == best:
                    item.setBackground(QColor("#cdeccd") if d <= r.threshold else QColor("#f6d3d0"))
                t.setItem(i, k, item)
        t.resizeColumnsToContents()
        t.setFixedHeight(t.horizontalHeader().height() + sum(t.rowHeight(i) for i in range(t.rowCount())) + 4)
        lines = []
        for i, ident in enumerate(r.identifications):
            if ident.known:
                lines.append(_("photo {i}: nearest {name}, d = {d} ≤ τ → <b>{name}</b>").format(i=i + 1, name=ident.nearest, d=num(ident.distance, 3)))
            else:
                lines.append(_("photo {i}: nearest {name}, d = {d} > τ → <b>not recognised</b>").format(
                    i=i + 1, name=ident.nearest, d=num(ident.distance, 3)))
        lines.append(_("{k} comparisons per photo, one with each enrolled person").format(k=len(r.people)))
        self.recognise_label.setText("<br>".join(lines))
        self.footer.setText(_("Recognition is harder: with K people there are K chances to match the wrong one, "
                              "so it needs a more accurate encoding than verification."))

    def verdicts(self) -> list[bool]:
        r = self.model.results[self.view_id]
        return [v.same for v in r.verifications]


class ProbBars(QWidget):
    """Probabilities of a softmax, one bar per class, labelled with the value."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list[tuple[str, float]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_rows(self, rows: list[tuple[str, float]]) -> None:
        self.rows = rows
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(260, 8 + 22 * max(1, len(self.rows)))

    def paintEvent(self, event) -> None:  # noqa: N802
        if not self.rows:
            return
        p = QPainter(self)
        pal = self.palette()
        label_w = max(self.fontMetrics().horizontalAdvance(n) for n, _v in self.rows) + 8
        avail = max(10, self.width() - label_w - 60)
        best = max(range(len(self.rows)), key=lambda i: self.rows[i][1])
        for i, (name, prob) in enumerate(self.rows):
            y = 4 + i * 22
            p.setPen(pal.color(QPalette.ColorRole.WindowText))
            p.drawText(QRectF(0, y, label_w - 4, 18), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, name)
            p.fillRect(QRectF(label_w, y + 2, avail * prob, 14), QColor("#c8372d" if i == best else "#9aa7b4"))
            p.drawText(QRectF(label_w + avail * prob + 4, y, 60, 18), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, num(prob, 2))
        p.end()


class OneShotView(QWidget):
    """Five people with one photo each; a sixth arrives. Softmax: must retrain; similarity: enroll one photo."""

    view_id = "one-shot"

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        v = QVBoxLayout(self)
        self.intro = rich_label()
        v.addWidget(self.intro)
        boxes = QHBoxLayout()
        self.softmax_box, self.similarity_box = QGroupBox(), QGroupBox()
        sv = QVBoxLayout(self.softmax_box)
        self.softmax_top = rich_label()
        self.bars = ProbBars()
        self.softmax_bottom = rich_label()
        for w in (self.softmax_top, self.bars, self.softmax_bottom):
            sv.addWidget(w)
        sv.addStretch(1)
        self.similarity_label = rich_label()
        simv = QVBoxLayout(self.similarity_box)
        simv.addWidget(self.similarity_label)
        simv.addStretch(1)
        boxes.addWidget(self.softmax_box, 1)
        boxes.addWidget(self.similarity_box, 1)
        v.addLayout(boxes)
        v.addStretch(1)
        model.resultChanged.connect(lambda view: view == self.view_id and self.render())
        self.render()

    def render(self) -> None:
        """Draw the model's numbers in the current language."""
        r = self.model.results.get(self.view_id)
        if r is None:
            return
        k = len(r.people_before)
        self.intro.setText(_("{k} people are enrolled with <b>one photo each</b>: {names}. Then <b>{new}</b> joins, "
                             "and a second photo of {new} is shown to each approach.").format(
            k=k, names=", ".join(r.people_before), new=r.newcomer))
        self.softmax_box.setTitle(_("A softmax over the people (128 → {k})").format(k=k))
        self.softmax_top.setText(_("Trained on the {k} photos. Its {k} outputs always sum to 1, so {new}'s photo must be one of them:").format(
            k=k, new=r.newcomer))
        self.bars.set_rows(list(zip(r.people_before, r.softmax_probs)))
        self.softmax_bottom.setText(
            _("→ <b>{guess}</b>, with probability {p}: wrong, and there is no answer for someone new.").format(
                guess=r.softmax_guess, p=num(max(r.softmax_probs), 2))
            + "<br>" + _("To learn {new}: a new output layer 128 → {k1} (<b>{after}</b> parameters instead of {before}), "
                         "trained again on everyone's photos, and one photo each is far too little data.").format(
                new=r.newcomer, k1=len(r.people_after), after=num(r.softmax_params_after), before=num(r.softmax_params_before)))
        self.similarity_box.setTitle(_("A similarity function d(img1, img2) ≤ τ = {tau}").format(tau=num(r.threshold, 3)))
        before = r.before
        lines = [_("Before {new} is enrolled: nearest {name}, d = {d} > τ → <b>not recognised</b> (correct).").format(
            new=r.newcomer, name=before.nearest, d=num(before.distance, 3)) if not before.known else
            _("Before {new} is enrolled: nearest {name}, d = {d} ≤ τ → <b>{name}</b>.").format(new=r.newcomer, name=before.nearest, d=num(before.distance, 3))]
        lines.append(_("Enroll one photo of {new}, <b>no training</b>. Distances of the new photo:").format(new=r.newcomer))
        for name, d in zip(r.people_after, r.newcomer_distances):
            mark = " ≤ τ" if d <= r.threshold else ""
            lines.append("&nbsp;&nbsp;" + _("d to {name} = {d}").format(name=name, d=num(d, 3)) + mark)
        verdict = r.after.name if r.after.known else _("not recognised")
        lines.append(_("→ <b>{verdict}</b>: {people} people, recognised from one photo.").format(verdict=verdict, people=len(r.people_after)))
        self.similarity_label.setText("<br>".join(lines))


class TripletPlot(QWidget):
    """Anchor, positive and negative as points in the plane, with the two distances drawn."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.points: tuple = ()
        self.setMinimumSize(260, 220)

    def set_points(self, a, p, n) -> None:
        self.points = (tuple(a[:2]), tuple(p[:2]), tuple(n[:2]))
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        if not self.points:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pal = self.palette()
        painter.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        xs = [pt[0] for pt in self.points] + [0.0]
        ys = [pt[1] for pt in self.points] + [0.0]
        lo_x, hi_x, lo_y, hi_y = min(xs), max(xs), min(ys), max(ys)
        span = max(hi_x - lo_x, hi_y - lo_y, 0.1) * 1.3
        cx, cy = (lo_x + hi_x) / 2, (lo_y + hi_y) / 2
        side = min(self.width(), self.height()) - 30

        def to_px(pt) -> QPointF:
            return QPointF(self.width() / 2 + (pt[0] - cx) / span * side, self.height() / 2 - (pt[1] - cy) / span * side)

        a, p, n = (to_px(pt) for pt in self.points)
        painter.setPen(QPen(QColor("#2f9e44"), 2))
        painter.drawLine(a, p)
        painter.setPen(QPen(QColor("#c8372d"), 2, Qt.PenStyle.DashLine))
        painter.drawLine(a, n)
        for pt, colour, name in ((a, "#333333", "A"), (p, "#2f9e44", "P"), (n, "#c8372d", "N")):
            painter.setPen(QPen(QColor(colour), 1))
            painter.setBrush(QColor(colour))
            painter.drawEllipse(pt, 6, 6)
            painter.setPen(pal.color(QPalette.ColorRole.Text))
            painter.drawText(pt + QPointF(9, -6), name)
        painter.end()


class TripletView(QWidget):
    """L(A, P, N) = max(‖f(A)−f(P)‖² − ‖f(A)−f(N)‖² + α, 0) for two-number encodings the learner can move."""

    view_id = "triplet"

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        v = QVBoxLayout(self)
        self.intro = rich_label()
        v.addWidget(self.intro)
        row = QHBoxLayout()
        grid = QGridLayout()
        self.point_captions = [QLabel() for _i in range(3)]
        self.coord_spins: list[tuple[QDoubleSpinBox, QDoubleSpinBox]] = []
        for i, (key, cap) in enumerate(zip(("anchor", "positive", "negative"), self.point_captions)):
            x, y = _dspin(-5, 5, 0.05), _dspin(-5, 5, 0.05)
            grid.addWidget(cap, i, 0)
            grid.addWidget(x, i, 1)
            grid.addWidget(y, i, 2)
            self.coord_spins.append((x, y))
            x.valueChanged.connect(lambda _v, k=key, i=i: self._moved(k, i))
            y.valueChanged.connect(lambda _v, k=key, i=i: self._moved(k, i))
        self.margin_caption = QLabel()
        self.margin_spin = _dspin(0, 5, 0.05)
        grid.addWidget(self.margin_caption, 3, 0)
        grid.addWidget(self.margin_spin, 3, 1)
        self.margin_spin.valueChanged.connect(lambda m: model.set_params(self.view_id, margin=m))
        left = QVBoxLayout()
        left.addLayout(grid)
        self.terms = rich_label()
        self.terms.setStyleSheet("font-size: 12pt;")
        left.addWidget(self.terms)
        left.addStretch(1)
        row.addLayout(left, 1)
        self.plot = TripletPlot()
        row.addWidget(self.plot, 1)
        v.addLayout(row)
        v.addStretch(1)
        model.resultChanged.connect(lambda view: view == self.view_id and self.render())
        self.render()

    def _moved(self, key: str, i: int) -> None:
        x, y = self.coord_spins[i]
        self.model.set_params(self.view_id, **{key: [x.value(), y.value()]})

    def render(self) -> None:
        """Draw the model's numbers in the current language."""
        r = self.model.results.get(self.view_id)
        if r is None:
            return
        for (x, y), pt in zip(self.coord_spins, (r.anchor, r.positive, r.negative)):
            _set(x, pt[0])
            _set(y, pt[1] if len(pt) > 1 else 0.0)
        _set(self.margin_spin, r.terms.margin)
        for cap, text in zip(self.point_captions, (_("f(A) anchor"), _("f(P) positive, same person"), _("f(N) negative, someone else"))):
            cap.setText(text)
        self.margin_caption.setText(_("margin α"))
        self.intro.setText(_("Encodings with two numbers, so they can be drawn. Training wants the anchor closer to the "
                             "positive than to the negative, by at least the margin α (squared distances)."))
        t = r.terms
        self.terms.setText(
            "‖f(A) − f(P)‖<sup>2</sup> = <b>{ap}</b><br>‖f(A) − f(N)‖<sup>2</sup> = <b>{an}</b><br>"
            "L = max({ap} − {an} + {m}, 0) = <b>{loss}</b>".format(ap=num(t.ap), an=num(t.an), m=num(t.margin), loss=num(t.loss))
            + "<br>" + (_("L > 0: this triplet still teaches the network something.") if t.loss > 0 else
                        _("L = 0: the negative is already far enough; this triplet teaches nothing.")))
        self.plot.set_points(r.anchor, r.positive, r.negative)
