package dev.engram.model.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernels on the (incubating) Vector API. The matrix product is register-blocked as 4 outputs x 4 vectors of
 * columns (x 2 vectors on 256-bit AVX2): per input, the column vectors are loaded once and 4 weights broadcast once,
 * feeding 16 (8) independent accumulators. Columns (samples, or positions x samples) sit in lanes, and each lane
 * accumulates its sum over the inputs in order with a separate multiply and add (no FMA), so every result is rounded
 * exactly as in {@link dev.engram.model.DenseNetwork#evaluate}. Bias and ReLU are applied per block of outputs right
 * after its sums, while they are in L1. Also element-wise helpers (max, add, sigmoid, tanh). Uses the widest species
 * the CPU prefers (512 bits with AVX-512, else 256). Used only when the JVM runs with
 * {@code --add-modules jdk.incubator.vector} ({@link Kernels#vector()}); otherwise the scalar code runs, with the
 * same results.
 */
public final class VectorKernel {
    public static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED.length() >= 16
            ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    /** Lanes per vector. */
    public static final int L = S.length();
    /**
     * Vectors of samples per block: 4 with 512-bit vectors (16 accumulators; AVX-512 has 32 registers), else 2 so
     * that 8 accumulators, 2 inputs and a broadcast fit the 16 registers of AVX2.
     */
    public static final int VB = L >= 16 ? 4 : 2;
    /** Samples handled by one block. */
    public static final int CHUNK = VB * L;
    /** Outputs per block (rows of the packed weights are padded to a multiple of this). */
    public static final int OB = 4;

    /** Epilogue: add the bias only. */
    public static final int ACT_IDENTITY = 0;
    /** Epilogue: add the bias, then {@code v > 0 ? v : 0}. */
    public static final int ACT_RELU = 1;

    private VectorKernel() {
    }

    /** Whether the CPU runs this kernel's species natively (else the Vector API would emulate it slowly). */
    public static boolean nativeWidth() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= S.vectorBitSize();
    }

    /**
     * A matrix product on strided columns, column block by column block (so a block of {@code x} stays in L1 for
     * every output block): for every padded output o and column c in [0, cols),
     * {@code y[yo + o*ys + c] = act(sum_i w[o][i] * x[xo + i*xs + c] + bias[o])} ({@code bias} may be null: no
     * bias), where {@code wp} holds the weights packed as {@code [o/4][i][o%4]} and {@code cols} is a multiple of
     * {@link #CHUNK}. Rows past {@code out} (up to the next multiple of 4) go to {@code tail}
     * ({@code OB * CHUNK} floats), never to {@code y}.
     */
    public static void gemm(float[] wp, float[] bias, int in, int out, float[] x, int xo, int xs, float[] y, int yo,
                            int ys, int cols, int act, float[] tail) {
        int full = out / OB * OB;
        for (int c = 0; c < cols; c += CHUNK) {
            for (int ob = 0; ob < full; ob += OB) {
                int yb = yo + ob * ys + c;
                block(wp, ob * in, in, x, xo + c, xs, y, yb, ys);
                epilogue(bias, ob, y, yb, ys, CHUNK, act);
            }
            if (full < out) {
                block(wp, full * in, in, x, xo + c, xs, tail, 0, CHUNK);
                epilogue(bias, full, tail, 0, CHUNK, CHUNK, act);
                for (int o = full; o < out; o++) {
                    System.arraycopy(tail, (o - full) * CHUNK, y, yo + o * ys + c, CHUNK);
                }
            }
        }
    }

    /** Double lanes for the transcendental functions, and float lanes of the same count. */
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FD = VectorSpecies.of(float.class,
            VectorShape.forBitSize(D.vectorBitSize() / 2));

    /**
     * {@code y[i] = (float) (1 / (1 + exp(-x[i])))} for i in [0, n), in double on the vector unit (the JDK's vector
     * math library; like {@link Math#exp}, within an ulp of the exact double), rounded to float once.
     */
    public static void sigmoid(float[] x, float[] y, int n) {
        DoubleVector one = DoubleVector.broadcast(D, 1.0);
        int step = D.length();
        int i = 0;
        for (; i + step <= n; i += step) {
            DoubleVector v = (DoubleVector) FloatVector.fromArray(FD, x, i).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector r = one.div(one.add(v.neg().lanewise(VectorOperators.EXP)));
            ((FloatVector) r.convertShape(VectorOperators.D2F, FD, 0)).intoArray(y, i);
        }
        for (; i < n; i++) {
            y[i] = (float) (1.0 / (1.0 + Math.exp(-(double) x[i])));
        }
    }

    /** {@code y[i] = (float) tanh(x[i])} for i in [0, n), in double on the vector unit, rounded to float once. */
    public static void tanh(float[] x, float[] y, int n) {
        int step = D.length();
        int i = 0;
        for (; i + step <= n; i += step) {
            DoubleVector v = (DoubleVector) FloatVector.fromArray(FD, x, i).convertShape(VectorOperators.F2D, D, 0);
            ((FloatVector) v.lanewise(VectorOperators.TANH).convertShape(VectorOperators.D2F, FD, 0))
                    .intoArray(y, i);
        }
        for (; i < n; i++) {
            y[i] = (float) Math.tanh(x[i]);
        }
    }

    /** {@code out[o + i] = Math.max(out[o + i], x[xi + i])} for i in [0, n). */
    public static void max(float[] x, int xi, float[] out, int o, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(S, out, o + i).max(FloatVector.fromArray(S, x, xi + i)).intoArray(out, o + i);
        }
        for (; i < n; i++) {
            out[o + i] = Math.max(out[o + i], x[xi + i]);
        }
    }

    /** {@code out[o + i] += x[xi + i]} for i in [0, n). */
    public static void add(float[] x, int xi, float[] out, int o, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(S, out, o + i).add(FloatVector.fromArray(S, x, xi + i)).intoArray(out, o + i);
        }
        for (; i < n; i++) {
            out[o + i] += x[xi + i];
        }
    }

    /** Sums of one block of 4 outputs x {@link #CHUNK} columns into {@code y[yb + r*ys + c]}. */
    private static void block(float[] wp, int wb, int in, float[] x, int xb, int xs, float[] y, int yb, int ys) {
        if (VB == 4) {
            block4(wp, wb, in, x, xb, xs, y, yb, ys);
        } else {
            block2(wp, wb, in, x, xb, xs, y, yb, ys);
        }
    }

    private static void block4(float[] wp, int wb, int in, float[] x, int xb, int xs, float[] y, int yb, int ys) {
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
        for (int i = 0, xi = xb, w = wb; i < in; i++, xi += xs, w += OB) {
            FloatVector x0 = FloatVector.fromArray(S, x, xi);
            FloatVector x1 = FloatVector.fromArray(S, x, xi + L);
            FloatVector x2 = FloatVector.fromArray(S, x, xi + 2 * L);
            FloatVector x3 = FloatVector.fromArray(S, x, xi + 3 * L);
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
        int y0 = yb;
        a00.intoArray(y, y0);
        a01.intoArray(y, y0 + L);
        a02.intoArray(y, y0 + 2 * L);
        a03.intoArray(y, y0 + 3 * L);
        y0 += ys;
        a10.intoArray(y, y0);
        a11.intoArray(y, y0 + L);
        a12.intoArray(y, y0 + 2 * L);
        a13.intoArray(y, y0 + 3 * L);
        y0 += ys;
        a20.intoArray(y, y0);
        a21.intoArray(y, y0 + L);
        a22.intoArray(y, y0 + 2 * L);
        a23.intoArray(y, y0 + 3 * L);
        y0 += ys;
        a30.intoArray(y, y0);
        a31.intoArray(y, y0 + L);
        a32.intoArray(y, y0 + 2 * L);
        a33.intoArray(y, y0 + 3 * L);
    }

    /** As {@link #block4} with 2 vectors of columns (for 16-register AVX2). */
    private static void block2(float[] wp, int wb, int in, float[] x, int xb, int xs, float[] y, int yb, int ys) {
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a01 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        for (int i = 0, xi = xb, w = wb; i < in; i++, xi += xs, w += OB) {
            FloatVector x0 = FloatVector.fromArray(S, x, xi);
            FloatVector x1 = FloatVector.fromArray(S, x, xi + L);
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
        int y0 = yb;
        a00.intoArray(y, y0);
        a01.intoArray(y, y0 + L);
        y0 += ys;
        a10.intoArray(y, y0);
        a11.intoArray(y, y0 + L);
        y0 += ys;
        a20.intoArray(y, y0);
        a21.intoArray(y, y0 + L);
        y0 += ys;
        a30.intoArray(y, y0);
        a31.intoArray(y, y0 + L);
    }

    /**
     * Adds the bias of outputs [ob, ob + 4) (none when {@code bias} is null) to {@code n} columns of their rows
     * {@code y[yb + r*ys + c]}, while they are in L1, and applies ReLU if asked.
     */
    private static void epilogue(float[] bias, int ob, float[] y, int yb, int ys, int n, int act) {
        if (bias == null && act != ACT_RELU) {
            return;
        }
        FloatVector zero = FloatVector.zero(S);
        for (int r = 0; r < OB; r++) {
            FloatVector bv = FloatVector.broadcast(S, bias == null ? 0f : bias[ob + r]);
            int base = yb + r * ys;
            for (int s = 0; s < n; s += L) {
                FloatVector v = FloatVector.fromArray(S, y, base + s);
                if (bias != null) {
                    v = v.add(bv);
                }
                if (act == ACT_RELU) {
                    // v > 0 ? v : 0 per lane, exactly as the reference (NaN and -0 become +0)
                    v = zero.blend(v, v.compare(VectorOperators.GT, 0f));
                }
                v.intoArray(y, base + s);
            }
        }
    }
}
