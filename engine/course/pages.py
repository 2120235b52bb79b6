"""Each section's page in ConvStudio's own words: the idea, its formulas, and what to try.

Formulas are readable Unicode, not LaTeX. The examples, exercise and errata of a
page come from :mod:`.examples`, :mod:`.exercises` and :mod:`.errata`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..i18n import N_

__all__ = ["Page", "PAGES", "page"]


@dataclass(frozen=True)
class Page:
    """The text of one section: ``idea`` (a few lines, translatable) and ``formulas`` (Unicode, no words)."""

    section: str
    idea: str
    formulas: tuple[str, ...] = field(default_factory=tuple)


PAGES: dict[str, Page] = {p.section: p for p in (
    Page("computer-vision",
         N_("Images are large: a 1000×1000 colour photo is three million numbers. A fully connected layer on it "
            "would need billions of weights, so vision networks use small filters that slide over the image instead."),
         ("1000 × 1000 × 3 = 3 000 000",)),
    Page("edge-detection",
         N_("A 3×3 kernel that is positive on the left and negative on the right answers strongly where brightness "
            "drops from left to right: a vertical edge. Turned by 90° it finds horizontal edges. The sign tells the "
            "direction: light→dark gives a positive response, dark→light a negative one."),
         ("[[1, 0, −1], [1, 0, −1], [1, 0, −1]]",)),
    Page("padding",
         N_("Without padding every layer shrinks the image, and border pixels are read far less often than central "
            "ones. Adding p rings of zeros fixes both. 'Valid' means no padding; 'same' picks p so the output keeps "
            "the input's size."),
         ("o = n + 2p − f + 1", "same: p = (f − 1)/2")),
    Page("stride",
         N_("The stride s is how far the kernel jumps between positions. When the last jump would leave the image, "
            "that position is skipped: hence the floor. Kernels are usually odd-sized, so that same padding is "
            "symmetric and the kernel has a centre pixel."),
         ("o = ⌊(n + 2p − f)/s⌋ + 1",)),
    Page("volumes",
         N_("On a colour image a filter has one kernel per input channel; each step multiplies all f·f·c values and "
            "adds them up to one number. Every filter gives one output channel, so the number of filters sets the "
            "output depth."),
         ("n×n×c * k·(f×f×c) → o×o×k", "3·3·3 = 27")),
    Page("one-layer",
         N_("A layer of a CNN is a convolution, plus one bias per filter, followed by a non-linearity such as ReLU. "
            "Its parameter count depends only on the filters, not on the size of the image."),
         ("a = ReLU(w * x + b)", "#w = (f·f·c_in + 1)·c_out")),
    Page("pooling",
         N_("Pooling summarises each f×f window by its maximum or its mean, moving with stride s. It has "
            "hyper-parameters but nothing to learn, and works on each channel separately. Global average pooling "
            "reduces each whole channel to one number."),
         ("o = ⌊(n − f)/s⌋ + 1", "7×7×1000 → 1×1×1000")),
    Page("why-convolutions",
         N_("Two reasons convolutions need few parameters: the same filter is used at every position (parameter "
            "sharing), and each output depends only on a small window (sparse connections). Most parameters of a "
            "classic CNN sit in its fully connected layers, while the activation size falls layer by layer. "
            "Shifting the input shifts the feature map, and pooling absorbs small shifts."),
         ("3·3 + 1 = 10", "36·16 + 16 = 592")),
    Page("lenet5",
         N_("LeNet-5 reads a 32×32 grey digit: two rounds of 5×5 convolution and 2×2 average pooling, then fully "
            "connected layers of 120 and 84 units and 10 outputs. It has about sixty thousand parameters; it used "
            "sigmoid and tanh, today's versions end in softmax."),
         ("32×32×1 → 28×28×6 → 14×14×6 → 10×10×16 → 5×5×16 = 400 → 120 → 84 → 10",)),
    Page("alexnet",
         N_("AlexNet is LeNet's pattern at ImageNet scale: large first filters (11×11, stride 4), ReLU, max pooling, "
            "and three big fully connected layers, about sixty million parameters. With a 227×227 input the first "
            "layer's arithmetic gives exactly 55×55."),
         ("⌊(227 − 11)/4⌋ + 1 = 55", "⌊(224 − 11)/4⌋ + 1 = 54",
          "227×227×3 → 55×55×96 → 27×27×96 → 27×27×256 → 13×13×256 → 13×13×384 → 13×13×384 → 13×13×256 → 6×6×256 = 9216 → 4096 → 4096 → 1000")),
    Page("vgg16",
         N_("VGG-16 uses one recipe throughout: 3×3 convolutions with stride 1 and same padding, and 2×2 max pools "
            "with stride 2. Each time height and width halve, the channel count doubles, up to 512. Sixteen layers "
            "have weights."),
         ("64 → 128 → 256 → 512 → 512", "#w ≈ 138 000 000")),
    Page("nin",
         N_("Network in Network replaces a plain convolution by an mlpconv block: a convolution followed by two 1×1 "
            "convolutions, each with ReLU, like a small fully connected network applied at every pixel. It ends "
            "with global average pooling instead of fully connected layers."),
         ("f^n = max(w^n·f^(n−1) + b^n, 0)",)),
    Page("resnet",
         N_("Plain networks that are made deeper can train worse, even on the training set: that is degradation, "
            "not overfitting. A residual block adds its input to its output, so it only has to learn a correction; "
            "when the channel counts differ, a 1×1 projection matches them. This makes networks of over a hundred "
            "layers trainable."),
         ("x_(l+1) = x_l + F(x_l, W_l)", "x_(l+1) = W'_l·x_l + F(x_l, W_l)")),
    Page("one-by-one",
         N_("A 1×1 convolution looks at one pixel across all channels: a small fully connected layer at every "
            "position, followed by ReLU. It changes the number of channels without touching height and width."),
         ("28×28×192 * 32 filters of 1×1×192 → 28×28×32", "(1·1·192 + 1)·32 = 6176")),
    Page("inception",
         N_("An Inception module runs 1×1, 3×3 and 5×5 convolutions and a max pool side by side, all with same "
            "padding, and stacks their outputs. A 1×1 bottleneck before the large convolutions (and after the pool) "
            "cuts the cost about tenfold. GoogLeNet also has two auxiliary classifiers used only in training."),
         ("5·5·256·64 = 409 600", "1·1·256·32 + 5·5·32·64 = 59 392")),
    Page("augmentation",
         N_("More training images for free: flip left and right, crop at random, rotate, shear, warp locally, or "
            "shift the colours by adding a value to each channel (+R −G +B turns an image purple)."),
         ("(r, g, b) → (r + Δr, g + Δg, b + Δb)",)),
    Page("localisation",
         N_("Classification with localisation outputs, besides the class, a box around the object. The target y "
            "says whether there is an object, where its box is, and which class it has."),
         ("y = [p_c, b_x, b_y, b_h, b_w, c_1, c_2, c_3]",)),
    Page("sliding-windows",
         N_("The simplest detector crops a window, classifies it, moves it by a stride and repeats, then does it "
            "all again with larger windows. Many windows means many forward passes, which makes it slow."),
         ("k = ⌊(n − w)/s⌋ + 1",)),
    Page("conv-sliding",
         N_("A fully connected layer is a convolution whose kernel covers its whole input. Rewritten that way, the "
            "window classifier runs on a larger image in one pass, and each output cell is the answer for one "
            "window, sharing the work of overlapping windows."),
         ("14×14×3 → 10×10×16 → 5×5×16 → 1×1×400 → 1×1×400 → 1×1×4", "16×16×3 → 2×2×4")),
    Page("bbox-prediction",
         N_("YOLO lays a grid over the image and predicts one y vector per cell. An object belongs to the cell that "
            "contains the centre of its box; box coordinates are given relative to that cell."),
         ("S × S × (5 + K)",)),
    Page("iou",
         N_("Intersection over union measures how well two boxes agree: the area they share divided by the area "
            "they cover together. 1 is a perfect match; 0.5 or more is commonly counted as correct."),
         ("IoU = area(A ∩ B) / area(A ∪ B)",)),
    Page("nms",
         N_("A detector often reports the same object several times. Non-max suppression drops weak boxes (p_c ≤ 0.6), "
            "keeps the highest-scoring one, removes every box whose IoU with it is 0.5 or more (exactly 0.5 included), "
            "and repeats with what is left."),
         ("score = p_c × c_i", "p_c ≤ 0.6 → ✗", "IoU ≥ 0.5 → ✗", "19 × 19 = 361")),
    Page("anchors",
         N_("A cell may hold the centres of two objects. Anchor boxes give each cell several predefined shapes "
            "(e.g. one tall, one wide); each object goes to the anchor whose shape overlaps it best, and y holds one "
            "block of numbers per anchor."),
         ("S × S × B × (5 + K)", "3 × 3 × 2 × 8 = 3 × 3 × 16")),
    Page("face-recognition",
         N_("Verification answers a yes/no question for one claimed identity (1:1). Recognition searches a whole "
            "database of K people and may answer 'nobody known' (1:K), which is much harder to get right."),
         ("d(x1, x2) ≤ τ ⇒ ✓",)),
    Page("one-shot",
         N_("Often there is a single photo of each person. A softmax over everyone would need more data and "
            "retraining whenever someone joins. Instead the network learns how different two faces are, and a "
            "threshold decides."),
         ("d(img1, img2) ≤ τ → ✓", "d(img1, img2) > τ → ✗")),
    Page("siamese",
         N_("The same network, with the same weights, turns each face into 128 numbers f(x). Two faces are compared "
            "by the distance between their encodings; squared and plain distances order pairs the same way, but a "
            "threshold must be converted between them."),
         ("d = ‖f(x1) − f(x2)‖²₂", "τ² = 0.6² = 0.36")),
    Page("triplet",
         N_("Training looks at three images: an anchor, a positive (same person) and a negative (someone else). The "
            "loss is zero once the anchor is closer to the positive than to the negative by at least the margin α."),
         ("L(A, P, N) = max(‖f(A) − f(P)‖² − ‖f(A) − f(N)‖² + α, 0)",)),
    Page("style-transfer",
         N_("Style transfer starts from an image G and changes its pixels by gradient descent, so that it keeps the "
            "content of C and takes on the style of S."),
         ("J(G) = α·J_content(C, G) + β·J_style(S, G)",)),
    Page("content-cost",
         N_("The content cost compares the activations of C and G at one chosen layer: similar activations mean "
            "similar content."),
         ("J_content(C, G) = ½‖a^[l](C) − a^[l](G)‖²",)),
    Page("style-cost",
         N_("Style is captured by how channels fire together: the Gram matrix multiplies every pair of channels and "
            "sums over positions. The style cost compares the Gram matrices of S and G, and adds up several layers."),
         ("G_kk' = Σ_i Σ_j a_ijk · a_ijk'",
          "J_style^[l] = 1/(2·n_H·n_W·n_C)² · Σ_k Σ_k' (G^[l](S)_kk' − G^[l](G)_kk')²",
          "J_style = Σ_l λ_l · J_style^[l]")),
)}


def page(section_id: str) -> Page:
    """The page of a section; raises :class:`~engine.course.sections.UnknownSection`."""
    from .sections import section

    section(section_id)
    return PAGES[section_id]
