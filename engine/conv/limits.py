"""How large the convolution lab's hand-traced examples may be (arithmetic has no limit)."""

from __future__ import annotations

__all__ = ["MAX_CHANNELS", "MAX_KERNEL", "MAX_STRIDE", "MAX_LAB_INPUT", "PHOTO_CHANNELS"]

#: Input channels a traced example may have: 32 runs the course's 6×6×32 * 1×1×32 example.
MAX_CHANNELS = 32
#: Largest kernel side: 11 is AlexNet's first layer.
MAX_KERNEL = 11
#: Largest stride in the lab (AlexNet's first layer uses 4).
MAX_STRIDE = 5
#: Largest input side the lab traces step by step.
MAX_LAB_INPUT = 32
#: The photo-crop input has grey (1) or RGB (3) channels only.
PHOTO_CHANNELS = (1, 3)
