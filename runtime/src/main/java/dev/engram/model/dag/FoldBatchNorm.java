package dev.engram.model.dag;

/**
 * Stage: a {@link BatchNorm} right after a convolution (or a 2-D dense product with a constant weight) is folded into
 * it, with the formula of ONNX Runtime's Conv+BatchNormalization fusion. Not exact in float32: the folded layer
 * rounds differently from the two layers (by about one unit in the last place per product), as ONNX Runtime's
 * fused model does.
 */
public final class FoldBatchNorm {

    private FoldBatchNorm() {
    }

    public static Dag apply(Dag dag) {
        return Folding.apply(dag, FoldBatchNorm::fold);
    }

    private static Op fold(Op producer, Op consumer) {
        if (!(consumer instanceof BatchNorm bn)) {
            return null;
        }
        float[] s = bn.foldScale();
        if (producer instanceof Conv conv) {
            return conv.with(s, bn.foldBias(conv.bias(), s));
        }
        Product p = producer instanceof ProductOp op ? op.product : null;
        if (p == null || !p.foldable() || producer.shape().rank() != 2) {
            return null;
        }
        Product q = p.withColumns(s, bn.foldBias(p.columnBias(), s));
        return ((ProductOp) producer).with(q);
    }
}
