"""Feature maps engine (hooks, preprocessing, top-5, random-weight labelling) and the two panels."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torchvision

from engine import featmaps, weights
from engine.samples import sample_image
from engine.train import digits as dg


@pytest.fixture
def saved_lenet():
    """A seeded LeNet-5 saved where the app looks for the trained model (no training needed for shapes)."""
    torch.manual_seed(0)
    model = dg.build_lenet5()
    dg.save_trained(model, {"accuracy": 0.5, "epochs": 0, "confusion": np.eye(10, dtype=int).tolist(), "seconds": 0.0})
    return model


# -- engine --

def test_lenet_maps_equal_a_direct_forward(saved_lenet):
    fm = featmaps.load_feature_model("lenet5_digits")
    assert fm.pretrained and fm.digits and fm.categories == [str(d) for d in range(10)]
    img = dg.digit_image(3)
    x = dg.preprocess_digit(img)
    m = saved_lenet.eval()
    with torch.no_grad():
        expected = {
            "c1": m.c1(x),
            "s2": m.s2(m.act1(m.c1(x))),
            "c3": m.c3(m.s2(m.act1(m.c1(x)))),
        }
    for layer, ref in expected.items():
        r = featmaps.compute_feature_maps(fm, layer, img)
        assert r.output_shape == tuple(ref.shape)
        assert r.activations.shape == tuple(ref.shape[1:])
        np.testing.assert_allclose(r.activations, ref[0].numpy(), rtol=1e-5, atol=1e-6)
    r = featmaps.compute_feature_maps(fm, "f6", img)
    assert r.output_shape == (1, 84) and r.activations.shape == (84, 1, 1)
    assert len(r.top5) == 5 and all(name in fm.categories for name, _ in r.top5)
    with torch.no_grad():
        probs = torch.softmax(m(x)[0], 0)
    assert r.top5[0][0] == str(int(probs.argmax())) and r.top5[0][1] == pytest.approx(float(probs.max()), rel=1e-5)
    assert r.input_image.shape == (32, 32, 3)


def test_imagenet_without_weights_is_labelled_random_and_predicts_nothing():
    with pytest.raises(weights.WeightsMissing):
        featmaps.load_feature_model("resnet18", allow_random=False)
    fm = featmaps.load_feature_model("resnet18")
    assert not fm.pretrained and featmaps.RANDOM_NOTE in fm.note
    assert "convstudio models download resnet18" in fm.weights_missing
    img = sample_image("chelsea")
    r = featmaps.compute_feature_maps(fm, "layer2", img)
    m = fm.model
    x = fm.preprocess(img)
    assert x.shape == (1, 3, 224, 224)
    with torch.no_grad():
        ref = m.layer2(m.layer1(m.maxpool(m.relu(m.bn1(m.conv1(x))))))
    assert r.output_shape == tuple(ref.shape) == (1, 128, 28, 28)
    np.testing.assert_allclose(r.activations, ref[0].numpy(), rtol=1e-4, atol=1e-5)
    assert r.top5 == [] and not r.pretrained


def test_installed_weights_give_top5_with_imagenet_names(tmp_path):
    torch.manual_seed(1)
    net = torchvision.models.resnet18(weights=None)
    path = tmp_path / "resnet18-mine.pth"
    torch.save(net.state_dict(), path)
    weights.import_file("resnet18", path)
    fm = featmaps.load_feature_model("resnet18")
    assert fm.pretrained and fm.weights_missing is None
    cats = torchvision.models.get_weight("ResNet18_Weights.IMAGENET1K_V1").meta["categories"]
    assert fm.categories == list(cats) and len(cats) == 1000
    img = sample_image("coffee")
    r = featmaps.compute_feature_maps(fm, "layer4", img)
    preprocess = torchvision.models.get_weight("ResNet18_Weights.IMAGENET1K_V1").transforms()
    x = preprocess(torch.from_numpy(img).permute(2, 0, 1)).unsqueeze(0)
    with torch.no_grad():
        probs = torch.softmax(net.eval()(x)[0], 0)
    top = probs.topk(5)
    assert [n for n, _ in r.top5] == [cats[i] for i in top.indices.tolist()]
    np.testing.assert_allclose([p for _, p in r.top5], top.values.numpy(), rtol=1e-4)
    assert r.activations.shape == (512, 7, 7)


def test_channel_order_sorts_by_mean():
    acts = np.stack([np.full((3, 3), v, np.float32) for v in (0.5, -1.0, 2.0, 0.0)])
    means, order = featmaps.channel_order(acts)
    np.testing.assert_allclose(means, [0.5, -1.0, 2.0, 0.0])
    assert order.tolist() == [2, 0, 3, 1]


def test_capture_errors_and_layer_tree():
    class Branchy(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.used = torch.nn.Conv2d(1, 2, 3)
            self.unused = torch.nn.Conv2d(1, 2, 3)
            self.head = torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Flatten())

        def forward(self, x):
            return self.head(self.used(x))

    net = Branchy()
    x = torch.randn(1, 1, 6, 6)
    out, logits = featmaps.capture(net, "used", x)
    assert out.shape == (1, 2, 4, 4) and logits.shape == (1, 32)
    with pytest.raises(featmaps.FeatureMapError, match="did not run"):
        featmaps.capture(net, "unused", x)
    with pytest.raises(featmaps.FeatureMapError, match="no layer"):
        featmaps.capture(net, "nope", x)
    tree = featmaps.layer_tree(net)
    assert [c.name for c in tree.children] == ["used", "unused", "head"]
    assert [c.name for c in tree.children[2].children] == ["head.0", "head.1"]
    assert featmaps.default_layer(net) == "used"


def test_untrained_lenet_and_bad_input():
    with pytest.raises(dg.DigitsModelMissing):
        featmaps.load_feature_model("lenet5_digits")
    with pytest.raises(featmaps.FeatureMapError):
        featmaps.load_feature_model("nosuchnet")
    fm = featmaps.load_feature_model("alexnet")
    with pytest.raises(featmaps.FeatureMapError):
        featmaps.compute_feature_maps(fm, "features.0", np.zeros((10, 10), np.uint8))


# -- GUI --

@pytest.fixture
def ctx(qtbot):
    from gui.context import AppContext, make_settings
    from gui.jobs import JobRunner

    runner = JobRunner()
    switched: list[str] = []
    context = AppContext(jobs=runner, settings=make_settings(), switch_to=switched.append)
    context.switched = switched
    yield context
    runner.wait_all(10000)


def _idle(qtbot, panel, timeout=30000):
    qtbot.waitUntil(lambda: not panel.model.busy, timeout=timeout)


def _click_tile(qtbot, grid, position):
    from PySide6.QtCore import QPoint, Qt

    rect = grid.tile_rect(position)
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=QPoint(int(rect.center().x()), int(rect.center().y())))


def test_panel_selects_layer_and_enlarges_clicked_channel(qtbot, ctx, saved_lenet):
    from gui.panels.feature_maps import FeatureMapsPanel

    panel = FeatureMapsPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1100, 750)
    panel.show()
    _idle(qtbot, panel)
    assert panel.model.model_state.status == "ready"
    assert panel.model.layer == "c1" and panel.grid.tile_count() == 6
    assert not panel.cta.isVisible()
    panel.select_layer("c3")
    qtbot.waitUntil(lambda: panel.model.result is not None and panel.model.result.layer == "c3", timeout=10000)
    assert panel.grid.tile_count() == 16
    assert "1×10×10×16 (N×H×W×C)" in panel.header.text()  # the shape says its order (the course's by default)
    from engine import shapes

    shapes.set_display_order("chw")
    panel.retranslate()
    assert "1×16×10×10 (N×C×H×W)" in panel.header.text()
    order = [int(i) for i in panel.model.result.order]
    assert panel.grid.keys() == order
    _click_tile(qtbot, panel.grid, 4)
    assert panel.model.selected == order[4]
    assert f"Channel <b>{order[4]}</b>" in panel.big_label.text()
    assert panel.big_view.has_image()
    panel.sort_check.setChecked(False)
    assert panel.grid.keys() == list(range(16))
    assert panel.top5.text().startswith("Prediction")


def test_panel_untrained_then_imagenet_random_weights(qtbot, ctx):
    from gui.panels.feature_maps import FeatureMapsPanel

    panel = FeatureMapsPanel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1100, 750)
    panel.show()
    _idle(qtbot, panel)
    assert panel.model.model_state.status == "untrained"
    assert panel.cta.isVisible() and panel.grid.tile_count() == 40  # the training digits, until LeNet-5 is trained
    _click_tile(qtbot, panel.grid, 7)
    assert panel.model.digit_index == 7 and panel.model.image_label.startswith("digit #7")
    assert panel.tree_item("c5") is not None and panel.tree_item("output") is not None
    panel.model_combo.setCurrentIndex(panel.model_combo.findData("resnet18"))
    _idle(qtbot, panel)
    qtbot.waitUntil(lambda: panel.model.result is not None, timeout=20000)
    assert "random weights" in panel.note.text() and panel.open_models_button.isVisible()
    assert featmaps.RANDOM_NOTE in panel.header.text()
    assert panel.grid.tile_count() == 64  # conv1 has 64 channels
    panel.open_models_button.click()
    assert ctx.switched == ["models"]
    panel.select_layer("layer3.1.conv2")
    qtbot.waitUntil(lambda: panel.model.result is not None and panel.model.result.layer == "layer3.1.conv2", timeout=20000)
    assert panel.model.result.output_shape == (1, 256, 14, 14)
    panel.webcam_button.click()
    assert panel.model.image_label == "webcam frame" or "No camera" in panel.input_label.text()


def test_panel_trains_lenet_and_shows_its_maps(qtbot, ctx):
    from gui.panels.feature_maps import FeatureMapsPanel

    panel = FeatureMapsPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    _idle(qtbot, panel)
    panel.epochs_spin.setValue(1)
    panel.cta_button.click()
    assert panel.tabs.currentIndex() == 1
    qtbot.waitUntil(lambda: panel.model.train_handle is None, timeout=60000)
    assert "Held-out accuracy" in panel.train_status.text()
    total = sum(int(panel.confusion.item(r, c).text()) for r in range(10) for c in range(10))
    assert total == 360
    assert panel.loss_curve.getData()[0] is not None and len(panel.loss_curve.getData()[0]) >= 5
    qtbot.waitUntil(lambda: panel.model.model_state.status == "ready" and panel.model.result is not None, timeout=20000)
    assert panel.grid.tile_count() == 6


def test_residual_view_shows_live_curves_and_cancels(qtbot, ctx):
    from gui.panels.feature_maps import FeatureMapsPanel

    panel = FeatureMapsPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    _idle(qtbot, panel)
    panel.res_start_button.click()
    assert panel.res_cancel_button.isEnabled()
    qtbot.waitUntil(lambda: panel.plain_curve.getData()[0] is not None and len(panel.plain_curve.getData()[0]) >= 2, timeout=60000)
    panel.res_cancel_button.click()
    qtbot.waitUntil(lambda: panel.model.residual_handle is None, timeout=30000)
    assert "cancelled" in panel.res_status.text()
    assert len(panel.residual_curve.getData()[0]) >= 2


def test_augmentation_panel_grid_and_copy_code(qtbot, ctx):
    from PySide6.QtGui import QGuiApplication

    from gui.panels.augmentation import AugmentationPanel

    panel = AugmentationPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.screenshot_ready(), timeout=30000)
    assert panel.grid.tile_count() == 12
    panel.count_spin.setValue(4)
    panel.flags["rotation"].setChecked(True)
    panel.values["rotation_degrees"].setValue(40.0)
    qtbot.waitUntil(lambda: not panel.model.busy and panel.grid.tile_count() == 4, timeout=30000)
    assert panel.model.config.rotation and panel.model.config.rotation_degrees == 40.0
    code = panel.copy_code()
    assert QGuiApplication.clipboard().text() == code
    assert "v2.RandomRotation(degrees=40.0)" in code
    namespace: dict = {}
    exec(compile(code, "<copied>", "exec"), namespace)  # noqa: S102 (the code under test)
    x = torch.from_numpy(panel.model.image).permute(2, 0, 1).contiguous()
    torch.manual_seed(panel.model.seed)
    again = [namespace["transform"](x).permute(1, 2, 0).numpy() for _ in range(4)]
    for a, b in zip(again, panel.model.samples):
        np.testing.assert_array_equal(a, b)
    panel.values["crop_scale.0"].setValue(0.9)
    panel.values["crop_scale.1"].setValue(0.4)
    assert "crop scale" in panel.status.text()


def test_panels_open_user_files_and_report_bad_ones(qtbot, ctx, saved_lenet, tmp_path):
    from engine.io import save_image
    from gui.panels.augmentation import AugmentationPanel
    from gui.panels.feature_maps import FeatureMapsPanel

    photo = tmp_path / "ink.png"
    paper = np.full((60, 40, 3), 245, np.uint8)
    paper[10:50, 17:23] = 20  # a dark "1" on white paper
    save_image(photo, paper)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")

    panel = FeatureMapsPanel(ctx)
    qtbot.addWidget(panel)
    _idle(qtbot, panel)
    panel.open_image(photo)
    qtbot.waitUntil(lambda: not panel.model.busy and panel.model.image_label == "ink.png", timeout=20000)
    assert panel.source_combo.currentData() == "file"
    r = panel.model.result
    assert r is not None and r.input_image.shape == (32, 32, 3)
    assert r.input_image[16, 16, 0] > 200 and r.input_image[2, 2, 0] < 30  # ink bright, paper dark, as in training
    panel.open_image(broken)
    assert "Could not open broken.png" in panel.input_label.text()
    assert panel.model.image_label == "ink.png"  # the previous input stays

    aug = AugmentationPanel(ctx)
    qtbot.addWidget(aug)
    qtbot.waitUntil(lambda: aug.screenshot_ready(), timeout=30000)
    aug.open_image(photo)
    qtbot.waitUntil(lambda: not aug.model.busy and aug.model.image_label == "ink.png", timeout=30000)
    assert aug.model.samples[0].shape == (60, 40, 3)
    aug.open_image(broken)
    assert "Could not open broken.png" in aug.status.text()
