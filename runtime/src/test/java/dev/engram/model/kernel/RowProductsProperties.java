package dev.engram.model.kernel;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * {@link RowProducts#products} (the Vector API kernel in these tests, whose JVM has the module) and its scalar loops
 * against a plain reference written here: for every row and column, the sum over the units in order of
 * {@code z · w} from +0, each product rounded before it is added. Random shapes (1-20 rows, 1-70 columns, 0-60 units
 * of up to 80 weight rows, in increasing order), values of mixed scales and signs with zeros among them, weights with
 * and without the padding after the last row: every entry equal bit for bit.
 */
class RowProductsProperties {

    @Test
    void vectorKernelRuns() {
        assertTrue(Kernels.vector(), "tests run with --add-modules jdk.incubator.vector");
    }

    @Test
    void productsEqualThePlainSums() {
        qt().withExamples(400).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            Case c = Case.random(r);
            double[][] expected = c.reference();
            double[][] kernel = c.zeros();
            RowProducts.products(c.z, c.rows, c.units, c.n, c.w, c.in, kernel);
            double[][] scalar = c.zeros();
            RowProducts.scalar(c.z, c.rows, c.units, c.n, c.w, c.in, scalar, 0, 0);
            for (int k = 0; k < c.rows; k++) {
                for (int i = 0; i < c.in; i++) {
                    String at = "seed " + seed + ", row " + k + ", column " + i;
                    assertEquals(Double.doubleToLongBits(expected[k][i]), Double.doubleToLongBits(kernel[k][i]),
                            at + " (kernel)");
                    assertEquals(Double.doubleToLongBits(expected[k][i]), Double.doubleToLongBits(scalar[k][i]),
                            at + " (scalar)");
                }
            }
        });
    }

    /** One product's inputs: {@code n} units out of {@code out} weight rows of {@code in} columns. */
    private record Case(double[] z, int rows, int[] units, int n, double[] w, int in) {
        static Case random(Random r) {
            int rows = 1 + r.nextInt(20);
            int in = 1 + r.nextInt(70);
            int out = 1 + r.nextInt(80);
            int[] units = new int[out];
            int n = 0;
            double keep = r.nextDouble();
            for (int o = 0; o < out && n < 60; o++) {
                if (r.nextDouble() < keep) {
                    units[n++] = o;
                }
            }
            double[] z = new double[Math.max(1, n) * rows];
            for (int k = 0; k < z.length; k++) {
                z[k] = value(r);
            }
            int pad = r.nextBoolean() ? RowProducts.PAD : r.nextInt(3);
            double[] w = new double[out * in + pad];
            for (int k = 0; k < out * in; k++) {
                w[k] = value(r);
            }
            return new Case(z, rows, units, n, w, in);
        }

        /** Mixed scales and signs, a fifth of them zero. */
        private static double value(Random r) {
            if (r.nextInt(5) == 0) {
                return 0;
            }
            return (r.nextBoolean() ? 1 : -1) * r.nextDouble() * Math.pow(10, r.nextInt(13) - 6);
        }

        double[][] zeros() {
            return new double[rows][in];
        }

        double[][] reference() {
            double[][] p = zeros();
            for (int k = 0; k < rows; k++) {
                for (int i = 0; i < in; i++) {
                    double s = 0;
                    for (int j = 0; j < n; j++) {
                        double t = z[j * rows + k] * w[units[j] * in + i];
                        s = s + t;
                    }
                    p[k][i] = s;
                }
            }
            return p;
        }
    }
}
