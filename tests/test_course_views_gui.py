"""Worked examples panel: Show me opens each example's own view, and its numbers are read back from the widgets."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QApplication

from engine.course import example


def show_me(win, example_id: str):
    """Click the example's Show me link on its course page; returns the view on screen."""
    win.switch_to("course")
    course = win.panel("course")
    course.select_section(example(example_id).section)
    assert f"show:{example_id}" in course.page.links()
    course.page.anchorClicked.emit(QUrl(f"show:{example_id}"))
    QApplication.processEvents()
    assert win.current_panel().panel_id == "course_views"
    bar = win.example_bar
    assert bar.isVisible() and bar.example_id == example_id and not bar.note_label.isVisible()
    return win.panel("course_views").current_view()


def plain(label) -> str:
    """A label's text without tags or entities."""
    return re.sub(r"<[^>]+>", "", label.text().replace("<br>", "\n")).replace("&nbsp;", " ")


def test_dense_vs_conv_shows_the_1000_unit_layer(window):
    view = show_me(window, "fc-input-1000")
    want = example("fc-input-1000").expected
    assert view.view_id == "dense-vs-conv" and view.units_spin.value() == 1000
    assert "1000×1000×3 (H×W×C)" in plain(view.intro) and f"{want['inputs']:,}" in plain(view.intro)
    assert f"= {want['weights']:,}" in plain(view.dense_label)
    assert "3,000,001,000" in plain(view.dense_label)  # with the 1,000 biases
    assert "= 280" in plain(view.conv_label)
    assert [v for _l, v, _c in view.bars.rows] == [3_000_001_000, 280]
    view.units_spin.setValue(10)  # the learner changes the layer: the count follows
    assert "= 30,000,000" in plain(view.dense_label)


def test_ten_filters_of_3x3x3_are_drawn_and_counted(window):
    view = show_me(window, "layer-params-280")
    assert view.view_id == "conv-layer"
    assert "= 280" in plain(view.formula) and "3·3·3 = 27 weights" in plain(view.formula)
    assert "6×6×3 (H×W×C) → 4×4×10 (H×W×C)" in plain(view.shapes_label)
    assert view.strip.stacked and view.strip.filters_drawn() == 10
    # all ten filters fit in the strip's height at the window's width
    per_row = view.strip._per_row(view.strip.width())
    assert view.strip.height() >= view.strip.heightForWidth(view.strip.width()) and per_row >= 1
    view.h_spin.setValue(1000)  # the image size does not change the count
    assert "= 280" in plain(view.formula) and "1000×6×3 (H×W×C) → 998×4×10 (H×W×C)" in plain(view.shapes_label)


def test_one_by_one_bottleneck_has_6176_parameters(window):
    view = show_me(window, "one-by-one-28x28x192")
    assert view.view_id == "conv-layer" and view.c_spin.value() == 192 and view.k_spin.value() == 32
    assert "(1·1·192 + 1)·32 = 6,176" in plain(view.formula)
    assert "28×28×192 (H×W×C) → 28×28×32 (H×W×C)" in plain(view.shapes_label)
    assert not view.strip.stacked and view.strip.weights.shape == (32, 192, 1, 1)
    assert "28×28 = 784 positions" in plain(view.shapes_label) and "fully connected layer 192 → 32" in plain(view.shapes_label)
    window.set_shape_order("chw")  # the notation switch reaches the view
    assert "192×28×28 (C×H×W) → 32×28×28 (C×H×W)" in plain(view.shapes_label)


def test_a_filter_larger_than_the_input_is_one_line_and_keeps_the_numbers(window):
    view = show_me(window, "layer-params-280")
    view.f_spin.setValue(7)
    assert view.error.isVisibleTo(view) and "does not fit" in view.error.text()
    assert "= 280" in plain(view.formula)


def test_verification_is_one_comparison_recognition_is_k(window):
    view = show_me(window, "verify-threshold")
    want = example("verify-threshold").expected
    assert view.verdicts() == [want["same_at_0_5"], want["same_at_0_7"]]
    text = plain(view.verify_label)
    assert "d = 0.5 ≤ τ = 0.6 → same person" in text and "d = 0.7 > τ = 0.6 → not the same person" in text
    assert view.table.columnCount() == want["comparisons"][1] and view.table.rowCount() == 2
    assert view.table.item(0, 0).text() == "0.5" and view.table.item(1, 0).text() == "0.7"
    rec = plain(view.recognise_label)
    assert "→ Ana" in rec and "not recognised" in rec
    view.tau_spin.setValue(0.75)  # a looser threshold accepts the second photo too
    assert "d = 0.7 ≤ τ = 0.75 → same person" in plain(view.verify_label)


