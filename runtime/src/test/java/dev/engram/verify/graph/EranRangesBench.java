package dev.engram.verify.graph;

import dev.engram.model.Models;
import dev.engram.verify.Box;
import dev.engram.verify.bounds.Deadline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Experiment: root margins of an eran ReLU instance's conjunctions with intermediate ranges of various strengths. */
public final class EranRangesBench {
    public static void main(String[] args) throws Exception {
        Path net = Path.of(args[0]);
        Path spec = Path.of(args[1]);
        String[] variants = args[2].split(",");
        GraphBounds g = GraphBounds.of(Models.load(net).dag());
        String text = Files.readString(spec);
        Matcher o = Pattern.compile("\\(and \\(>= Y_(\\d+) Y_(\\d+)\\)\\)").matcher(text);
        java.util.List<int[]> conj = new java.util.ArrayList<>();
        while (o.find()) {
            conj.add(new int[] {Integer.parseInt(o.group(1)), Integer.parseInt(o.group(2))});
        }
        Box box = EranLpBench.box(g, spec);
        for (String variant : variants) {
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long t0 = System.nanoTime();
            long c0 = mx.getCurrentThreadCpuTime();
            GraphBounds.Ranges r = build(g, box, variant);
            double secs = (System.nanoTime() - t0) / 1e9;
            double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e9;
            StringBuilder s = new StringBuilder();
            for (int k = 0; k < g.ops().size(); k++) {
                if (g.ops().get(k) instanceof ReluBound) {
                    Range z = r.values()[g.dag().nodes().get(k).arg(0)];
                    int u = 0;
                    for (int i = 0; i < z.size(); i++) {
                        if (z.lo()[i] < 0 && z.hi()[i] > 0) {
                            u++;
                        }
                    }
                    s.append(u).append(' ');
                }
            }
            System.out.printf("%s: ranges %.2f s wall %.2f s cpu, unstable per ReLU: %s%n", variant, secs, cpu, s);
            StringBuilder ms = new StringBuilder();
            long t1 = System.nanoTime();
            for (int[] c : conj) {
                double[] row = new double[10];
                row[c[1]] = 1;
                row[c[0]] = -1;
                BetaCrown.Result res = BetaCrown.optimise(g, r, List.of(), new double[][] {row}, new double[] {0}, 40,
                        null, Deadline.NONE);
                ms.append(String.format("%.3f ", res.linear().bound()[0]));
            }
            System.out.printf("  alpha-CROWN 40: %s (%.2f s)%n", ms, (System.nanoTime() - t1) / 1e9);
        }
    }

    static GraphBounds.Ranges build(GraphBounds g, Box box, String variant) {
        if (variant.startsWith("s")) {
            String[] p = variant.substring(1).split("t");
            return g.ranges(box, Integer.parseInt(p[0]), p.length > 1 ? Integer.parseInt(p[1]) : 1, Deadline.NONE);
        }
        return g.ranges(box, Deadline.NONE);
    }
}
