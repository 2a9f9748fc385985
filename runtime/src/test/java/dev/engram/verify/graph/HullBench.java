package dev.engram.verify.graph;

import dev.engram.model.Models;
import dev.engram.verify.Box;
import dev.engram.verify.bounds.Deadline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Prototype (no float32 terms): Frank-Wolfe over input-space hull facets of a first ReLU layer. Args: net spec rows. */
public final class HullBench {
    public static void main(String[] args) throws Exception {
        GraphBounds g = GraphBounds.of(Models.load(Path.of(args[0])).dag());
        Box box = EranLpBench.box(g, Path.of(args[1]));
        List<double[]> rows = ConvOracleBench.rows(Files.readString(Path.of(args[1])), g.outputSize());
        GraphBounds.Ranges r = g.ranges(box, 3, 2, Deadline.NONE);
        int reluOp = -1;
        for (int k = 0; k < g.ops().size(); k++) {
            if (g.ops().get(k) instanceof ReluBound) {
                reluOp = k;
                break;
            }
        }
        int hv = reluOp + 1;
        int zv = g.dag().nodes().get(reluOp).arg(0);
        SparseAffine m = ((AffineOp) g.ops().get(zv - 1)).map;
        double kappa = Double.parseDouble(System.getProperty("kappa", "4"));
        int iters = Integer.parseInt(System.getProperty("iters", "200"));
        for (String c : args[2].split(",")) {
            double[] row = rows.get(Integer.parseInt(c));
            double[][][] coef = new double[g.dag().valueCount()][][];
            coef[g.dag().valueCount() - 1] = new double[][] {row.clone()};
            Backward pb = new Backward(1);
            g.descend(r, coef, g.dag().valueCount() - 1, hv + 1, pb);
            double[] lam = coef[hv][0];
            long t0 = System.nanoTime();
            double b = new Fw(m, r.values()[0], r.values()[zv], lam, pb.constant[0], kappa).run(iters);
            System.out.printf("row %s: FW hull bound %.4f (%.2f s)%n", c, b, (System.nanoTime() - t0) / 1e9);
        }
    }

    static final class Fw {
        final SparseAffine m;
        final double[] lo, hi, zl, zu, lam;
        final double c0, kappa;
        final int n, fan;
        final double[][] cw; // per neuron: coefficients on its fan-in inputs
        final double[] cc;

        Fw(SparseAffine m, Range x, Range z, double[] lam, double c0, double kappa) {
            this.m = m;
            lo = x.lo();
            hi = x.hi();
            zl = z.lo();
            zu = z.hi();
            this.lam = lam;
            this.c0 = c0;
            this.kappa = kappa;
            n = m.out;
            fan = m.fanIn;
            cw = new double[n][fan];
            cc = new double[n];
            for (int e = 0; e < n; e++) {
                double l = zl[e], u = zu[e];
                double s;
                double t = 0;
                if (l >= 0) {
                    s = 1;
                } else if (u <= 0) {
                    s = 0;
                } else if (lam[e] >= 0) {
                    s = u >= -l ? 1 : 0;
                } else {
                    s = u / (u - l);
                    t = -s * l;
                }
                for (int k = 0; k < fan; k++) {
                    cw[e][k] = s * m.w[e * fan + k];
                }
                cc[e] = t + s * (m.b == null ? 0 : m.b[e]);
            }
        }

        double[] gradient(double[][] w, double[] c, double[] constOut) {
            double[] gx = new double[lo.length];
            double k = c0;
            for (int e = 0; e < n; e++) {
                if (lam[e] == 0) {
                    continue;
                }
                for (int t = 0; t < fan; t++) {
                    gx[m.idx[e * fan + t]] += lam[e] * w[e][t];
                }
                k += lam[e] * c[e];
            }
            constOut[0] = k;
            return gx;
        }

        double bound(double[] gx, double k) {
            double s = k;
            for (int i = 0; i < gx.length; i++) {
                s += gx[i] > 0 ? gx[i] * lo[i] : gx[i] * hi[i];
            }
            return s;
        }