def test_one_shot_softmax_over_five_fails_for_the_sixth(window):
    view = show_me(window, "one-shot-new-person")
    want = example("one-shot-new-person").expected
    names = [n for n, _p in view.bars.rows]
    assert names == ["Ana", "Ben", "Chen", "Dina", "Eva"] and len(names) == want["softmax_outputs"][0]
    assert sum(p for _n, p in view.bars.rows) == pytest.approx(1.0, abs=1e-5)
    bottom = plain(view.softmax_bottom)
    assert "128 → 6 (774 parameters instead of 645)" in bottom
    assert "128 → 5" in view.softmax_box.title()
    sim = plain(view.similarity_label)
    assert "not recognised" in sim and "→ Fei: 6 people" in sim and "d to Fei = 0.3 ≤ τ" in sim


def test_triplet_loss_numbers(window):
    view = show_me(window, "triplet-loss")
    want = example("triplet-loss").expected
    text = plain(view.terms)
    assert f"= {want['ap']}" in text and f"= {want['an']}" in text
    assert f"L = max(0.25 − 0.36 + 0.2, 0) = {want['loss']}" in text
    view.coord_spins[2][0].setValue(1.0)  # move the negative away: the loss drops to 0
    assert "L = max(0.25 − 1 + 0.2, 0) = 0" in plain(view.terms)


def test_total_cost(window):
    view = show_me(window, "style-total-cost")
    text = plain(view.formula)
    assert "= 10·2 + 40·0.5" in text and "= 20 + 20 = 40" in text
    assert "J<sub>content</sub>" in view.formula.text()  # a real subscript
    view.spins[1].setValue(80)  # β doubled
    assert "= 20 + 40 = 60" in plain(view.formula)


def test_content_cost_is_2_5(window):
    view = show_me(window, "content-cost-2x2")
    assert view.grid_c.values() == [[1, 2], [3, 4]] and view.grid_g.values() == [[1, 0], [3, 5]]
    assert view.grid_d.texts() == [["0", "2"], ["0", "−1"]] and view.grid_sq.values() == [[0, 4], [0, 1]]
    assert plain(view.formula).endswith("= ½·5 = 2.5")


def test_gram_matrix_and_style_cost(window):
    view = show_me(window, "gram-2-channels")
    assert view.gram_g.values() == example("gram-2-channels").expected["gram"]
    assert view.gram_s.values() == [[4, 0], [0, 0]]
    assert "1·1 + 2·2 + 3·3 + 4·4 = 30" in plain(view.entries)
    assert "752 / 256 = 2.9375" in plain(view.formula)
    assert "2×2×2 (H×W×C)" in plain(view.intro)


def test_degradation_trains_in_a_worker_and_draws_both_curves(window, qtbot):
    view = show_me(window, "resnet-plain-vs-residual")
    model = window.panel("course_views").model
    assert model.running and not view.run_button.isEnabled()
    assert "20 weighted layers" in plain(view.nets_label)
    qtbot.waitUntil(lambda: not model.running, timeout=240_000)
    plain_loss, residual_loss = view.shown_curves()
    assert len(plain_loss) == len(residual_loss) > 3
    r = model.run_result
    assert plain_loss[-1] == pytest.approx(r.plain_final_loss) and residual_loss[-1] == pytest.approx(r.residual_final_loss)
    assert residual_loss[-1] < plain_loss[-1]  # the degradation the example is about
    assert f"plain {r.plain_final_loss:.3f}, residual {r.residual_final_loss:.3f}" in plain(view.status)
    c = r.curves  # the sizes shown are the ones the trained networks report
    assert f"plain: {c.depth} weighted layers, {c.plain_params:,} parameters; residual: {c.residual_depth} weighted layers" in plain(view.nets_label)


def test_degradation_cancel_keeps_the_curves_so_far(window, qtbot):
    view = show_me(window, "resnet-plain-vs-residual")
    model = window.panel("course_views").model
    qtbot.waitUntil(lambda: model.curves is not None and len(model.curves.steps) >= 1, timeout=120_000)
    view.cancel_button.click()
    qtbot.waitUntil(lambda: not model.running, timeout=60_000)
    assert model.run_result is None and "cancelled" in plain(view.status)
    assert len(view.shown_curves()[0]) >= 1


