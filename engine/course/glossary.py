"""The course's terms, English ↔ Chinese (as the note uses them), with a search."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..i18n import N_, _

__all__ = ["GlossaryEntry", "GLOSSARY", "search_glossary", "lookup"]


@dataclass(frozen=True)
class GlossaryEntry:
    """One term: ``en`` (English), ``zh`` (the note's Chinese), ``note`` (a short remark, may be empty)."""

    en: str
    zh: str
    note: str = ""

    @property
    def zh_text(self) -> str:
        """The Chinese as shown to a reader: the note's forms joined with full-width marks (、；（）), not ASCII ones."""
        text = self.zh.replace(", ", "、").replace("; ", "；")
        return re.sub(r"\s*\(([^)]*)\)", r"（\1）", text)


GLOSSARY: tuple[GlossaryEntry, ...] = (
    GlossaryEntry("convolution", "卷积"),
    GlossaryEntry("kernel", "卷积核"),
    GlossaryEntry("filter", "过滤器 / 滤波器", N_("The note uses both words; a filter is a stack of kernels, one per input channel.")),
    GlossaryEntry("padding", "填充 (Padding)"),
    GlossaryEntry("valid / same convolution", "Valid 卷积 / Same 卷积"),
    GlossaryEntry("stride", "步长 / 步幅"),
    GlossaryEntry("channel", "通道"),
    GlossaryEntry("feature map", "特征图"),
    GlossaryEntry("pooling, max pooling, average pooling", "池化, 最大池化, 平均池化"),
    GlossaryEntry("global average pooling", "全局平均池化"),
    GlossaryEntry("parameter sharing", "参数共享"),
    GlossaryEntry("sparse connections", "稀疏连接"),
    GlossaryEntry("translation invariance", "平移不变"),
    GlossaryEntry("fully connected layer", "全连接层"),
    GlossaryEntry("activation", "激活值"),
    GlossaryEntry("residual network, residual block", "残差网络, 残差块"),
    GlossaryEntry("skip connection", "跳跃连接"),
    GlossaryEntry("degradation", "退化"),
    GlossaryEntry("vanishing / exploding gradients", "梯度消失 / 梯度爆炸"),
    GlossaryEntry("bottleneck (1×1)", "瓶颈层 (1×1 卷积)"),
    GlossaryEntry("data augmentation", "数据增强 / 数据扩充"),
    GlossaryEntry("mirroring, random cropping, colour shifting", "镜像对称, 随机裁剪, 色彩转换"),
    GlossaryEntry("object detection, localisation", "目标检测, 定位"),
    GlossaryEntry("sliding window", "滑动窗口"),
    GlossaryEntry("bounding box", "边界框"),
    GlossaryEntry("intersection over union (IoU)", "交并比"),
    GlossaryEntry("non-max suppression (NMS)", "非极大值抑制"),
    GlossaryEntry("anchor box", "锚框 (anchor box)"),
    GlossaryEntry("face verification / recognition", "人脸验证 / 人脸识别"),
    GlossaryEntry("one-shot learning", "一次学习 (One-Shot 学习)"),
    GlossaryEntry("similarity function", "相似度函数"),
    GlossaryEntry("Siamese network", "Siamese 网络 (孪生网络)"),
    GlossaryEntry("triplet loss; anchor, positive, negative", "三元组损失; Anchor, Positive, Negative"),
    GlossaryEntry("neural style transfer", "神经风格迁移"),
    GlossaryEntry("content cost, style cost", "内容代价函数, 风格代价函数"),
    GlossaryEntry("Gram matrix", "Gram 矩阵 (格拉姆矩阵)"),
)


def search_glossary(text: str) -> list[GlossaryEntry]:
    """Entries whose English, Chinese or note contains ``text`` (case-insensitive; empty text: all).

    Exact matches of a whole term come first.
    """
    q = text.strip().casefold()
    if not q:
        return list(GLOSSARY)
    hits = []
    for e in GLOSSARY:
        fields = (e.en.casefold(), e.zh.casefold(), e.note.casefold(), _(e.note).casefold() if e.note else "")
        if any(q in f for f in fields):
            terms = [t.strip() for f in fields[:2] for t in f.replace(";", ",").replace("/", ",").split(",")]
            hits.append((0 if q in terms else 1, e))
    return [e for _rank, e in sorted(hits, key=lambda h: h[0])]


def lookup(term: str) -> GlossaryEntry | None:
    """The entry naming ``term`` exactly (English or Chinese, one of its comma/slash-separated forms), or None."""
    q = term.strip().casefold()
    for e in GLOSSARY:
        forms = [t.strip().casefold() for f in (e.en, e.zh) for t in f.replace(";", ",").replace("/", ",").split(",")]
        if q in forms or q in (e.en.casefold(), e.zh.casefold()):
            return e
    return None
