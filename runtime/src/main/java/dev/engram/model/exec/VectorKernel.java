package dev.engram.model.exec;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The dense-layer sum kernel on the (incubating) Vector API: samples in lanes, 8 vectors of 8 samples
 * accumulated independently; separate multiply and add (no FMA) so each sample's sum is rounded exactly as in
 * {@link dev.engram.model.DenseNetwork#evaluate}. Used only when the JVM runs with
 * {@code --add-modules jdk.incubator.vector}; otherwise {@link DenseExecutor} uses its scalar kernel.
 */
final class VectorKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;

    private VectorKernel() {
    }

    /** y[o*tile + s] = sum_i w[o*in + i] * x[i*tile + s] for s in [0, 64), tile = 64. */
    static void sums64(float[] w, int in, int out, float[] x, float[] y, int tile) {
        int o0 = 0;
        for (; o0 + 2 <= out; o0 += 2) {
            for (int h = 0; h < 64; h += 32) {
                int wo = o0 * in;
                int wp = wo + in;
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                FloatVector b0 = a0;
                FloatVector b1 = a0;
                FloatVector b2 = a0;
                FloatVector b3 = a0;
                for (int i = 0; i < in; i++) {
                    FloatVector wv = FloatVector.broadcast(S, w[wo + i]);
                    FloatVector vv = FloatVector.broadcast(S, w[wp + i]);
                    int b = i * tile + h;
                    FloatVector x0 = FloatVector.fromArray(S, x, b);
                    FloatVector x1 = FloatVector.fromArray(S, x, b + 8);
                    FloatVector x2 = FloatVector.fromArray(S, x, b + 16);
                    FloatVector x3 = FloatVector.fromArray(S, x, b + 24);
                    a0 = a0.add(wv.mul(x0));
                    a1 = a1.add(wv.mul(x1));
                    a2 = a2.add(wv.mul(x2));
                    a3 = a3.add(wv.mul(x3));
                    b0 = b0.add(vv.mul(x0));
                    b1 = b1.add(vv.mul(x1));
                    b2 = b2.add(vv.mul(x2));
                    b3 = b3.add(vv.mul(x3));
                }
                int yo = o0 * tile + h;
                int yp = yo + tile;
                a0.intoArray(y, yo);
                a1.intoArray(y, yo + 8);
                a2.intoArray(y, yo + 16);
                a3.intoArray(y, yo + 24);
                b0.intoArray(y, yp);
                b1.intoArray(y, yp + 8);
                b2.intoArray(y, yp + 16);
                b3.intoArray(y, yp + 24);
            }
        }
        for (int o = o0; o < out; o++) {
            int wo = o * in;
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            FloatVector a4 = a0;
            FloatVector a5 = a0;
            FloatVector a6 = a0;
            FloatVector a7 = a0;
            for (int i = 0; i < in; i++) {
                FloatVector wv = FloatVector.broadcast(S, w[wo + i]);
                int b = i * tile;
                a0 = a0.add(wv.mul(FloatVector.fromArray(S, x, b)));
                a1 = a1.add(wv.mul(FloatVector.fromArray(S, x, b + 8)));
                a2 = a2.add(wv.mul(FloatVector.fromArray(S, x, b + 16)));
                a3 = a3.add(wv.mul(FloatVector.fromArray(S, x, b + 24)));
                a4 = a4.add(wv.mul(FloatVector.fromArray(S, x, b + 32)));
                a5 = a5.add(wv.mul(FloatVector.fromArray(S, x, b + 40)));
                a6 = a6.add(wv.mul(FloatVector.fromArray(S, x, b + 48)));
                a7 = a7.add(wv.mul(FloatVector.fromArray(S, x, b + 56)));
            }
            int yo = o * tile;
            a0.intoArray(y, yo);
            a1.intoArray(y, yo + 8);
            a2.intoArray(y, yo + 16);
            a3.intoArray(y, yo + 24);
            a4.intoArray(y, yo + 32);
            a5.intoArray(y, yo + 40);
            a6.intoArray(y, yo + 48);
            a7.intoArray(y, yo + 56);
        }
    }
}
