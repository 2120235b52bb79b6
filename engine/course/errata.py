"""Where the course note is wrong: what it says, what is right, and an example that shows it.

Each erratum sits on the page of the section whose text contains it; ``quotes`` are the
note's exact words at that place (a few characters each, so the location can be checked
against the note), ``says`` and ``correct`` are our own words.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_

__all__ = ["Erratum", "ERRATA", "errata_for"]


@dataclass(frozen=True)
class Erratum:
    """One correction: ``says`` (the note's claim, in our words), ``correct`` (the right statement),
    ``example_id`` (an example that computes it, or "" when the point is a matter of wording),
    ``quotes`` (the note's own words where it occurs) and ``typo`` (a slip of spelling or a lost symbol)."""

    section: str
    says: str
    correct: str
    example_id: str = ""
    quotes: tuple[str, ...] = ()
    typo: bool = False


ERRATA: tuple[Erratum, ...] = (
    Erratum("padding",
            N_("The padded 8×8 image is convolved with “a 3×3 image”."),
            N_("It is convolved with a 3×3 filter (kernel); the result is 6×6, the size of the original image."),
            "padding-6x6", ("如果你用3×3的图像对这个8×8的图像卷积",)),
    Erratum("padding",
            N_("Padding the border “with pixels” has lost how many pixels."),
            N_("The border is padded with p pixels, so the output is (n + 2p − f + 1) × (n + 2p − f + 1)."),
            "padding-6x6", ("用个像素填充边缘",), typo=True),
    Erratum("padding",
            N_("Typo: “第二个缺点时”."),
            N_("Read “第二个缺点是” (the second drawback is)."),
            "", ("第二个缺点时",), typo=True),
    Erratum("stride",
            N_("The kernel slides one column to the left at each step."),
            N_("It starts at the top-left corner and moves to the right, one column at a time with stride 1 (s columns with stride s), then down."),
            "stride-7x7", ("每次往左滑动一列",)),
    Erratum("stride",
            N_("A stride of 2 halves the output."),
            N_("Only roughly: the formula has a floor. A 6×6 input with a 3×3 kernel, stride 2 and no padding gives 2×2, not 3×3."),
            "stride-6x6-valid", ("步幅为2，输出就是输入的1/2",)),
    Erratum("pooling",
            N_("The max-pooling window is called a “树池” (a garbled word)."),
            N_("It is the pooling window (filter) of 2×2, moved with stride 2."),
            "pool-max-4x4", ("执行最大池化的树池是一个2×2矩阵",), typo=True),
    Erratum("why-convolutions",
            N_("The first activation size in the table is 6000."),
            N_("6000 matches no layer shown; a 28×28×8 layer (not shown in the note) would have 6,272 values."),
            "activation-sizes-lenet-like", ("激活值尺寸在第一层为6000",)),
    Erratum("why-convolutions",
            N_("“任影响”: a character is missing."),
            N_("Read “任何影响” (any influence): the other pixels have no influence on that output."),
            "sharing-6x6-3x3", ("不会对输出产生任影响",), typo=True),
    Erratum("lenet5",
            N_("The size goes from 14 to 14 down to 10×10, and the 400 nodes each have 120 neurons."),
            N_("The map goes from 14×14 to 10×10. The 400 values feed one fully connected layer of 120 units, then one of 84."),
            "lenet5-params", ("从14到14缩小到了10×10", "有400个节点，每个节点有120个神经元")),
    Erratum("lenet5",
            N_("One more node is added to predict the result, which has 10 possible values."),
            N_("The output is a layer of 10 units, one per digit (softmax in today's version), fully connected to the 84 units before it."),
            "lenet5-params", ("我们还可以在这里再加一个节点用来预测结果",)),
    Erratum("alexnet",
            N_("After the second convolution the volume is 27×27×276."),
            N_("It is 27×27×256: the second convolution has 256 filters."),
            "alexnet-paper-shapes", ("27×27×276",)),
    Erratum("vgg16",
            N_("VGG-16's drawback is a huge number of features to train."),
            N_("What is huge is the number of parameters to train: about 138 million."),
            "vgg16-params", ("需要训练的特征数量非常巨大",)),
    Erratum("nin",
            N_("The mlpconv formula repeats w¹ and x_ij on every line."),
            N_("Each layer reads the one before: f^n = max(w^n·f^(n−1) + b^n, 0)."),
            "nin-imagenet-gap", ("max({w^1_{k_n}}^Tx_{i,j}+b_{k_n},0)",)),
    Erratum("nin",
            N_("Typo: “1*1卷积网路”."),
            N_("Read “1×1 卷积网络” (network)."),
            "", ("1*1卷积网路",), typo=True),
    Erratum("resnet",
            N_("Citing the data-processing inequality, layer l+1 is said to gain information about the image."),
            N_("The inequality says layer l+1 can hold at most what layer l holds about the image; the identity path lets it keep all of it."),
            "resnet50-projections", ("层包含更多的图像信息",)),
    Erratum("resnet",
            N_("Typos: “不同层直接的思想”, “反应在图中”."),
            N_("Read “不同层之间” (between layers) and “反映在图中” (shown in the figure)."),
            "", ("连接网络不同层直接的思想", "反应在图中"), typo=True),
    Erratum("resnet",
            N_("The projection shortcut is written h(x_l) = W′_l·x."),
            N_("It acts on the block's input: h(x_l) = W′_l·x_l, a 1×1 convolution that matches the number of channels."),
            "resnet50-projections", ("h%28x_l%29+%3D+W%27_lx",)),
    Erratum("one-by-one",
            N_("“36 numbers” multiply the 1×1 slice, and a fully connected layer is applied at “32 positions”."),
            N_("The two numbers are swapped: the filter's 32 numbers (one per channel) multiply each 1×1×32 slice, and the same small fully connected layer is applied at each of the 36 positions of the 6×6 grid."),
            "one-by-one-6x6x32", ("用这36个数字乘以这个输入层上1×1切片", "对这32个不同的位置都应用一个全连接层")),
    Erratum("one-by-one",
            N_("With several filters the output is “6×6 number of filters”."),
            N_("The output is 6×6×#filters: one 6×6 map per filter, stacked."),
            "one-by-one-6x6x32", ("输出结果是6×6过滤器数量",), typo=True),
    Erratum("one-by-one",
            N_("The symbol for the number of filters is missing (“标记为，”)."),
            N_("The number of filters is written n_C^[l+1]."),
            "", ("过滤器数量标记为，",), typo=True),
    Erratum("one-by-one",
            N_("The Network in Network paper is credited to 林敏, 陈强 and 杨学成."),
            N_("Its authors are Min Lin, Qiang Chen and Shuicheng Yan (颜水成)."),
            "", ("林敏、陈强和杨学成",)),
    Erratum("inception",
            N_("Typo: softmadx."),
            N_("Read: softmax."),
            "", ("softmadx",), typo=True),
    Erratum("augmentation",
            N_("Less red with more green and blue makes the picture yellowish."),
            N_("Less red with more green and blue gives a cyan (blue-green) cast; a yellow cast needs more red and green with less blue."),
            "colour-shift-manual", ("这就使得图片偏黄一点",)),
    Erratum("iou",
            N_("Typos: loU, 并交比."),
            N_("Read: IoU, 交并比."),
            "", ("**loU**就是1", "并交比函数"), typo=True),
    Erratum("nms",
            N_("Typo: loU."),
            N_("Read: IoU."),
            "", ("其他**loU**值很高的矩形",), typo=True),
    Erratum("face-recognition",
            N_("Typo: Verfication."),
            N_("Read: Verification."),
            "", ("Verfication",), typo=True),
    Erratum("siamese",
            N_("The distance d is called the norm of the difference of the two encodings."),
            N_("The formula is the squared norm, d = ‖f(x⁽¹⁾) − f(x⁽²⁾)‖²₂: a distance of 0.5 gives d = 0.25, and a threshold of 0.6 on the norm is 0.36 on d."),
            "siamese-squared-distance", ("两幅图片的编码之差的范数",)),
    Erratum("triplet",
            N_("The margin is written as the letter a."),
            N_("The margin is α (alpha): L = max(‖f(A)−f(P)‖² − ‖f(A)−f(N)‖² + α, 0)."),
            "triplet-loss", ("+ a ,0)",)),
    Erratum("triplet",
            N_("Typo: Postive."),
            N_("Read: Positive."),
            "", ("**Postive**",), typo=True),
    Erratum("style-transfer",
            N_("J_content = (C,G) and J_style = (C,G)."),
            N_("These are malformed: J_content(C, G) compares the content image with G, and J_style(S, G) compares the style image S with G."),
            "style-total-cost", ("J_{content} = (C,G)", "J_{style} = (C,G)")),
    Erratum("style-transfer",
            N_("“Two hyperparameters 和来来 set” the weights: α and β have dropped out."),
            N_("The two hyperparameters α and β weight the content cost and the style cost: J(G) = α·J_content(C, G) + β·J_style(S, G)."),
            "style-total-cost", ("用两个超参数和来来确定",), typo=True),
    Erratum("style-cost",
            N_("The style cost is written without a square on the Gram difference, without the sum over layers, and the Gram matrix is never defined."),
            N_("G_kk' = Σ_i Σ_j a_ijk·a_ijk'; J_style^[l] = 1/(2·n_H·n_W·n_C)² · Σ_k Σ_k' (G(S)_kk' − G(G)_kk')²; J_style = Σ_l λ_l·J_style^[l]."),
            "gram-2-channels", ("（G_{kk^{,}}^{[l][s]}-G_{kk^{,}}^{[l][G]}）",)),
)


def errata_for(section_id: str) -> list[Erratum]:
    """The errata of one section."""
    return [e for e in ERRATA if e.section == section_id]
