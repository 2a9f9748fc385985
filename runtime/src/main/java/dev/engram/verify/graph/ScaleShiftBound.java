package dev.engram.verify.graph;

import dev.engram.model.dag.Add;
import dev.engram.model.dag.Binary;
import dev.engram.model.dag.Div;
import dev.engram.model.dag.Mul;
import dev.engram.model.dag.Sub;

/**
 * {@code Add}, {@code Sub}, {@code Mul}, {@code Div} with a constant operand (broadcast): {@code x ± c}, {@code c − x},
 * {@code x · c}, {@code x / c}, each one float32 operation: error {@code u·|v| + τ}, bounded here by the sum rule with
 * one term ({@code γ_3(|w||x| + |b|) + 6τ}). {@code c / x} is not affine and is refused. Weights {@code 1/c} are not
 * exact in double; their rounding is within the double slack.
 */
final class ScaleShiftBound extends AffineOp {
    private final String type;

    private ScaleShiftBound(String type, SparseAffine map) {
        super(map);
        this.type = type;
    }

    static BoundOp of(Binary op) {
        float[] c = op.constant();
        int n = op.shape().size();
        int[] idx = new int[n];
        double[] w = new double[n];
        double[] b = new double[n];
        for (int f = 0; f < n; f++) {
            idx[f] = op.operandElement(0, f);
            double cf = c[op.operandElement(1, f)];
            if (op instanceof Add) {
                w[f] = 1;
                b[f] = cf;
            } else if (op instanceof Sub) {
                w[f] = op.constantFirst() ? -1 : 1;
                b[f] = op.constantFirst() ? cf : -cf;
            } else if (op instanceof Mul) {
                w[f] = cf;
            } else if (op instanceof Div && !op.constantFirst() && cf != 0 && Double.isFinite(1 / cf)) {
                w[f] = 1 / cf;
            } else {
                throw new IllegalArgumentException(op.type() + (op.constantFirst() ? " of a constant by data" : "")
                        + " has no bounds" + (op instanceof Div ? " (not affine, or a division by 0)" : ""));
            }
        }
        return new ScaleShiftBound(op.type(), new SparseAffine(n, 1, idx, w, b, 1));
    }

    @Override
    public String type() {
        return type;
    }
}
