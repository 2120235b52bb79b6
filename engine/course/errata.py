"""Where the course note is wrong: what it says, what is right, and an example that shows it."""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_

__all__ = ["Erratum", "ERRATA", "errata_for"]


@dataclass(frozen=True)
class Erratum:
    """One correction: ``says`` (the note's claim, in our words), ``correct`` (the right statement),
    ``example_id`` (an example that computes it, or "" when the point is a matter of notation)."""

    section: str
    says: str
    correct: str
    example_id: str = ""


ERRATA: tuple[Erratum, ...] = (
    Erratum("stride",
            N_("A stride of 2 halves the output."),
            N_("Only roughly: the formula has a floor. A 6×6 input with a 3×3 kernel, stride 2 and no padding gives 2×2, not 3×3."),
            "stride-6x6-valid"),
    Erratum("lenet5",
            N_("The size goes from 14 to 14 down to 10×10, and the 400 nodes each have 120 neurons."),
            N_("The map goes from 14×14 to 10×10. The 400 values feed one fully connected layer of 120 units, then one of 84."),
            "lenet5-params"),
    Erratum("alexnet",
            N_("After the second convolution the volume is 27×27×276."),
            N_("It is 27×27×256: the second convolution has 256 filters."),
            "alexnet-paper-shapes"),
    Erratum("nin",
            N_("The mlpconv formula repeats w¹ and x_ij on every line; the authors are misnamed."),
            N_("Each layer reads the one before: f^n = max(w^n·f^(n−1) + b^n, 0). The paper is by Min Lin, Qiang Chen and Shuicheng Yan (颜水成)."),
            "nin-imagenet-gap"),
    Erratum("resnet",
            N_("Citing the data-processing inequality, layer l+1 is said to gain information about the image."),
            N_("The inequality says layer l+1 can hold at most what layer l holds about the image; the identity path lets it keep all of it."),
            "resnet50-projections"),
    Erratum("pooling",
            N_("Average pooling of the same 4×4 grid gives [[3.75, 1.25], [4, 2]]."),
            N_("The lower-left average is 4 only if that window's 3 reads 4, as on the lecture's average-pooling slide, whose grid differs in that one cell. With the max-pooling grid it is (1 + 3 + 5 + 6)/4 = 3.75: the result is [[3.75, 1.25], [3.75, 2]]."),
            "pool-avg-4x4"),
    Erratum("why-convolutions",
            N_("The first activation size in the table is 6000."),
            N_("6000 matches no layer shown; a 28×28×8 layer (not shown in the note) would have 6,272 values."),
            "activation-sizes-lenet-like"),
    Erratum("style-transfer",
            N_("J_content = (C,G) and J_style = (C,G)."),
            N_("These are malformed: J_content(C, G) compares the content image with G, and J_style(S, G) compares the style image S with G."),
            "style-total-cost"),
    Erratum("style-cost",
            N_("The style cost is written without a square on the Gram difference, without the sum over layers, and the Gram matrix is never defined."),
            N_("G_kk' = Σ_i Σ_j a_ijk·a_ijk'; J_style^[l] = 1/(2·n_H·n_W·n_C)² · Σ_k Σ_k' (G(S)_kk' − G(G)_kk')²; J_style = Σ_l λ_l·J_style^[l]."),
            "gram-2-channels"),
    Erratum("triplet",
            N_("The margin is written as the letter a."),
            N_("The margin is α (alpha): L = max(‖f(A)−f(P)‖² − ‖f(A)−f(N)‖² + α, 0)."),
            "triplet-loss"),
    Erratum("iou",
            N_("Typos: softmadx, Verfication, Postive, loU, 并交比."),
            N_("Read: softmax, Verification, Positive, IoU, 交并比."),
            "iou-two-boxes"),
)


def errata_for(section_id: str) -> list[Erratum]:
    """The errata of one section."""
    return [e for e in ERRATA if e.section == section_id]