        double run(int iters) {
            double[] k = new double[1];
            double[] gx = gradient(cw, cc, k);
            double best = bound(gx, k[0]);
            System.out.printf("  start %.4f%n", best);
            double[][] aw = new double[n][fan];
            double[] ac = new double[n];
            for (int it = 0; it < iters; it++) {
                double[] p = new double[lo.length];
                for (int i = 0; i < p.length; i++) {
                    p[i] = 0.5 - 0.5 * Math.tanh(kappa * gx[i] * (hi[i] - lo[i]));
                }
                atoms(p, aw, ac);
                double[] k1 = new double[1];
                double[] g1 = gradient(aw, ac, k1);
                double a = 0, bb = 1;
                for (int s = 0; s < 40; s++) {
                    double m1 = a + (bb - a) / 3, m2 = bb - (bb - a) / 3;
                    if (mix(gx, k[0], g1, k1[0], m1) < mix(gx, k[0], g1, k1[0], m2)) {
                        a = m1;
                    } else {
                        bb = m2;
                    }
                }
                double gam = (a + bb) / 2;
                if (mix(gx, k[0], g1, k1[0], 1) > mix(gx, k[0], g1, k1[0], gam)) {
                    gam = 1;
                }
                for (int e = 0; e < n; e++) {
                    for (int t = 0; t < fan; t++) {
                        cw[e][t] = (1 - gam) * cw[e][t] + gam * aw[e][t];
                    }
                    cc[e] = (1 - gam) * cc[e] + gam * ac[e];
                }
                gx = gradient(cw, cc, k);
                best = bound(gx, k[0]);
                if (it % 20 == 0 || it == iters - 1) {
                    System.out.printf("  it %d gamma %.4f bound %.4f%n", it, gam, best);
                }
            }
            return best;
        }

        double mix(double[] g0, double k0, double[] g1, double k1, double gam) {
            double s = (1 - gam) * k0 + gam * k1;
            for (int i = 0; i < g0.length; i++) {
                double gi = (1 - gam) * g0[i] + gam * g1[i];
                s += gi > 0 ? gi * lo[i] : gi * hi[i];
            }
            return s;
        }

        void atoms(double[] p, double[][] aw, double[] ac) {
            Integer[] order = new Integer[fan];
            double[] tt = new double[fan];
            for (int e = 0; e < n; e++) {
                double l = zl[e], u = zu[e];
                java.util.Arrays.fill(aw[e], 0);
                double b = m.b == null ? 0 : m.b[e];
                if (l >= 0 || (u > 0 && lam[e] >= 0 && zAt(e, p) > 0)) {
                    for (int t = 0; t < fan; t++) {
                        aw[e][t] = m.w[e * fan + t];
                    }
                    ac[e] = b;
                    continue;
                }
                if (u <= 0 || lam[e] >= 0) {
                    ac[e] = 0;
                    continue;
                }
                // upper: Lovász facet, order by oriented position descending
                double z0 = b;
                for (int t = 0; t < fan; t++) {
                    double w = m.w[e * fan + t];
                    int i = m.idx[e * fan + t];
                    z0 += w * (w > 0 ? lo[i] : hi[i]);
                    tt[t] = w > 0 ? p[i] : 1 - p[i];
                    order[t] = t;
                }
                java.util.Arrays.sort(order, (x, y) -> Double.compare(tt[y], tt[x]));
                double prev = Math.max(0, z0);
                double konst = prev;
                double s = z0;
                for (int q = 0; q < fan; q++) {
                    int t = order[q];
                    double w = m.w[e * fan + t];
                    int i = m.idx[e * fan + t];
                    double lowEnd = w > 0 ? lo[i] : hi[i];
                    double span = (w > 0 ? hi[i] : lo[i]) - lowEnd;
                    if (w == 0 || span == 0) {
                        continue;
                    }
                    s += w * span;
                    double f = Math.max(0, s);
                    double coef = (f - prev) / span;
                    prev = f;
                    aw[e][t] = coef;
                    konst -= coef * lowEnd;
                }
                ac[e] = konst;
            }
        }

        double zAt(int e, double[] p) {
            double z = m.b == null ? 0 : m.b[e];
            for (int t = 0; t < fan; t++) {
                int i = m.idx[e * fan + t];
                z += m.w[e * fan + t] * (lo[i] + p[i] * (hi[i] - lo[i]));
            }
            return z;
        }
    }
}
