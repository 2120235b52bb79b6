"""The form helper (gui/widgets/form.py): the boxes it builds, and labels and tooltips that follow a
language switch without any code in the panel."""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QFormLayout, QGroupBox, QLabel, QSpinBox

from engine.i18n import N_, _
from gui.i18n import apply_language
from gui.widgets.form import Form, number_box, spin_box, threshold_box


def _label_of(form: Form, row: int) -> str:
    item = form.layout.itemAt(row, QFormLayout.ItemRole.LabelRole)
    return item.widget().text()


def test_boxes_carry_range_step_unit_and_value(qtbot):
    s = spin_box(32, 4096, 512, step=64, unit=" px", prefix="#")
    assert isinstance(s, QSpinBox)
    assert (s.minimum(), s.maximum(), s.singleStep(), s.suffix(), s.prefix(), s.value()) == (32, 4096, 64, " px", "#", 512)
    assert spin_box(5, 9).value() == 5  # no value: the minimum, as a bare QSpinBox
    d = number_box(0.05, 19.0, 1.5, step=0.1)
    assert isinstance(d, QDoubleSpinBox)
    assert (d.minimum(), d.maximum(), d.singleStep(), d.decimals(), d.value()) == (0.05, 19.0, 0.1, 2, 1.5)
    t = threshold_box(0.45)
    assert (t.minimum(), t.maximum(), t.singleStep(), t.decimals(), t.value()) == (0.0, 1.0, 0.05, 2, 0.45)
    t.setValue(1.7)
    assert t.value() == 1.0


def test_rows_are_labelled_in_order_and_returned(qtbot):
    box = QGroupBox()
    qtbot.addWidget(box)
    form = Form(box)
    assert box.layout() is form.layout
    steps = form.spin(N_("Steps"), 1, 5000, 300, step=50)
    iou = form.threshold(N_("Suppress IoU ≥"), 0.5)
    custom = QLabel("c1 (cat)")
    c1 = form.threshold(custom, 0.0)
    note = form.note(N_("Uses the style image of the first tab."))
    assert form.layout.rowCount() == 4
    assert [_label_of(form, 0), _label_of(form, 1)] == ["Steps", "Suppress IoU ≥"]
    assert form.layout.itemAt(2, QFormLayout.ItemRole.LabelRole).widget() is custom
    assert form.layout.itemAt(1, QFormLayout.ItemRole.FieldRole).widget() is iou
    assert (steps.value(), iou.value(), c1.value()) == (300, 0.5, 0.0)
    assert note.wordWrap() and note.text() == "Uses the style image of the first tab."


def test_labels_and_tooltips_follow_a_language_switch(qtbot):
    box = QGroupBox()
    qtbot.addWidget(box)
    form = Form(box)
    size = form.spin(N_("Output size"), 32, 4096, 256, unit=" px", tooltip=N_("Steps between preview updates"))
    layer = form.spin(N_("Steps"), 0, 100, unit=" %", tooltip=N_("Weight of {layer} in the style cost J_style"), layer="conv1_1")
    assert layer.toolTip() == "Weight of conv1_1 in the style cost J_style"
    try:
        apply_language("zh_CN", [box])
        zh_size, zh_steps = _("Output size"), _("Steps")
        assert zh_size != "Output size" and zh_steps != "Steps"  # the catalogue has them
        assert [_label_of(form, 0), _label_of(form, 1)] == [zh_size, zh_steps]
        assert size.toolTip() == _("Steps between preview updates") != "Steps between preview updates"
        assert layer.toolTip() == _("Weight of {layer} in the style cost J_style").format(layer="conv1_1")
        assert "conv1_1" in layer.toolTip() and layer.toolTip() != "Weight of conv1_1 in the style cost J_style"
        assert size.suffix() == " px"  # units are the same in every language
    finally:
        apply_language("en", [box])
    assert [_label_of(form, 0), _label_of(form, 1)] == ["Output size", "Steps"]
    assert layer.toolTip() == "Weight of conv1_1 in the style cost J_style"
