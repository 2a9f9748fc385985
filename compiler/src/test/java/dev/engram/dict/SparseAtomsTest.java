package dev.engram.dict;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Unsupervised atoms recover a planted sparse, nonnegative dictionary: rows made of one or two of {@code k} random
 * unit atoms with positive weights plus small noise give back every planted atom (cosine above 0.95), reconstruct
 * most of the energy, and learning is deterministic; an atom is named by the concept its codes separate best.
 */
class SparseAtomsTest {

    @Test
    void recoversPlantedAtoms() {
        for (long seed = 1; seed <= 5; seed++) {
            Random r = new Random(seed);
            int k = 6;
            int d = 24;
            double[][] planted = new double[k][d];
            for (double[] p : planted) {
                for (int i = 0; i < d; i++) {
                    p[i] = r.nextGaussian();
                }
                double n = Math.sqrt(SparseAtoms.dot(p, p));
                for (int i = 0; i < d; i++) {
                    p[i] /= n;
                }
            }
            double[][] x = new double[1500][d];
            for (double[] row : x) {
                int uses = 1 + r.nextInt(2);
                for (int u = 0; u < uses; u++) {
                    double[] p = planted[r.nextInt(k)];
                    double w = 1 + 2 * r.nextDouble();
                    for (int i = 0; i < d; i++) {
                        row[i] += w * p[i];
                    }
                }
                for (int i = 0; i < d; i++) {
                    row[i] += 0.02 * r.nextGaussian();
                }
            }
            double[][] atoms = SparseAtoms.learn(x, k, 2, 7);
            for (int p = 0; p < k; p++) {
                double best = 0;
                for (double[] a : atoms) {
                    best = Math.max(best, SparseAtoms.dot(a, planted[p]));
                }
                assertTrue(best > 0.95, "seed " + seed + ": planted atom " + p + " best cosine " + best);
            }
            double ex = SparseAtoms.explained(atoms, x, 2);
            assertTrue(ex > 0.95, "seed " + seed + ": explained " + ex);
            double[][] again = SparseAtoms.learn(x, k, 2, 7);
            for (int j = 0; j < k; j++) {
                assertArrayEquals(atoms[j], again[j], 0.0);
            }
        }
    }

    @Test
    void namesEachAtomByTheConceptItsCodesSeparate() {
        Random r = new Random(11);
        int d = 16;
        double[][] planted = new double[4][d];
        for (int p = 0; p < 4; p++) {
            planted[p][4 * p] = 0.8;
            planted[p][4 * p + 1] = 0.6;
        }
        float[][] fit = new float[1200][d];
        float[][] held = new float[400][d];
        byte[][] labels = new byte[2][held.length];
        for (int set = 0; set < 2; set++) {
            float[][] rows = set == 0 ? fit : held;
            for (int i = 0; i < rows.length; i++) {
                int p = r.nextInt(4);
                for (int u = 0; u < d; u++) {
                    rows[i][u] = (float) (1 + (1 + r.nextDouble()) * planted[p][u] + 0.01 * r.nextGaussian());
                }
                if (set == 1) {
                    labels[0][i] = (byte) (p == 2 ? 1 : 0);
                    labels[1][i] = (byte) (p == 3 ? 1 : p == 0 ? 0 : -1);
                }
            }
        }
        double[] mean = new double[d];
        for (float[] row : fit) {
            for (int u = 0; u < d; u++) {
                mean[u] += row[u] / fit.length;
            }
        }
        Dictionary.Atoms a = SparseAtoms.describe(0, 1, fit, held, mean, java.util.List.of("two", "three"), labels, 4,
                1, 3);
        assertEquals(4, a.atoms().size());
        assertTrue(a.explained() > 0.5, "explained " + a.explained());
        int named2 = 0;
        int named3 = 0;
        for (Dictionary.Atom t : a.atoms()) {
            assertEquals(1.0, Math.sqrt(SparseAtoms.dot(t.direction(), t.direction())), 1e-9);
            assertTrue(t.usage() >= 0 && t.usage() <= 1);
            double c2 = cosine(t.direction(), planted[2], mean);
            double c3 = cosine(t.direction(), planted[3], mean);
            if (t.concept().equals("two") && t.auc() > 0.99) {
                named2++;
                assertTrue(c2 > c3, "the atom named 'two' points at planted atom 2");
            }
            if (t.concept().equals("three") && t.auc() > 0.99) {
                named3++;
            }
        }
        assertTrue(named2 >= 1 && named3 >= 1, a.toString());
    }

    /** The cosine between an atom and a planted pattern centred like the rows were. */
    private static double cosine(double[] atom, double[] planted, double[] mean) {
        double[] v = new double[planted.length];
        double mp = 0;
        for (int u = 0; u < v.length; u++) {
            mp += planted[u] / v.length;
        }
        for (int u = 0; u < v.length; u++) {
            v[u] = planted[u] - mp;
        }
        return SparseAtoms.dot(atom, v) / Math.sqrt(SparseAtoms.dot(v, v));
    }
}
