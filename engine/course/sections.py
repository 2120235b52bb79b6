"""The course's sections in the note's order, grouped in its four parts.

Chinese titles are the note's own headings (facts); English titles are ours.
``map_title`` is the section's name in the course map (``MAP.md``), so the map
and the course data can be checked against each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_, _, join_list

__all__ = ["Part", "Section", "PARTS", "SECTIONS", "section", "section_ids", "sections_of", "UnknownSection"]


class UnknownSection(KeyError):
    """No section has this id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown section"


@dataclass(frozen=True)
class Part:
    """One of the note's four parts."""

    id: str
    title_zh: str
    title_en: str

    @property
    def shown_zh(self) -> str:
        """The Chinese title the interface shows (the note's own)."""
        return self.title_zh


@dataclass(frozen=True)
class Section:
    """One course section: ``id`` (stable), ``part`` (a :class:`Part` id), titles, map name and order.

    ``note_heading`` is the heading of the note the section's material sits under
    (several sections share "经典网络"; two continue an earlier heading).
    """

    id: str
    part: str
    title_zh: str
    title_en: str
    map_title: str
    order: int = 0
    note_heading: str = ""

    @property
    def shown_zh(self) -> str:
        """The Chinese title the interface shows: the note's heading, or its Chinese where the note keeps the English term."""
        return _SHOWN_ZH.get(self.id, self.title_zh)


PARTS: tuple[Part, ...] = (
    Part("basics", "卷积神经网络基础", N_("Convolution basics")),
    Part("deep", "深度卷积网络", N_("Deep convolutional networks")),
    Part("detection", "目标检测", N_("Object detection")),
    Part("faces-style", "特殊应用：人脸识别和神经风格转换", N_("Special applications: face recognition and neural style transfer")),
)

_ROWS: tuple[tuple[str, str, str, str, str], ...] = (
    # id, part, Chinese title, English title, name in the map
    ("computer-vision", "basics", "计算机视觉介绍", N_("Computer vision"), "计算机视觉介绍"),
    ("edge-detection", "basics", "边缘检测", N_("Edge detection"), "边缘检测"),
    ("padding", "basics", "Padding", N_("Padding"), "Padding"),
    ("stride", "basics", "卷积步长", N_("Strided convolutions"), "卷积步长"),
    ("volumes", "basics", "三维卷积", N_("Convolutions over volumes"), "三维卷积"),
    ("one-layer", "basics", "三维卷积：单层卷积网络", N_("One layer of a convolutional network"), "三维卷积 (end)"),
    ("pooling", "basics", "池化层", N_("Pooling layers"), "池化层"),
    ("why-convolutions", "basics", "池化层：为什么使用卷积", N_("Why convolutions"), "池化层 (why convolutions)"),
    ("lenet5", "deep", "LeNet-5", N_("LeNet-5"), "LeNet-5"),
    ("alexnet", "deep", "AlexNet", N_("AlexNet"), "AlexNet"),
    ("vgg16", "deep", "VGG-16", N_("VGG-16"), "VGG-16"),
    ("nin", "deep", "NiN", N_("Network in Network"), "NiN"),
    ("resnet", "deep", "残差网络", N_("Residual networks"), "残差网络"),
    ("one-by-one", "deep", "1 x 1 卷积", N_("1×1 convolutions"), "1 x 1 卷积"),
    ("inception", "deep", "Inception网络", N_("Inception networks"), "Inception网络"),
    ("augmentation", "deep", "数据增强", N_("Data augmentation"), "数据增强"),
    ("localisation", "detection", "目标检测", N_("Classification with localisation"), "目标检测 (intro)"),
    ("sliding-windows", "detection", "基于滑动窗口的目标检测算法", N_("Sliding-window detection"), "基于滑动窗口的目标检测算法"),
    ("conv-sliding", "detection", "滑动窗口的卷积实现", N_("Sliding windows as convolutions"), "滑动窗口的卷积实现"),
    ("bbox-prediction", "detection", "Bounding Box预测", N_("Bounding box prediction"), "Bounding Box预测"),
    ("iou", "detection", "交并比", N_("Intersection over union"), "交并比"),
    ("nms", "detection", "非极大值抑制", N_("Non-max suppression"), "非极大值抑制"),
    ("anchors", "detection", "Anchor Boxes", N_("Anchor boxes"), "Anchor Boxes"),
    ("face-recognition", "faces-style", "什么是人脸识别", N_("What face recognition is"), "什么是人脸识别"),
    ("one-shot", "faces-style", "One-Shot学习", N_("One-shot learning"), "One-Shot学习"),
    ("siamese", "faces-style", "Siamese 网络", N_("Siamese networks"), "Siamese 网络"),
    ("triplet", "faces-style", "Triplet 损失", N_("Triplet loss"), "Triplet 损失"),
    ("style-transfer", "faces-style", "神经风格迁移", N_("Neural style transfer"), "神经风格迁移"),
    ("content-cost", "faces-style", "内容代价函数", N_("Content cost"), "内容代价函数"),
    ("style-cost", "faces-style", "风格代价函数", N_("Style cost"), "风格代价函数"),
)

# the Chinese the interface shows where the note titles a section with the English term
_SHOWN_ZH = {"padding": "填充", "one-by-one": "1×1 卷积", "bbox-prediction": "边界框预测", "anchors": "锚框", "one-shot": "一次学习", "triplet": "三元组损失"}

# the note's own headings where they differ from the section's title
_HEADINGS = {
    "stride": "卷积步长（Strided convolutions）", "one-layer": "三维卷积", "why-convolutions": "池化层",
    "lenet5": "经典网络", "alexnet": "经典网络", "vgg16": "经典网络", "nin": "经典网络",
    "resnet": "残差网络(ResNets)", "nms": "非极大值抑制（Non-max suppression）",
}

#: Every section in the note's order.
SECTIONS: tuple[Section, ...] = tuple(
    Section(*row, order=i, note_heading=_HEADINGS.get(row[0], row[2])) for i, row in enumerate(_ROWS))
_BY_ID = {s.id: s for s in SECTIONS}


def section_ids() -> list[str]:
    """Section ids in course order."""
    return [s.id for s in SECTIONS]


def section(section_id: str) -> Section:
    """The section with this id; raises :class:`UnknownSection` naming the known ids."""
    try:
        return _BY_ID[section_id]
    except KeyError:
        raise UnknownSection(_("unknown section '{id}'; known: {known}").format(id=section_id, known=join_list(_BY_ID))) from None


def sections_of(part_id: str) -> list[Section]:
    """The sections of one part, in order."""
    return [s for s in SECTIONS if s.part == part_id]
