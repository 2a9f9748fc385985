package dev.engram.model.dag;

/**
 * Stage: a constant added (or subtracted) per output channel right after a convolution or a dense product without a
 * bias becomes that operator's bias. Exact: the sum is rounded, then the constant added, in both forms
 * ({@code x - c} is {@code x + (-c)} in IEEE arithmetic).
 */
public final class FoldBias {

    private FoldBias() {
    }

    public static Dag apply(Dag dag) {
        return Folding.apply(dag, FoldBias::fold);
    }

    private static Op fold(Op producer, Op consumer) {
        if (!(consumer instanceof Add || consumer instanceof Sub) || ((Binary) consumer).constantFirst()) {
            return null;
        }
        float[] per = ((Binary) consumer).constantPerElement();
        if (per == null || !consumer.shape().equals(producer.shape())) {
            return null;
        }
        if (consumer instanceof Sub) {
            for (int i = 0; i < per.length; i++) {
                per[i] = -per[i];
            }
        }
        if (producer instanceof Conv conv && conv.bias() == null) {
            float[] bias = Folding.perChannel(per, conv.shape(), false);
            return bias == null ? null : conv.with(null, bias);
        }
        Product p = producer instanceof ProductOp op ? op.product : null;
        if (p == null || !p.foldable() || p.columnBias() != null) {
            return null;
        }
        float[] bias = Folding.perChannel(per, producer.shape(), true);
        if (bias == null) {
            return null;
        }
        Product q = p.withColumns(null, bias);
        return ((ProductOp) producer).with(q);
    }
}
