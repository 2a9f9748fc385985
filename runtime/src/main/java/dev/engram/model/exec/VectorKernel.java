package dev.engram.model.exec;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The dense-layer kernel on the (incubating) Vector API, register-blocked as 4 outputs x 4 vectors of samples
 * (x 2 vectors on 256-bit AVX2): per input, the sample vectors are loaded once and 4 weights broadcast once,
 * feeding 16 (8) independent accumulators.
 * Samples sit in lanes, and each lane accumulates its sum over the inputs in order with a separate multiply and
 * add (no FMA), so every sample's result is rounded exactly as in {@link dev.engram.model.DenseNetwork#evaluate}.
 * Bias and ReLU are applied per output block right after its sums, while they are still in L1. Uses the widest species the CPU prefers (512 bits with AVX-512, else
 * 256). Used only when the JVM runs with {@code --add-modules jdk.incubator.vector}; otherwise
 * {@link DenseExecutor} uses its scalar kernel.
 */
final class VectorKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED.length() >= 16
            ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    /** Lanes per vector. */
    static final int L = S.length();
    /**
     * Vectors of samples per block: 4 with 512-bit vectors (16 accumulators; AVX-512 has 32 registers), else 2 so
     * that 8 accumulators, 2 inputs and a broadcast fit the 16 registers of AVX2.
     */
    static final int VB = L >= 16 ? 4 : 2;
    /** Samples handled by one block. */
    static final int CHUNK = VB * L;
    /** Outputs per block (rows of the packed weights are padded to a multiple of this). */
    static final int OB = 4;

    /** Epilogue: add the bias only. */
    static final int ACT_IDENTITY = 0;
    /** Epilogue: add the bias, then {@code v > 0 ? v : 0}. */
    static final int ACT_RELU = 1;

    private VectorKernel() {
    }

    /** Whether the CPU runs this kernel's species natively (else the Vector API would emulate it slowly). */
    static boolean nativeWidth() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= S.vectorBitSize();
    }

    /**
     * One layer on one tile: for every padded output o and sample s in [0, tile),
     * {@code y[o*tile + s] = act(sum_i w[o][i] * x[i*tile + s] + bias[o])}, where {@code wp} holds the weights packed
     * as {@code [o/4][i][o%4]} and {@code tile} is a multiple of {@link #CHUNK}.
     */
    static void layer(float[] wp, float[] bias, int in, int outPad, float[] x, float[] y, int tile, int act) {
        for (int ob = 0; ob < outPad; ob += OB) {
            int wb = ob * in;
            for (int s = 0; s < tile; s += CHUNK) {
                if (VB == 4) {
                    block(wp, wb, ob, in, x, y, tile, s);
                } else {
                    block2(wp, wb, ob, in, x, y, tile, s);
                }
            }
            epilogue(bias, ob, y, tile, act);
        }
    }

    private static void block(float[] wp, int wb, int ob, int in, float[] x, float[] y, int tile, int s) {
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = a00;
        FloatVector a02 = a00;
        FloatVector a03 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a12 = a00;
        FloatVector a13 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a22 = a00;
        FloatVector a23 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        FloatVector a32 = a00;
        FloatVector a33 = a00;
        for (int i = 0, xb = s, w = wb; i < in; i++, xb += tile, w += OB) {
            FloatVector x0 = FloatVector.fromArray(S, x, xb);
            FloatVector x1 = FloatVector.fromArray(S, x, xb + L);
            FloatVector x2 = FloatVector.fromArray(S, x, xb + 2 * L);
            FloatVector x3 = FloatVector.fromArray(S, x, xb + 3 * L);
            FloatVector w0 = FloatVector.broadcast(S, wp[w]);
            a00 = a00.add(w0.mul(x0));
            a01 = a01.add(w0.mul(x1));
            a02 = a02.add(w0.mul(x2));
            a03 = a03.add(w0.mul(x3));
            FloatVector w1 = FloatVector.broadcast(S, wp[w + 1]);
            a10 = a10.add(w1.mul(x0));
            a11 = a11.add(w1.mul(x1));
            a12 = a12.add(w1.mul(x2));
            a13 = a13.add(w1.mul(x3));
            FloatVector w2 = FloatVector.broadcast(S, wp[w + 2]);
            a20 = a20.add(w2.mul(x0));
            a21 = a21.add(w2.mul(x1));
            a22 = a22.add(w2.mul(x2));
            a23 = a23.add(w2.mul(x3));
            FloatVector w3 = FloatVector.broadcast(S, wp[w + 3]);
            a30 = a30.add(w3.mul(x0));
            a31 = a31.add(w3.mul(x1));
            a32 = a32.add(w3.mul(x2));
            a33 = a33.add(w3.mul(x3));
        }
        // raw sums only: keeping this method small lets C2 inline every vector operation (nothing is boxed)
        int y0 = ob * tile + s;
        a00.intoArray(y, y0);
        a01.intoArray(y, y0 + L);
        a02.intoArray(y, y0 + 2 * L);
        a03.intoArray(y, y0 + 3 * L);
        y0 += tile;
        a10.intoArray(y, y0);
        a11.intoArray(y, y0 + L);
        a12.intoArray(y, y0 + 2 * L);
        a13.intoArray(y, y0 + 3 * L);
        y0 += tile;
        a20.intoArray(y, y0);
        a21.intoArray(y, y0 + L);
        a22.intoArray(y, y0 + 2 * L);
        a23.intoArray(y, y0 + 3 * L);
        y0 += tile;
        a30.intoArray(y, y0);
        a31.intoArray(y, y0 + L);
        a32.intoArray(y, y0 + 2 * L);
        a33.intoArray(y, y0 + 3 * L);
    }

    /** As {@link #block} with 2 vectors of samples (for 16-register AVX2). */
    private static void block2(float[] wp, int wb, int ob, int in, float[] x, float[] y, int tile, int s) {
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        for (int i = 0, xb = s, w = wb; i < in; i++, xb += tile, w += OB) {
            FloatVector x0 = FloatVector.fromArray(S, x, xb);
            FloatVector x1 = FloatVector.fromArray(S, x, xb + L);
            FloatVector w0 = FloatVector.broadcast(S, wp[w]);
            a00 = a00.add(w0.mul(x0));
            a01 = a01.add(w0.mul(x1));
            FloatVector w1 = FloatVector.broadcast(S, wp[w + 1]);
            a10 = a10.add(w1.mul(x0));
            a11 = a11.add(w1.mul(x1));
            FloatVector w2 = FloatVector.broadcast(S, wp[w + 2]);
            a20 = a20.add(w2.mul(x0));
            a21 = a21.add(w2.mul(x1));
            FloatVector w3 = FloatVector.broadcast(S, wp[w + 3]);
            a30 = a30.add(w3.mul(x0));
            a31 = a31.add(w3.mul(x1));
        }
        int y0 = ob * tile + s;
        a00.intoArray(y, y0);
        a01.intoArray(y, y0 + L);
        y0 += tile;
        a10.intoArray(y, y0);
        a11.intoArray(y, y0 + L);
        y0 += tile;
        a20.intoArray(y, y0);
        a21.intoArray(y, y0 + L);
        y0 += tile;
        a30.intoArray(y, y0);
        a31.intoArray(y, y0 + L);
    }

    /** Adds the bias to rows [ob, ob + 4) of {@code y} (while they are in L1) and applies ReLU if asked. */
    private static void epilogue(float[] bias, int ob, float[] y, int tile, int act) {
        FloatVector zero = FloatVector.zero(S);
        for (int o = ob; o < ob + OB; o++) {
            FloatVector bv = FloatVector.broadcast(S, bias[o]);
            int base = o * tile;
            for (int s = 0; s < tile; s += L) {
                FloatVector v = FloatVector.fromArray(S, y, base + s).add(bv);
                if (act == ACT_RELU) {
                    // v > 0 ? v : 0 per lane, exactly as the reference (NaN and -0 become +0)
                    v = zero.blend(v, v.compare(VectorOperators.GT, 0f));
                }
                v.intoArray(y, base + s);
            }
        }
    }
}
