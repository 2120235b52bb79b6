"""Detection from first principles: sliding windows and a YOLO-style grid detector.

Submodules: :mod:`.anchors` (k-means anchors), :mod:`.grid` (targets and
decoding), :mod:`.model` (the network), :mod:`.train` (training job),
:mod:`.metrics` (mAP), :mod:`.predict` (inference), :mod:`.sliding`
(sliding windows, cropped and convolutional, several window sizes), :mod:`.sandbox`
(hand-placed objects encoded into y for any grid and 1–2 anchors).
"""

__all__: list[str] = []
