"""Worked-example views about faces: verification vs recognition, one-shot learning (a softmax over 5 → 6
people against a similarity function), and the triplet loss of three chosen encodings."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QDoubleSpinBox, QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from engine.i18n import N_, _

from .course_views_base import ExampleView, LabelledBars, caption_row, decimal_box, group, set_quietly, side_by_side, styled
from .course_views_common import num, rich_label

__all__ = ["VerifyRecogniseView", "OneShotView", "TripletView", "ProbBars", "TripletPlot"]


class VerifyRecogniseView(ExampleView):
    """Two photos claimed to be one person: verified with one comparison, recognised with K."""

    view_id = "verify-recognise"

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(model, parent)
        self.tau_spin = decimal_box(0.05, 2.0, 0.05)
        self.add(caption_row((N_("Threshold τ (Euclidean distance)"), self.tau_spin)))
        self.verify_label, self.recognise_label = rich_label(), rich_label()
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.verify_box = group(self.verify_label)
        self.recognise_box = group(self.table, self.recognise_label, stretch=False)
        self.add(side_by_side(self.verify_box, self.recognise_box))
        self.footer = self.add(rich_label())
        self.bind(self.tau_spin, "threshold")
        self.finish()

    def draw(self, r) -> None:
        set_quietly(self.tau_spin, r.threshold)
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


class ProbBars(LabelledBars):
    """Probabilities of a softmax, one bar per class (rows of ``(name, probability)``), the likeliest in red."""

    def lengths(self, avail: float) -> list[float]:
        return [avail * prob for _name, prob in self.rows]

    def colour(self, i: int) -> QColor:
        best = max(range(len(self.rows)), key=lambda k: self.rows[k][1])
        return QColor("#c8372d" if i == best else "#9aa7b4")

    def value_text(self, i: int) -> str:
        return num(self.rows[i][1], 2)


class OneShotView(ExampleView):
    """Five people with one photo each; a sixth arrives. Softmax: must retrain; similarity: enroll one photo."""

    view_id = "one-shot"

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(model, parent)
        self.softmax_top, self.bars, self.softmax_bottom = rich_label(), ProbBars(), rich_label()
        self.similarity_label = rich_label()
        self.softmax_box = group(self.softmax_top, self.bars, self.softmax_bottom)
        self.similarity_box = group(self.similarity_label)
        self.add(side_by_side(self.softmax_box, self.similarity_box))
        self.finish()

    def draw(self, r) -> None:
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


class TripletView(ExampleView):
    """L(A, P, N) = max(‖f(A)−f(P)‖² − ‖f(A)−f(N)‖² + α, 0) for two-number encodings the learner can move."""

    view_id = "triplet"

    _POINTS = (("anchor", N_("f(A) anchor")), ("positive", N_("f(P) positive, same person")),
               ("negative", N_("f(N) negative, someone else")))

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(model, parent)
        grid = QGridLayout()
        self.coord_spins: list[tuple[QDoubleSpinBox, QDoubleSpinBox]] = []
        for i, (key, caption) in enumerate(self._POINTS):
            x, y = decimal_box(-5, 5, 0.05), decimal_box(-5, 5, 0.05)
            for col, w in enumerate((QLabel(_(caption)), x, y)):
                grid.addWidget(w, i, col)
            self.coord_spins.append((x, y))
            x.valueChanged.connect(lambda _v, k=key, i=i: self._moved(k, i))
            y.valueChanged.connect(lambda _v, k=key, i=i: self._moved(k, i))
        self.margin_spin = decimal_box(0, 5, 0.05)
        grid.addWidget(QLabel(_("margin α")), 3, 0)
        grid.addWidget(self.margin_spin, 3, 1)
        self.bind(self.margin_spin, "margin")
        left = QVBoxLayout()
        left.addLayout(grid)
        self.terms = styled(rich_label(), "font-size: 12pt;")
        left.addWidget(self.terms)
        left.addStretch(1)
        row = QHBoxLayout()
        row.addLayout(left, 1)
        self.plot = TripletPlot()
        row.addWidget(self.plot, 1)
        self.add(row)
        self.finish()

    def _moved(self, key: str, i: int) -> None:
        x, y = self.coord_spins[i]
        self.model.set_params(self.view_id, **{key: [x.value(), y.value()]})

    def draw(self, r) -> None:
        for (x, y), pt in zip(self.coord_spins, (r.anchor, r.positive, r.negative)):
            set_quietly(x, pt[0])
            set_quietly(y, pt[1] if len(pt) > 1 else 0.0)
        set_quietly(self.margin_spin, r.terms.margin)
        self.intro.setText(_("Encodings with two numbers, so they can be drawn. Training wants the anchor closer to the "
                             "positive than to the negative, by at least the margin α (squared distances)."))
        t = r.terms
        self.terms.setText(
            "‖f(A) − f(P)‖<sup>2</sup> = <b>{ap}</b><br>‖f(A) − f(N)‖<sup>2</sup> = <b>{an}</b><br>"
            "L = max({ap} − {an} + {m}, 0) = <b>{loss}</b>".format(ap=num(t.ap), an=num(t.an), m=num(t.margin), loss=num(t.loss))
            + "<br>" + (_("L > 0: this triplet still teaches the network something.") if t.loss > 0 else
                        _("L = 0: the negative is already far enough; this triplet teaches nothing.")))
        self.plot.set_points(r.anchor, r.positive, r.negative)
