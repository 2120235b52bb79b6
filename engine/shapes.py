"""Tensor shapes as people read them: in the course's H×W×C order or PyTorch's C×H×W.

PyTorch stores an image batch as N×C×H×W; the course writes one image as
H×W×C (55×55×96). Every shape the app prints says which order it is in:

    format_shape((96, 55, 55))                  # '55×55×96 (H×W×C)'
    format_shape((96, 55, 55), order="chw")     # '96×55×55 (C×H×W)'
    format_batch_shape((1, 96, 55, 55))         # '1×55×55×96 (N×H×W×C)'

Shapes that are not images (a flattened vector of 9216, a 2-D matrix) are
printed as they are, without an order label.
"""

from __future__ import annotations

from typing import Literal, Sequence

from .i18n import _

__all__ = [
    "ShapeOrder",
    "SHAPE_ORDERS",
    "DEFAULT_ORDER",
    "CLI_DEFAULT_ORDER",
    "check_order",
    "reorder",
    "order_label",
    "format_shape",
    "format_batch_shape",
    "reorder_batch",
    "set_display_order",
    "display_order",
]

#: ``"hwc"``: the course's order (height, width, channels); ``"chw"``: PyTorch's.
ShapeOrder = Literal["hwc", "chw"]
SHAPE_ORDERS: tuple[str, ...] = ("hwc", "chw")
#: What the app teaches in (the note's order).
DEFAULT_ORDER: ShapeOrder = "hwc"
#: What the command line prints by default (PyTorch's: its users write scripts).
CLI_DEFAULT_ORDER: ShapeOrder = "chw"


_display_order: ShapeOrder = DEFAULT_ORDER


def set_display_order(order: str) -> ShapeOrder:
    """Make ``order`` the one :func:`format_shape` uses when none is given (the app's *Shape notation*)."""
    global _display_order
    _display_order = check_order(order)
    return _display_order


def display_order() -> ShapeOrder:
    """The order shapes are shown in when none is given (H×W×C unless the user chose C×H×W)."""
    return _display_order


def check_order(order: str) -> ShapeOrder:
    """``order`` lower-cased if it is ``"hwc"`` or ``"chw"``; raises ``ValueError`` otherwise."""
    o = str(order).strip().lower()
    if o not in SHAPE_ORDERS:
        raise ValueError(_("unknown shape order '{order}'; choose hwc or chw").format(order=order))
    return o  # type: ignore[return-value]


def reorder(shape: Sequence[int], order: str = "hwc", source: str = "chw") -> tuple[int, ...]:
    """A 3-axis image shape moved from ``source`` order to ``order``; other ranks are returned unchanged."""
    order, source = check_order(order), check_order(source)
    s = tuple(int(v) for v in shape)
    if len(s) != 3 or order == source:
        return s
    if source == "chw":  # C,H,W -> H,W,C
        return (s[1], s[2], s[0])
    return (s[2], s[0], s[1])  # H,W,C -> C,H,W


def reorder_batch(shape: Sequence[int], order: str = "hwc", source: str = "chw") -> tuple[int, ...]:
    """A 4-axis batch shape (N first) moved from ``source`` order to ``order``; other ranks unchanged."""
    s = tuple(int(v) for v in shape)
    if len(s) != 4:
        return s
    return (s[0], *reorder(s[1:], order, source))


def order_label(order: str, batch: bool = False) -> str:
    """``"H×W×C"`` or ``"C×H×W"`` (with ``"N×"`` in front for a batch)."""
    body = "H×W×C" if check_order(order) == "hwc" else "C×H×W"
    return ("N×" + body) if batch else body


def _join(s: Sequence[int]) -> str:
    return "×".join(str(int(v)) for v in s)


def format_shape(shape: Sequence[int] | None, order: str | None = None, source: str = "chw", label: bool = True) -> str:
    """One image's shape as text in ``order``, labelled: ``(96, 55, 55)`` → ``"55×55×96 (H×W×C)"``.

    ``order`` defaults to :func:`display_order` (the app's *Shape notation* setting).
    ``source`` is the order ``shape`` is given in (PyTorch's ``"chw"`` by default).
    Ranks other than 3 (a flattened 9216, a 2-D matrix) print plain, with no label;
    ``None`` gives ``""``, an empty shape ``"scalar"``. ``label=False`` drops the ``(H×W×C)``.
    """
    if shape is None:
        return ""
    s = tuple(int(v) for v in shape)
    if not s:
        return _("scalar")
    if len(s) != 3:
        return _join(s)
    order = order or _display_order
    text = _join(reorder(s, order, source))
    return _("{shape} ({order})").format(shape=text, order=order_label(order)) if label else text


def format_batch_shape(shape: Sequence[int] | None, order: str | None = None, source: str = "chw", label: bool = True) -> str:
    """A batch shape (N first) as text: ``(1, 96, 55, 55)`` → ``"1×55×55×96 (N×H×W×C)"``; other ranks as :func:`format_shape`."""
    if shape is None:
        return ""
    s = tuple(int(v) for v in shape)
    if len(s) != 4:
        return format_shape(s, order, source, label)
    order = order or _display_order
    text = _join(reorder_batch(s, order, source))
    return _("{shape} ({order})").format(shape=text, order=order_label(order, batch=True)) if label else text
