"""The Style transfer panel: a tiny run started and cancelled keeps an image; controls drive the parameters."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt

from engine.io import save_image
from engine.samples import sample_image


@pytest.fixture
def panel(make_window):
    win = make_window(settings=None, size=None)
    win.switch_to("style_transfer")
    p = win.current_panel()
    assert p.panel_id == "style_transfer"
    yield p
    win.jobs.wait_all(10000)


def test_default_view_shows_samples_and_the_fallback_notice(panel, qtbot):
    assert panel.content_slot.view.has_image() and panel.style_slot.view.has_image()
    assert panel.output_view.has_image()  # the starting point
    assert "not installed" in panel.backbone_notice.text() and "lower-quality fallback" in panel.backbone_notice.text()
    switched = []
    panel.ctx.switch_to = switched.append
    qtbot.mouseClick(panel.models_button, Qt.MouseButton.LeftButton)
    assert switched == ["models"]
    assert "fits" in panel.memory_label.text()
    qtbot.waitUntil(lambda: panel.gram_view.style_view.has_image(), timeout=10000)
    assert panel.gram_view.output_view.has_image()


def test_controls_update_the_parameters(panel, qtbot, tmp_path):
    panel.advanced_toggle.setChecked(True)
    panel.size_spin.setValue(96)
    panel.optimizer_combo.setCurrentIndex(panel.optimizer_combo.findData("adam"))
    panel.preserve_combo.setCurrentIndex(panel.preserve_combo.findData("histogram"))
    panel.layer_spins["conv5_1"].setValue(0)
    panel.beta_edit.setText("1e6")
    panel.beta_edit.editingFinished.emit()
    p = panel.model.params
    assert (p.size, p.optimizer, p.preserve_colors, p.beta) == (96, "adam", "histogram", 1e6)
    assert "conv5_1" not in p.style_layers and p.style_layers["conv1_1"] == pytest.approx(0.2)
    photo = tmp_path / "photo.png"
    save_image(photo, sample_image("coffee")[::4, ::4])
    panel.open_image(photo)
    assert panel.model.content_name == "photo.png" and panel.model.content.shape == (100, 150, 3)
    panel.style_slot.fileChosen.emit(str(tmp_path / "missing.png"))
    assert "no such file" in panel.status_label.text()


def test_impossible_size_is_refused_with_an_offer(panel, qtbot, monkeypatch):
    monkeypatch.setattr("engine.style.memory.available_bytes", lambda device: 2**30)  # a machine with 1 GB free
    panel.size_spin.setValue(4096)
    assert "does NOT fit" in panel.memory_label.text()
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert not panel.model.running
    assert "Not started" in panel.status_label.text()
    assert panel.use_size_button.isVisibleTo(panel) and "px instead" in panel.use_size_button.text()
    qtbot.mouseClick(panel.use_size_button, Qt.MouseButton.LeftButton)
    assert panel.model.params.size < 4096 and panel.size_spin.value() == panel.model.params.size


def test_start_then_cancel_keeps_the_best_image(panel, qtbot, tmp_path):
    panel.backbone_combo.setCurrentIndex(panel.backbone_combo.findData("random"))
    panel.size_spin.setValue(64)
    panel.steps_spin.setValue(2000)
    panel.every_spin.setValue(2)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert panel.model.running and panel.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: len(panel.model.losses) >= 4, timeout=60000)
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.model.running, timeout=30000)
    assert "best image so far is kept" in panel.status_label.text()
    best = panel.model.best
    assert best is not None and best.shape == (43, 64, 3)
    assert panel.output_view.has_image() and panel.save_button.isEnabled()
    assert panel.loss_plot.curves["style"].getData()[0] is not None
    saved = panel.save(str(tmp_path / "kept.png"))
    with Image.open(saved) as png:
        assert np.array_equal(np.asarray(png.convert("RGB")), best)
        params = json.loads(png.text["convstudio:style-params"])
        assert params["size"] == 64 and png.text["convstudio:content"] == "chelsea"


def test_fast_styles_tab_loads_a_network_and_reports_a_missing_webcam(panel, qtbot, tmp_path, monkeypatch):
    import torch

    from engine.style import TransformerNet, save_transformer

    panel.tabs.setCurrentIndex(1)
    assert not panel.webcam_button.isEnabled()
    assert not panel.load_network(str(tmp_path / "nothing.pth"))
    assert "Not loaded" in panel.fast_status.text()
    torch.manual_seed(0)
    path = save_transformer(TransformerNet(), tmp_path / "net.pth")
    assert panel.load_network(str(path))
    qtbot.waitUntil(lambda: panel.fast_view.has_image(), timeout=10000)
    stylised = panel.fast.output.copy()
    panel.fast_strength.setValue(0)
    assert np.array_equal(panel.fast.output, panel.model.content)
    assert not np.array_equal(stylised, panel.model.content)
    import engine.style.fast as fast

    def no_camera(index=0, width=640, height=480):
        raise fast.CameraUnavailable("No camera could be opened (index 0).")
        yield  # pragma: no cover

    monkeypatch.setattr("engine.style.camera_frames", no_camera)
    panel.webcam_button.setChecked(True)
    qtbot.waitUntil(lambda: "No camera" in panel.fast_status.text(), timeout=10000)
    assert not panel.webcam_button.isChecked()


def test_advanced_controls_fit_the_column_without_clipping(panel, qtbot):
    from PySide6.QtWidgets import QScrollArea, QWidget

    scroll = next(s for s in panel.tabs.widget(0).findChildren(QScrollArea) if s.widget().isAncestorOf(panel.advanced_box))
    for expanded in (False, True):
        panel.advanced_toggle.setChecked(expanded)
        qtbot.wait(20)
        viewport = scroll.viewport()
        assert scroll.widget().width() <= viewport.width(), expanded
        for child in scroll.widget().findChildren(QWidget):
            if child.isVisible():
                right = child.mapTo(viewport, child.rect().topRight()).x()
                assert right < viewport.width(), (expanded, type(child).__name__, right, viewport.width())
    assert panel.layer_spins["conv5_1"].isVisible()


def test_offered_size_is_the_one_the_engine_accepts(panel, qtbot, monkeypatch):
    from engine.style import MemoryRefused, StyleParams, random_backbone, stylize

    free = 3 * 2**30
    monkeypatch.setattr("engine.style.memory.available_bytes", lambda device: free)
    panel.backbone_combo.setCurrentIndex(panel.backbone_combo.findData("random"))
    panel.size_spin.setValue(4096)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert not panel.model.running
    with pytest.raises(MemoryRefused) as refused:
        next(stylize(panel.model.content, panel.model.style, StyleParams(size=4096, steps=150, backbone="random"),
                     backbone=random_backbone(), device="cpu", available_memory=free))
    offered = refused.value.suggested_size
    assert offered > max(panel.model.content.shape[:2])  # larger than the photo: the output may be upscaled
    assert panel.use_size_button.text() == f"Use {offered} px instead"
    assert f"{offered} px fits" in panel.status_label.text() and "Even the smallest" not in panel.status_label.text()
    qtbot.mouseClick(panel.use_size_button, Qt.MouseButton.LeftButton)
    assert panel.model.memory_estimate().fits


def test_saved_metadata_describes_the_run_not_controls_changed_after_it(panel, qtbot, tmp_path):
    panel.backbone_combo.setCurrentIndex(panel.backbone_combo.findData("random"))
    panel.size_spin.setValue(48)
    panel.steps_spin.setValue(2000)
    panel.every_spin.setValue(2)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(panel.model.losses) >= 2, timeout=60000)
    # the user moves on while it runs: another size, strength and photo
    panel.size_spin.setValue(320)
    panel.strength_slider.setValue(90)
    panel.content_slot.sampleChosen.emit("coffee")
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.model.running, timeout=30000)
    saved = panel.save(str(tmp_path / "run.png"))
    with Image.open(saved) as png:
        params = json.loads(png.text["convstudio:style-params"])
        assert (params["size"], params["style_strength"], params["backbone"]) == (48, 0.5, "random")
        assert png.text["convstudio:content"] == "chelsea" and png.text["convstudio:style"] == "mosaic"
        assert png.size == (48, 32)


def test_strength_label_says_when_beta_overrides_the_slider(panel):
    from engine.style import weights_for_strength

    # the slider only chooses β: α and γ do not depend on it
    assert weights_for_strength(0.1, "random", 256, 256)[::2] == weights_for_strength(0.9, "random", 256, 256)[::2]
    panel.advanced_toggle.setChecked(True)
    assert "no effect" not in panel.strength_label.text()
    panel.beta_edit.setText("1e6")
    panel.beta_edit.editingFinished.emit()
    assert panel.model.params.beta == 1e6 and "no effect" in panel.strength_label.text()
    panel.beta_edit.setText("")
    panel.beta_edit.editingFinished.emit()
    assert panel.model.params.beta is None and "no effect" not in panel.strength_label.text()


def test_dropping_a_file_on_the_style_box_loads_the_style(panel, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    path = tmp_path / "painting.png"
    save_image(path, sample_image("rocket")[::4, ::4])
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    panel.style_slot.dropEvent(event)
    assert panel.model.style_name == "painting.png"
    assert np.array_equal(panel.model.style, sample_image("rocket")[::4, ::4])
    assert panel.model.content_name == "chelsea"  # the content photo is untouched
    assert panel.style_slot.combo.currentText() == "(file)"


def test_fast_tab_trains_a_style_with_a_curve_and_applies_it_to_a_folder(panel, qtbot, tmp_path):
    from engine.paths import trained_dir

    photos = tmp_path / "photos"
    photos.mkdir()
    save_image(photos / "a.png", sample_image("astronaut")[::8, ::8])
    panel.backbone_combo.setCurrentIndex(panel.backbone_combo.findData("random"))
    panel.tabs.setCurrentIndex(1)
    panel.fast.train_params.size, panel.fast.train_params.batch_size, panel.fast.train_params.report_every = 32, 1, 1
    panel.train_folder.setText(str(photos))
    panel.train_steps.setValue(3)
    panel.train_name.setText("tiny")
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    assert not panel.train_button.isEnabled() and panel.train_cancel.isEnabled()
    qtbot.waitUntil(lambda: panel._fast_job is None, timeout=60000)
    assert "Trained 3 steps" in panel.fast_status.text(), panel.fast_status.text()
    model = trained_dir() / "styles" / "tiny.pth"
    assert model.exists() and model.with_name("tiny.pth.ckpt").exists()
    assert list(panel.train_plot.curves["total"].getData()[0]) == [1, 2, 3]
    assert panel.fast.network_name == "tiny.pth" and panel.apply_folder_button.isEnabled()
    panel.apply_folder(str(photos), str(tmp_path / "out"))
    qtbot.waitUntil(lambda: "Wrote 1 image" in panel.fast_status.text(), timeout=30000)
    assert (tmp_path / "out" / "a_styled.png").exists()


def test_a_photo_opened_on_the_fast_tab_is_stylised_there(panel, qtbot, tmp_path):
    import torch

    from engine.style import TransformerNet, save_transformer

    torch.manual_seed(0)
    assert panel.load_network(str(save_transformer(TransformerNet(), tmp_path / "net.pth")))
    panel.tabs.setCurrentIndex(1)
    photo = tmp_path / "photo.png"
    save_image(photo, sample_image("coffee")[::4, ::4])
    panel.window().open_image_path(photo)
    assert panel.tabs.currentIndex() == 1
    assert panel.fast.output.shape == (100, 150, 3) and not np.array_equal(panel.fast.output, panel.model.content)


def test_a_vgg19_that_fails_to_load_is_reported_after_the_run(panel, qtbot, monkeypatch):
    monkeypatch.setattr("engine.weights.status", lambda name: "installed")  # listed as installed, but the file is gone
    panel.backbone_combo.setCurrentIndex(panel.backbone_combo.findData("random"))
    panel.backbone_combo.setCurrentIndex(panel.backbone_combo.findData("vgg19"))
    assert "is installed" in panel.backbone_notice.text() and not panel.models_button.isVisibleTo(panel)
    panel.size_spin.setValue(64)
    panel.steps_spin.setValue(2)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.model.running, timeout=60000)
    assert panel.model.result is not None and panel.model.result.backbone == "random"
    assert "lower-quality fallback" in panel.backbone_notice.text() and panel.models_button.isVisibleTo(panel)


def test_gram_view_follows_the_chosen_layer(panel, qtbot):
    qtbot.waitUntil(lambda: "32 channels" in panel.gram_view.distance_label.text(), timeout=10000)  # conv1_1 of the fallback
    panel.gram_view.layer_combo.setCurrentText("conv3_1")
    qtbot.waitUntil(lambda: "128 channels" in panel.gram_view.distance_label.text(), timeout=10000)
    assert panel.gram_view.style_view.has_image() and panel.gram_view.output_caption.text().startswith("Content photo")


def test_loss_axis_labels_only_1_2_5_per_decade(qtbot):
    from gui.widgets.style_loss_plot import StyleLossPlot

    plot = StyleLossPlot()
    qtbot.addWidget(plot)
    axis = plot.getAxis("left")
    values = [np.log10(m * 1e4) for m in range(1, 10)] + [5.0]
    labels = axis.tickStrings(values, 1.0, 1.0)
    assert [bool(t) for t in labels] == [True, True, False, False, True, False, False, False, False, True]
    assert labels[-1] == "10⁵" and labels[1] == "2·10⁴"


def test_fast_strength_slider_blends_without_running_the_network_again(panel, qtbot, tmp_path):
    import torch

    from engine.style import FastStylizer, TransformerNet, save_transformer

    torch.manual_seed(0)
    assert panel.load_network(str(save_transformer(TransformerNet(), tmp_path / "net.pth")))
    calls = []
    panel.fast.stylizer.net.register_forward_hook(lambda *a: calls.append(1))
    panel.fast_strength.setValue(100)
    full = panel.fast.output.copy()
    ran = len(calls)
    for value in (80, 50, 20, 60):
        panel.fast_strength.setValue(value)
    assert len(calls) == ran  # dragging the slider only blends
    photo = panel.model.content.astype(np.float64)
    expected = FastStylizer(panel.fast.stylizer.net, "cpu")(panel.model.content, 0.6)
    assert np.abs(panel.fast.output.astype(int) - expected.astype(int)).max() <= 1
    assert np.abs(panel.fast.output - (photo + 0.6 * (full - photo))).max() <= 1.0
    ran = len(calls)
    panel.content_slot.sampleChosen.emit("coffee")  # a new photo is stylised afresh
    assert len(calls) == ran + 1 and panel.fast.output.shape == panel.model.content.shape


def test_fast_tab_placeholder_is_not_cut_off(panel, qtbot):
    from PySide6.QtWidgets import QStyle, QStyleOptionFrame

    panel.tabs.setCurrentIndex(1)
    qtbot.wait(20)
    edit = panel.train_folder
    option = QStyleOptionFrame()
    edit.initStyleOption(option)
    room = edit.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, edit).width() - 4
    assert edit.fontMetrics().horizontalAdvance(edit.placeholderText()) <= room


def test_a_too_short_fast_training_is_warned_about_and_still_plotted(panel, qtbot, tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    save_image(photos / "a.png", sample_image("astronaut")[::8, ::8])
    panel.backbone_combo.setCurrentIndex(panel.backbone_combo.findData("random"))
    panel.tabs.setCurrentIndex(1)
    panel.fast.train_params.size, panel.fast.train_params.batch_size = 32, 1
    panel.train_folder.setText(str(photos))
    assert panel.train_steps_note.isHidden()  # the default is long enough
    panel.train_steps.setValue(10)
    assert not panel.train_steps_note.isHidden() and "at least 200 steps" in panel.train_steps_note.text()
    panel.train_name.setText("short")
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel._fast_job is None, timeout=60000)
    assert "Trained 10 steps" in panel.fast_status.text() and "far too few" in panel.fast_status.text()
    xs = list(panel.train_plot.curves["total"].getData()[0])
    assert len(xs) >= 5 and xs[-1] == 10  # a curve, not one invisible point
    assert panel.train_plot.curves["total"].opts["symbol"] == "o"


def test_loss_legend_is_outside_the_curves(qtbot):
    from gui.widgets.style_loss_plot import StyleLossPlot

    plot = StyleLossPlot()
    qtbot.addWidget(plot)
    assert plot.getPlotItem().legend is None  # nothing drawn over the data area
    title = plot.getPlotItem().titleLabel.text
    for name in (">J</span> =", "α·J_content", "β·J_style", "γ·TV"):  # the legend is the formula J = α·J_content + β·J_style + γ·TV
        assert name in title


def test_finished_run_names_weighted_and_unweighted_terms(panel, qtbot):
    panel.backbone_combo.setCurrentIndex(panel.backbone_combo.findData("random"))
    panel.size_spin.setValue(48)
    panel.steps_spin.setValue(3)
    panel.every_spin.setValue(1)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.model.running and panel.model.result is not None, timeout=60000)
    rec = panel.model.result.losses[-1]
    assert rec.content_cost > 0 and rec.style_cost > 0
    text = panel.status_label.text()
    expected = {"J = α·J_content + β·J_style + γ·TV": rec.total, "α·J_content": rec.weighted_content,
                "β·J_style": rec.weighted_style, "γ·TV": rec.weighted_tv, "unweighted costs: J_content": rec.content_cost,
                ", J_style": rec.style_cost}
    for name, value in expected.items():
        assert f"{name} = {value:.4g}" in text, (name, text)
    assert f"{rec.weighted_style:.4g}" != f"{rec.style_cost:.4g}"  # β·J_style and J_style are two different numbers
    assert "J_content" in panel.output_caption.toolTip()


def test_total_curve_stays_visible_on_the_dark_theme(qtbot):
    from PySide6.QtGui import QColor, QPalette

    from gui.widgets.style_loss_plot import StyleLossPlot

    plot = StyleLossPlot()
    qtbot.addWidget(plot)
    dark = QPalette(plot.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1f22"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#dedede"))
    plot.setPalette(dark)
    total = plot.curves["total"].opts["pen"].color()
    assert total.lightness() > 180  # light on a dark background (a fixed dark grey vanished)
    assert "color:#dedede" in plot.getPlotItem().titleLabel.text
    light = QPalette(dark)
    light.setColor(QPalette.ColorRole.Text, QColor("#000000"))
    plot.setPalette(light)
    assert plot.curves["total"].opts["pen"].color().lightness() < 60
