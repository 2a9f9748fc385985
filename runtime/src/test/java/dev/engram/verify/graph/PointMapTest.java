package dev.engram.verify.graph;

import dev.engram.model.dag.Conv;
import dev.engram.model.dag.Shape;
import dev.engram.model.dag.Window;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The faster point maps give the same bits as the one-element-at-a-time loop they replace ({@link #reference}, a copy
 * of it): {@link ConvPoints} and {@link ConvBound} on random convolutions (batch, groups, kernel, strides, dilations,
 * asymmetric pads, zero weights), {@link SparseAffine#apply(double[])} on random dense and sparse maps, at points with
 * exact zeros, both signs and several magnitudes.
 */
class PointMapTest {

    @Test
    void convolutionsGiveTheSameBits() {
        Random r = new Random(20211126);
        int strided = 0;
        for (int c = 0; c < 400; c++) {
            Conv conv = randomConv(r);
            AffineOp op = (AffineOp) ConvBound.of(conv);
            double[] x = values(r, conv.input().size());
            double[] expected = reference(op.map, x);
            if (!op.map.dense()) {
                assertBits(expected, new ConvPoints(conv).apply(x), "ConvPoints, case " + c);
                strided++;
            }
            double[] y = values(r, conv.input().size());
            double[][] ys = op.apply(new double[][] {x, y});
            assertBits(expected, ys[0], "ConvBound row 0, case " + c);
            assertBits(reference(op.map, y), ys[1], "ConvBound row 1, case " + c);
        }
        assertEquals(true, strided > 300, "too few sparse cases: " + strided);
    }

    @Test
    void affineMapsGiveTheSameBits() {
        Random r = new Random(7);
        for (int c = 0; c < 300; c++) {
            int out = 1 + r.nextInt(9);
            int fanIn = 1 + r.nextInt(9);
            boolean dense = r.nextBoolean();
            int in = dense ? fanIn : fanIn + r.nextInt(5);
            int[] idx = new int[out * fanIn];
            for (int t = 0; t < idx.length; t++) {
                idx[t] = dense ? t % fanIn : r.nextInt(in);
            }
            double[] w = values(r, idx.length);
            double[] b = r.nextBoolean() ? null : values(r, out);
            SparseAffine map = new SparseAffine(out, fanIn, idx, w, b, fanIn);
            double[] x = values(r, in);
            assertBits(reference(map, x), map.apply(x), "map, case " + c);
            double[][] xs = {x, values(r, in), values(r, in)}; // several points at once: each as alone
            double[][] ys = map.apply(xs);
            for (int q = 0; q < xs.length; q++) {
                assertBits(reference(map, xs[q]), ys[q], "map, case " + c + ", point " + q + " of several");
            }
        }
    }

    /** The point map one element at a time: one sum over the index (a dense row in two alternating sums). */
    private static double[] reference(SparseAffine m, double[] x) {
        boolean dense = true;
        for (int t = 0; t < m.idx.length && dense; t++) {
            dense = m.idx[t] == t % m.fanIn;
        }
        double[] y = new double[m.out];
        for (int e = 0; e < m.out; e++) {
            double s0 = 0;
            double s1 = 0;
            int t = e * m.fanIn;
            int end = t + m.fanIn;
            if (dense) {
                int k = 0;
                for (; t + 1 < end; t += 2, k += 2) {
                    s0 += m.w[t] * x[k];
                    s1 += m.w[t + 1] * x[k + 1];
                }
                if (t < end) {
                    s0 += m.w[t] * x[k];
                }
            } else {
                for (; t < end; t++) {
                    s0 += m.w[t] * x[m.idx[t]];
                }
            }
            y[e] = s0 + s1 + (m.b == null ? 0 : m.b[e]);
        }
        return y;
    }

    private static Conv randomConv(Random r) {
        int group = 1 + r.nextInt(2);
        int cin = group * (1 + r.nextInt(3));
        int cout = group * (1 + r.nextInt(3));
        int batch = 1 + r.nextInt(2);
        int inH = 1 + r.nextInt(7);
        int inW = 1 + r.nextInt(7);
        int dH = 1 + r.nextInt(2);
        int dW = 1 + r.nextInt(2);
        int padT = r.nextInt(3);
        int padB = r.nextInt(3);
        int padL = r.nextInt(3);
        int padR = r.nextInt(3);
        int kH = 1 + r.nextInt(Math.max(1, Math.min(4, (inH + padT + padB - 1) / dH + 1)));
        int kW = 1 + r.nextInt(Math.max(1, Math.min(4, (inW + padL + padR - 1) / dW + 1)));
        int effH = (kH - 1) * dH + 1;
        int effW = (kW - 1) * dW + 1;
        if (effH > inH + padT + padB || effW > inW + padL + padR) {
            kH = 1;
            kW = 1;
            effH = 1;
            effW = 1;
        }
        int sH = 1 + r.nextInt(3);
        int sW = 1 + r.nextInt(3);
        int outH = (inH + padT + padB - effH) / sH + 1;
        int outW = (inW + padL + padR - effW) / sW + 1;
        Window win = new Window(inH, inW, kH, kW, sH, sW, dH, dW, padT, padL, padB, padR, outH, outW, false);
        float[] w = new float[cout * (cin / group) * kH * kW];
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextInt(6) == 0 ? 0f : (float) r.nextGaussian();
        }
        float[] b = null;
        if (r.nextBoolean()) {
            b = new float[cout];
            for (int i = 0; i < cout; i++) {
                b[i] = (float) r.nextGaussian();
            }
        }
        return new Conv(Shape.of(batch, cin, inH, inW), win, group, cout, w, b);
    }

    /** Gaussian values of mixed magnitudes, a third of them exact zeros. */
    private static double[] values(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(3) == 0 ? 0 : r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3);
        }
        return v;
    }

    private static void assertBits(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToRawLongBits(expected[i]) != Double.doubleToRawLongBits(actual[i])) {
                assertEquals(expected[i], actual[i], 0.0, what + " element " + i + " (bits differ)");
                throw new AssertionError(what + " element " + i + ": " + expected[i] + " vs " + actual[i]);
            }
        }
    }
}
