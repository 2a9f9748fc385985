package dev.engram.verify.graph;

import dev.engram.model.dag.LinearTerms;
import dev.engram.model.dag.ProductOp;

/**
 * {@code Gemm} and {@code MatMul} with one constant operand: {@code v = alpha · Σ_k w·x + C}. Float32 error: a dot
 * product of length K, the scale and the bias, {@code γ_{K+2}(Σ|alpha·w||x| + |C|) + (2K+4)τ} in any order (Higham
 * Lemma 3.1; a fused multiply-add only removes roundings). A product of two data operands is refused.
 */
final class GemmBound extends AffineOp {
    private final String type;

    private GemmBound(String type, SparseAffine map) {
        super(map);
        this.type = type;
    }

    static BoundOp of(ProductOp op) {
        LinearTerms t = op.linearTerms();
        if (t == null) {
            throw new IllegalArgumentException(op.type() + " of two data operands has no bounds yet");
        }
        return new GemmBound(op.type(), SparseAffine.of(t));
    }

    @Override
    public String type() {
        return type;
    }
}
