package dev.engram.verify.graph;

import dev.engram.model.Models;
import dev.engram.verify.Box;
import dev.engram.verify.bounds.Deadline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Experiment: how far the α-optimised intermediate bounds of an eran ReLU instance are from converged (many α steps
 * on the same earlier ranges) and from the triangle LP ({@link TriangleLp}); per layer the unstable count and mean
 * width of the unstable elements for several range strengths. Args: net spec variants [layer neurons steps].
 */
public final class EranLpBench {
    public static void main(String[] args) throws Exception {
        GraphBounds g = GraphBounds.of(Models.load(Path.of(args[0])).dag());
        Box box = box(g, Path.of(args[1]));
        GraphBounds.Ranges base = null;
        for (String variant : args[2].split(",")) {
            long t0 = System.nanoTime();
            GraphBounds.Ranges r = EranRangesBench.build(g, box, variant);
            System.out.printf("%s (%.1f s): %s%s%n", variant, (System.nanoTime() - t0) / 1e9, layers(g, r),
                    EranMilpBench.margins(g, r, args[1]));
            base = base == null ? r : base;
        }
        if (args.length > 3) {
            compare(g, base, Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
        }
    }

    static Box box(GraphBounds g, Path spec) throws Exception {
        return EranAttackBench.property(Files.readString(spec), g.inputSize(), g.outputSize()).region().boxes().get(0);
    }

    /** Per ReLU argument: unstable count / mean width of the unstable elements. */
    static String layers(GraphBounds g, GraphBounds.Ranges r) {
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < g.ops().size(); k++) {
            if (g.ops().get(k) instanceof ReluBound) {
                Range z = r.values()[g.dag().nodes().get(k).arg(0)];
                int u = 0;
                double w = 0;
                for (int i = 0; i < z.size(); i++) {
                    if (z.lo()[i] < 0 && z.hi()[i] > 0) {
                        u++;
                        w += z.hi()[i] - z.lo()[i];
                    }
                }
                s.append(String.format("%d/%.2f ", u, u == 0 ? 0 : w / u));
            }
        }
        return s.toString();
    }

    /** For the first {@code count} unstable elements of the layer-th ReLU's argument: ranges, converged α, LP. */
    static void compare(GraphBounds g, GraphBounds.Ranges r, int layer, int count, int steps) {
        int k = -1;
        for (int o = 0, seen = 0; o < g.ops().size(); o++) {
            if (g.ops().get(o) instanceof ReluBound && seen++ == layer) {
                k = o;
            }
        }
        int v = g.dag().nodes().get(k).arg(0);
        Range z = r.values()[v];
        try (TriangleLp lp = new TriangleLp(g, r, v)) {
            double gapA = 0;
            double gapL = 0;
            for (int i = 0, n = 0; i < z.size() && n < count; i++) {
                if (!(z.lo()[i] < 0 && z.hi()[i] > 0)) {
                    continue;
                }
                n++;
                double[][] rows = new double[2][z.size()];
                rows[0][i] = 1;
                rows[1][i] = -1;
                double[] never = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
                long t0 = System.nanoTime();
                GraphBounds.Linear a = BetaCrown.optimise(g, r, v, List.of(), rows, never, steps, null, 0.6,
                        Deadline.NONE).linear();
                double ta = (System.nanoTime() - t0) / 1e9;
                long t1 = System.nanoTime();
                double lpLo = lp.min(i, 1);
                double lpHi = -lp.min(i, -1);
                double tl = (System.nanoTime() - t1) / 1e9;
                System.out.printf("  z%d: ranges [%.3f, %.3f]  alpha%d [%.3f, %.3f] (%.2f s)  LP [%.3f, %.3f] (%.2f s)%n",
                        i, z.lo()[i], z.hi()[i], steps, a.bound()[0], -a.bound()[1], ta, lpLo, lpHi, tl);
                gapA += (z.hi()[i] - z.lo()[i]) - (-a.bound()[1] - a.bound()[0]);
                gapL += (z.hi()[i] - z.lo()[i]) - (lpHi - lpLo);
            }
            System.out.printf("  width gained: alpha %.3f, LP %.3f%n", gapA, gapL);
        }
    }
}
