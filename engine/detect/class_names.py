"""Object class names in the reader's language, for what the app draws and lists.

Detectors name their classes in English (torchvision's COCO categories, OpenCV's cascades,
the grid detector's shapes). These are the names the catalogue translates; a name it does
not know (a user's own model) is shown as the model gives it.
"""

from __future__ import annotations

from ..i18n import N_, _

__all__ = ["KNOWN_CLASS_NAMES", "display_class_name"]

#: every class name the shipped detectors use, marked for translation
KNOWN_CLASS_NAMES: frozenset[str] = frozenset((
    # COCO (torchvision's detectors)
    N_("person"), N_("bicycle"), N_("car"), N_("motorcycle"), N_("airplane"), N_("bus"), N_("train"), N_("truck"),
    N_("boat"), N_("traffic light"), N_("fire hydrant"), N_("stop sign"), N_("parking meter"), N_("bench"), N_("bird"),
    N_("cat"), N_("dog"), N_("horse"), N_("sheep"), N_("cow"), N_("elephant"), N_("bear"), N_("zebra"), N_("giraffe"),
    N_("backpack"), N_("umbrella"), N_("handbag"), N_("tie"), N_("suitcase"), N_("frisbee"), N_("skis"), N_("snowboard"),
    N_("sports ball"), N_("kite"), N_("baseball bat"), N_("baseball glove"), N_("skateboard"), N_("surfboard"),
    N_("tennis racket"), N_("bottle"), N_("wine glass"), N_("cup"), N_("fork"), N_("knife"), N_("spoon"), N_("bowl"),
    N_("banana"), N_("apple"), N_("sandwich"), N_("orange"), N_("broccoli"), N_("carrot"), N_("hot dog"), N_("pizza"),
    N_("donut"), N_("cake"), N_("chair"), N_("couch"), N_("potted plant"), N_("bed"), N_("dining table"), N_("toilet"),
    N_("tv"), N_("laptop"), N_("mouse"), N_("remote"), N_("keyboard"), N_("cell phone"), N_("microwave"), N_("oven"),
    N_("toaster"), N_("sink"), N_("refrigerator"), N_("book"), N_("clock"), N_("vase"), N_("scissors"),
    N_("teddy bear"), N_("hair drier"), N_("toothbrush"),
    # OpenCV's cascades
    N_("face"), N_("upper body"), N_("cat face"),
    # the grid detector's shapes (engine.scenes)
    N_("circle"), N_("square"), N_("triangle"),
))


def display_class_name(name: str) -> str:
    """``name`` in the current language when it is one of :data:`KNOWN_CLASS_NAMES`, else unchanged."""
    return _(name) if name in KNOWN_CLASS_NAMES else name