def test_views_in_chinese(window):
    window.set_language("zh_CN")
    view = show_me(window, "layer-params-280")
    assert "个参数" in plain(view.formula) and "= 280" in plain(view.formula)
    view = show_me(window, "verify-threshold")
    assert "同一个人" in plain(view.verify_label)
    assert window.panel("course_views").heading.text() == "人脸验证（1:1）与人脸识别（1:K）"


def test_a_language_switch_re_renders_the_view_on_screen(window):
    view = show_me(window, "one-by-one-28x28x192")
    assert "parameters" in plain(view.formula)
    window.set_language("zh_CN")
    assert "个参数" in plain(view.formula) and "6,176" in plain(view.formula)
    assert window.panel("course_views").heading.text() == "一个卷积层：过滤器与参数"
    window.set_language("en")
    assert "6,176</b> parameters" in view.formula.text()


def test_chooser_and_back_to_the_course_numbers(window):
    view = show_me(window, "fc-input-1000")
    view.units_spin.setValue(7)
    assert "7 units" in view.dense_box.title()
    panel = window.panel("course_views")
    panel.reset_button.click()
    assert view.units_spin.value() == 1000 and "= 3,000,000,000" in plain(view.dense_label)
    panel.chooser.setCurrentIndex(panel.chooser.findData("gram"))
    assert panel.current_view().view_id == "gram" and panel.stack.currentWidget() is panel.views["gram"]


def test_reset_example_during_training_restarts_it_from_scratch(window, qtbot):
    show_me(window, "resnet-plain-vs-residual")
    model = window.panel("course_views").model
    qtbot.waitUntil(lambda: model.curves is not None and len(model.curves.steps) >= 1, timeout=120_000)
    window.example_bar.reset_button.click()  # the same example again while it trains
    assert model.curves is None  # the old curves are gone at once
    qtbot.waitUntil(lambda: model.run_result is not None, timeout=240_000)
    assert not model.running and model.run_result.curves.steps[-1] == pytest.approx(3.0)
    assert model.run_result.curves.steps[0] < 1.0  # a whole new run, from its first report


def test_screenshots_render_the_views_after_show_me(qtbot, tmp_path):
    from PySide6.QtGui import QImage

    from gui.screenshots import render_panels

    results = render_panels(tmp_path, (1024, 700), lang="zh_CN", examples=["triplet-loss", "gram-2-channels", "nope"])
    assert results["example-triplet-loss"] == results["example-gram-2-channels"] == "ok"
    assert "unknown example" in results["example-nope"]
    image = QImage(str(tmp_path / "example-gram-2-channels.png"))
    assert (image.width(), image.height()) == (1024, 700)
    assert not (tmp_path / "example-nope.png").exists()


def test_no_view_shows_formula_markup_raw(window):
    """Formulas on every view are typeset (real sub/superscripts), never "J_content" or "a^[l]" as typed."""
    from PySide6.QtWidgets import QGroupBox, QLabel

    from gui.panels.course_views_model import VIEW_IDS

    panel = window.panel("course_views")
    raw = re.compile(r"[A-Za-z0-9\]\)]_[A-Za-z0-9\[{(]|\^")
    for lang in ("en", "zh_CN"):
        window.set_language(lang)
        for view_id in VIEW_IDS:
            panel.model.set_view(view_id)
            QApplication.processEvents()
            view = panel.current_view()
            texts = [w.text() for w in view.findChildren(QLabel)] + [g.title() for g in view.findChildren(QGroupBox)]
            bad = [t for t in texts if raw.search(re.sub(r"<[^>]+>", "", t))]
            assert not bad, (lang, view_id, bad)
            if view_id in ("total-cost", "content-cost", "gram"):
                assert any("J<sub>" in t for t in texts), (lang, view_id)



def test_control_captions_follow_a_language_switch(window):
    """The captions beside the spin boxes change language with the window, and back."""
    from PySide6.QtWidgets import QLabel

    def captions(view) -> set[str]:
        return {w.text() for w in view.findChildren(QLabel)}

    view = show_me(window, "layer-params-280")
    verify = window.panel("course_views").views["verify-recognise"]
    degradation = window.panel("course_views").views["degradation"]
    assert {"Input height H", "Filter size f"} <= captions(view)
    assert "Threshold τ (Euclidean distance)" in captions(verify)
    window.set_language("zh_CN")
    assert {"输入高度 H", "过滤器大小 f"} <= captions(view) and "Input height H" not in captions(view)
    assert "阈值 τ（欧氏距离）" in captions(verify) and "训练轮数" in captions(degradation)
    window.set_language("en")
    assert "Input height H" in captions(view) and "Epochs" in captions(degradation)
