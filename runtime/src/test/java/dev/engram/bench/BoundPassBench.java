package dev.engram.bench;

import dev.engram.model.DenseNetwork;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.verify.bounds.BoundNetwork;
import dev.engram.verify.bounds.LinearBounds;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The dense bound kernels on the work of an ACAS Xu search, without the search: for a fixed list of sub-boxes of
 * property 2's box (random halvings, 8 to 20 deep), each bounded as a subdomain is (the CROWN-tightened forward
 * bounds intersected with its parent's, as the lookahead does, then α-CROWN on the objective {@code Y_0 - Y_1}). One
 * thread; its CPU time per round, so other processes' load moves the figures less than wall time would.
 *
 * <pre>bench/run runtime dev.engram.bench.BoundPassBench [net 4_2] [boxes 400] [rounds 7]</pre>
 * Against another build of the runtime: the same class with that build's runtime jar first on the class path.
 */
public final class BoundPassBench {
    private BoundPassBench() {
    }

    public static void main(String[] args) throws Exception {
        String id = args.length > 0 ? args[0] : "4_2";
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 400;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        Path onnx = Path.of(System.getProperty("engram.shared.data", "../shared/data"), "acasxu", "onnx",
                "ACASXU_run2a_" + id + "_batch_2000.onnx");
        DenseNetwork net = OnnxModel.read(onnx).dense();
        BoundNetwork bn = BoundNetwork.of(net);
        double[] lo = {0.6, -0.5, -0.5, 0.45, -0.5};
        double[] hi = {0.679857769, 0.5, 0.5, 0.5, -0.45};
        Random rnd = new Random(20261127);
        List<double[][]> boxes = new ArrayList<>();
        List<LinearBounds> parents = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            double[] l = lo.clone();
            double[] h = hi.clone();
            int depth = 8 + rnd.nextInt(13);
            for (int s = 0; s < depth; s++) {
                int i = rnd.nextInt(l.length);
                double m = 0.5 * (l[i] + h[i]);
                if (rnd.nextBoolean()) {
                    l[i] = m;
                } else {
                    h[i] = m;
                }
            }
            double[] pl = l.clone();
            double[] ph = h.clone();
            int i = rnd.nextInt(l.length); // the parent: the box doubled along one input, inside the property's box
            if (ph[i] + (h[i] - l[i]) <= hi[i]) {
                ph[i] += h[i] - l[i];
            } else {
                pl[i] -= h[i] - l[i];
            }
            boxes.add(new double[][] {l, h});
            parents.add(LinearBounds.forward(bn, pl, ph, true));
        }
        double[] c = {1, -1, 0, 0, 0};
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        double[] cpu = new double[rounds];
        double check = 0;
        for (int warm = 0; warm < 3; warm++) {
            check = round(bn, boxes, parents, c);
        }
        for (int r = 0; r < rounds; r++) {
            long t0 = mx.getCurrentThreadCpuTime();
            check = round(bn, boxes, parents, c);
            cpu[r] = (mx.getCurrentThreadCpuTime() - t0) / 1e9;
        }
        Arrays.sort(cpu);
        System.out.printf("BoundPassBench N%s, %d boxes: CPU per round min %.3f s, median %.3f s (%.1f us per box);"
                + " sum of bounds %.17g%n", id, count, cpu[0], cpu[rounds / 2], 1e6 * cpu[rounds / 2] / count, check);
    }

    private static double round(BoundNetwork bn, List<double[][]> boxes, List<LinearBounds> parents, double[] c) {
        double sum = 0;
        for (int k = 0; k < boxes.size(); k++) {
            double[][] b = boxes.get(k);
            LinearBounds lb = LinearBounds.forward(bn, b[0], b[1], true, parents.get(k));
            sum += lb.lower(lb.layers() - 1)[0];
            sum += lb.optimised(10).lowerBound(c, null, null);
        }
        return sum;
    }
}
