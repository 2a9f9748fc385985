package dev.engram.dict;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The dictionary's statistics are mergeable: any chunking of the rows, merged in any order (as separate machines
 * would), gives the one-pass statistics, which equal the textbook two-pass definitions computed independently here;
 * the co-moment kernel rounds identically with and without the Vector API; and the layer taps equal the reference
 * evaluation layer by layer.
 */
class LayerMomentsProperties {

    /** Rows with a large common offset (the case naive sums of squares get wrong) and ReLU-like zeros. */
    static float[][] rows(Random r, int n, int d) {
        float[][] x = new float[n][d];
        double offset = 1000 * r.nextGaussian();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = r.nextInt(3) == 0 ? 0f : (float) (offset + r.nextGaussian() * (1 + j));
            }
        }
        return x;
    }

    /** Concept labels: positive, negative, or unknown (-1) for some rows. */
    static byte[][] masks(Random r, int concepts, int n) {
        byte[][] m = new byte[concepts][n];
        for (int c = 0; c < concepts; c++) {
            for (int i = 0; i < n; i++) {
                m[c][i] = (byte) (r.nextInt(5) == 0 ? -1 : r.nextInt(c + 2) == 0 ? 1 : 0);
            }
        }
        return m;
    }

    @Test
    void mergedAcrossRandomChunkingsEqualsOnePassAndTheTwoPassDefinition() {
        qt().withExamples(150).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int n = 1 + r.nextInt(600);
            int d = 1 + r.nextInt(40);
            int k = r.nextInt(3);
            float[][] x = rows(r, n, d);
            byte[][] m = masks(r, k, n);
            LayerMoments one = new LayerMoments(d, k);
            one.add(x, n, m);
            // random chunks, accumulated on separate "workers", merged in a random tree order
            List<LayerMoments> parts = new ArrayList<>();
            int at = 0;
            while (at < n) {
                int len = 1 + r.nextInt(Math.max(1, n / 3));
                len = Math.min(len, n - at);
                LayerMoments p = new LayerMoments(d, k);
                int sub = 1 + r.nextInt(len);
                for (int s = at; s < at + len; s += sub) {
                    int e = Math.min(at + len, s + sub);
                    p.add(slice(x, s, e), e - s, slice(m, s, e));
                }
                parts.add(p);
                at += len;
            }
            while (parts.size() > 1) {
                int i = r.nextInt(parts.size() - 1);
                LayerMoments a = parts.remove(i);
                LayerMoments b = parts.remove(i);
                a.merge(b);
                parts.add(r.nextInt(parts.size() + 1), a);
            }
            LayerMoments merged = parts.get(0);
            assertClose(one, merged);
            assertClose(twoPass(x, m, d), merged);
        });
    }

    @Test
    void theVectorKernelRoundsExactlyAsTheScalarLoop() {
        assertTrue(Gram.VECTOR, "compiler tests run with --add-modules jdk.incubator.vector");
        qt().withExamples(60).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int k = 1 + r.nextInt(Gram.BLOCK);
            int d = 1 + r.nextInt(70);
            float[][] x = rows(r, k, d);
            float[] flat = new float[k * d];
            for (int i = 0; i < k; i++) {
                System.arraycopy(x[i], 0, flat, i * d, d);
            }
            double[] mean = new double[d];
            for (int j = 0; j < d; j++) {
                mean[j] = x[r.nextInt(k)][j];
            }
            Gram vector = new Gram(d, true);
            Gram scalar = new Gram(d, false);
            double[] v = vector.centred(flat, 0, k, mean);
            double[] s = scalar.centred(flat, 0, k, mean);
            for (int i = 0; i < d; i++) {
                for (int j = i; j < d; j++) {
                    assertEquals(s[i * scalar.stride() + j], v[i * vector.stride() + j], 0.0, i + "," + j);
                }
            }
        });
    }

    @Test
    void tapsEqualTheReferenceEvaluation() {
        qt().withExamples(50).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            DenseNetwork net = net(r, 1 + r.nextInt(9));
            LayerTaps taps = new LayerTaps(net);
            float[][] x = rows(r, 1 + r.nextInt(80), net.inputSize());
            float[][][] acts = taps.run(x, x.length, taps.depth());
            for (int i = 0; i < x.length; i++) {
                float[] cur = x[i];
                for (int l = 0; l < net.layers().size(); l++) {
                    cur = new DenseNetwork(List.of(net.layers().get(l))).evaluate(cur);
                    assertArrayEquals(cur, acts[l + 1][i]);
                }
                assertArrayEquals(net.evaluate(x[i]), acts[taps.depth()][i]);
            }
            assertArrayEquals(acts[taps.depth()][0], taps.runFrom(1, new float[][] {acts[1][0]})[0]);
        });
    }

    static DenseNetwork net(Random r, int in) {
        List<DenseLayer> layers = new ArrayList<>();
        int prev = in;
        int hidden = 1 + r.nextInt(3);
        for (int l = 0; l <= hidden; l++) {
            int width = l == hidden ? 1 + r.nextInt(5) : 2 + r.nextInt(12);
            float[][] w = new float[width][prev];
            float[] b = new float[width];
            for (int o = 0; o < width; o++) {
                for (int i = 0; i < prev; i++) {
                    w[o][i] = (float) (r.nextGaussian() / Math.sqrt(prev));
                }
                b[o] = (float) (0.2 * r.nextGaussian());
            }
            layers.add(DenseLayer.of("l" + l, w, b, l == hidden ? Activation.IDENTITY : Activation.RELU));
            prev = width;
        }
        return new DenseNetwork(layers);
    }

    private static LayerMoments twoPass(float[][] x, byte[][] m, int d) {
        int n = x.length;
        double[] mean = new double[d];
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / (double) n;
            }
        }
        double[] c = new double[d * d];
        for (float[] row : x) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    c[i * d + j] += (row[i] - mean[i]) * (row[j] - mean[j]);
                }
            }
        }
        long[][] count = new long[2][m.length];
        double[][][] means = new double[2][m.length][d];
        for (int k = 0; k < m.length; k++) {
            for (int i = 0; i < n; i++) {
                int cls = m[k][i] == 1 ? 0 : m[k][i] == 0 ? 1 : -1;
                if (cls >= 0) {
                    count[cls][k]++;
                    for (int j = 0; j < d; j++) {
                        means[cls][k][j] += x[i][j];
                    }
                }
            }
            for (int cls = 0; cls < 2; cls++) {
                for (int j = 0; j < d && count[cls][k] > 0; j++) {
                    means[cls][k][j] /= count[cls][k];
                }
            }
        }
        return LayerMoments.of(n, mean, c, count[0], means[0], count[1], means[1]);
    }

    private static void assertClose(LayerMoments want, LayerMoments got) {
        assertEquals(want.count(), got.count());
        double scale = 1;
        for (double v : want.mean()) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertArrayEquals(want.mean(), got.mean(), 1e-10 * scale);
        double[] a = want.coMoment();
        double[] b = got.coMoment();
        double big = 1;
        for (double v : a) {
            big = Math.max(big, Math.abs(v));
        }
        assertArrayEquals(a, b, 1e-8 * big);
        for (int c = 0; c < want.concepts(); c++) {
            assertEquals(want.positives(c), got.positives(c));
            assertEquals(want.negatives(c), got.negatives(c));
            assertArrayEquals(want.positiveMean(c), got.positiveMean(c), 1e-10 * scale);
            assertArrayEquals(want.negativeMean(c), got.negativeMean(c), 1e-8 * scale);
        }
    }

    private static float[][] slice(float[][] x, int from, int to) {
        return java.util.Arrays.copyOfRange(x, from, to);
    }

    private static byte[][] slice(byte[][] m, int from, int to) {
        byte[][] out = new byte[m.length][];
        for (int c = 0; c < m.length; c++) {
            out[c] = java.util.Arrays.copyOfRange(m[c], from, to);
        }
        return out;
    }
}
