package dev.engram.model.dag;

/**
 * An operator that is affine in one data argument, element by element: result element {@code e} is
 * {@code scale · Σ_t weight[e·fanIn + t] · x[index[e·fanIn + t]] + bias[e]} (bias null: none), as executed in float32
 * (the sum in some order, then the scale, then the bias). Terms with weight 0 may repeat an index. Read by bound
 * propagation (each operator's float32 evaluation error is bounded from these terms); not used by the executor.
 */
public record LinearTerms(int outSize, int fanIn, int[] index, float[] weight, float scale, float[] bias) {
    public LinearTerms {
        if (index.length != (long) outSize * fanIn || weight.length != index.length
                || (bias != null && bias.length != outSize)) {
            throw new IllegalArgumentException("terms do not match " + outSize + " x " + fanIn);
        }
    }
}
