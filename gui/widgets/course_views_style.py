"""Worked-example views of the style-transfer costs: J(G) = α·J<sub>content</sub> + β·J<sub>style</sub>, the content
cost ½‖a(C) − a(G)‖² of two 2×2 activations, and the Gram matrix of a 2×2×2 activation with its style cost."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from engine.course.typeset import formula_html
from engine.i18n import _

from .course_views_base import ExampleView, decimal_box, row_of, set_quietly, styled
from .course_views_common import NumberGrid, num, rich_label, shape

__all__ = ["TotalCostView", "ContentCostView", "GramView"]

# the cost names typeset as on the course pages
J_CONTENT = formula_html("J_content")
J_STYLE = formula_html("J_style")


class TotalCostView(ExampleView):
    """α, β and the two costs chosen by hand; the weighted terms and J(G) from the panel's ``total_loss``."""

    view_id = "total-cost"

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(model, parent)
        grid = QGridLayout()
        # the weights and the costs: symbols, the same in every language
        fields = (("α", "alpha", 1), ("β", "beta", 1), (J_CONTENT + "(C, G)", "content", 0.1), (J_STYLE + "(S, G)", "style", 0.1))
        self.captions, self.spins = [], []
        for i, (symbol, key, step) in enumerate(fields):
            cap, spin = rich_label(symbol, selectable=False), decimal_box(0, 1e6, step, decimals=3)
            grid.addWidget(cap, i // 2, 2 * (i % 2))
            grid.addWidget(spin, i // 2, 2 * (i % 2) + 1)
            self.bind(spin, key)
            spin.setMaximumWidth(160)
            self.captions.append(cap)
            self.spins.append(spin)
        grid.setColumnStretch(4, 1)
        self.add(grid)
        self.formula = self.add(styled(rich_label(), "font-size: 13pt;"))
        self.note = self.add(rich_label())
        self.finish()

    def draw(self, r) -> None:
        for spin, value in zip(self.spins, (r.alpha, r.beta, r.content, r.style)):
            set_quietly(spin, value)
        self.intro.setText(_("Style transfer makes an image G that keeps the content of C and takes the style of S, by "
                             "gradient descent on G. The cost adds both parts, each with its weight:"))
        self.formula.setText(
            "J(G) = α·{jc}(C, G) + β·{js}(S, G)<br>"
            "= {a}·{c} + {b}·{s}<br>= {wc} + {ws} = <b>{j}</b>".format(
                jc=J_CONTENT, js=J_STYLE, a=num(r.alpha), c=num(r.content), b=num(r.beta), s=num(r.style),
                wc=num(r.weighted_content), ws=num(r.weighted_style), j=num(r.total)))
        self.note.setText(_("Raise β against α and the result leans towards the style; the two weights only matter relative to each other."))


class ContentCostView(ExampleView):
    """a(C) and a(G) of one layer, their difference, the squares, and ½ of the sum."""

    view_id = "content-cost"

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(model, parent)
        self.grid_c, self.grid_g, self.grid_d, self.grid_sq = (NumberGrid(cell=46) for _i in range(4))
        self.ops = [styled(QLabel(t), "font-size: 16pt;") for t in ("−", "=", "→")]
        self.add(row_of(self.grid_c, self.ops[0], self.grid_g, self.ops[1], self.grid_d, self.ops[2], self.grid_sq))
        self.formula = self.add(styled(rich_label(), "font-size: 13pt;"))
        self.finish()

    def draw(self, r) -> None:
        h, w = len(r.a_c), len(r.a_c[0])
        self.intro.setText(_("The content cost compares the activations of one layer l for the content image C and the "
                             "generated image G, value by value. Here the layer's activation is {shape}:").format(shape=shape((h, w, 1))))
        self.grid_c.set_title("a<sup>[l](C)</sup>")
        self.grid_g.set_title("a<sup>[l](G)</sup>")
        self.grid_d.set_title(_("difference"))
        self.grid_sq.set_title(_("squared"))
        self.grid_c.set_values(r.a_c)
        self.grid_g.set_values(r.a_g)
        self.grid_d.set_values(r.difference)
        self.grid_sq.set_values(r.squares)
        terms = " + ".join(num(v) for row in r.squares for v in row)
        self.formula.setText(
            "{jc}(C, G) = ½‖a<sup>[l](C)</sup> − a<sup>[l](G)</sup>‖<sup>2</sup> = ½·({terms}) = ½·{s} = <b>{cost}</b>".format(
                jc=J_CONTENT, terms=terms, s=num(r.sum_squares), cost=num(r.cost)))


class GramView(ExampleView):
    """The two channels of a(S) and a(G), their Gram matrices, and the layer's style cost."""

    view_id = "gram"

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(model, parent)
        self.channel_grids = [NumberGrid(cell=34) for _i in range(4)]  # S k=1, S k=2, G k=1, G k=2
        self.gram_s, self.gram_g = NumberGrid(cell=46), NumberGrid(cell=46)
        self.add(row_of(*self.channel_grids[:2], self.gram_s, 24, *self.channel_grids[2:], self.gram_g))
        self.entries = self.add(rich_label())
        self.formula = self.add(styled(rich_label(), "font-size: 12pt;"))
        self.finish()

    def draw(self, r) -> None:
        h, w = r.hw
        c = r.channels
        self.intro.setText(_("A layer's activation of {shape} for the style image S and for the generated image G. "
                             "The Gram matrix multiplies every pair of channels k, k′ position by position and adds up: "
                             "G<sub>kk′</sub> = Σ<sub>i</sub> Σ<sub>j</sub> a<sub>ijk</sub>·a<sub>ijk′</sub>.").format(shape=shape((h, w, c))))
        acts = [(r.a_s, "S"), (r.a_g, "G")]
        for idx, grid in enumerate(self.channel_grids):
            act, name = acts[idx // 2]
            k = idx % 2
            if k < len(act):
                grid.set_title(_("a<sup>[l]({name})</sup>, channel {k}").format(name=name, k=k + 1))
                grid.set_values(act[k])
            grid.setVisible(k < len(act))
        self.gram_s.set_title("G(S)")
        self.gram_g.set_title("G(G)")
        self.gram_s.set_values(r.gram_s)
        self.gram_g.set_values(r.gram_g)
        g = r.a_g
        flat = [[v for row in ch for v in row] for ch in g]
        parts = []
        if len(flat) >= 2:
            for (k1, k2) in ((0, 0), (0, 1), (1, 1)):
                prods = " + ".join(f"{num(a)}·{num(b)}" for a, b in zip(flat[k1], flat[k2]))
                parts.append("G(G)<sub>{a}{b}</sub> = {prods} = <b>{v}</b>".format(a=k1 + 1, b=k2 + 1, prods=prods, v=num(r.gram_g[k1][k2])))
        self.entries.setText("<br>".join(parts))
        diffs = " + ".join(f"({num(v)})<sup>2</sup>" for row in r.difference for v in row)
        self.formula.setText(
            "{js}<sup>[l]</sup>(S, G) = 1/(2·n<sub>H</sub>·n<sub>W</sub>·n<sub>C</sub>)<sup>2</sup> · Σ<sub>k</sub> Σ<sub>k′</sub> "
            "(G(S)<sub>kk′</sub> − G(G)<sub>kk′</sub>)<sup>2</sup><br>"
            "= 1/(2·{h}·{w}·{c})<sup>2</sup> · ({diffs}) = {s} / {norm} = <b>{cost}</b>".format(
                js=J_STYLE, h=h, w=w, c=c, diffs=diffs, s=num(r.sum_squares), norm=num(r.norm), cost=num(r.cost)))
