package dev.engram.verify.graph;

import dev.engram.verify.bounds.Deadline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Tightens the range of one value by backward passes (the tightening step of {@link GraphBounds}): a lower bound of
 * each element worth it (every element, or the unstable ones before a ReLU) and of its negation, in chunks of
 * {@link #CHUNK} rows per pass, the chunks and the two sides on a few threads. A pass is plain CROWN, α-optimised for
 * some steps ({@link BetaCrown} on the value as target), or, in a subdomain, started from the slopes the box's own
 * optimised passes ended with ({@link RangeSlopes}) and optimised for {@link #REFINE_STEPS} more, with the
 * multipliers of the subdomain's splits on earlier values.
 */
final class Tightening {
    /** Rows per backward pass when tightening a value's elements (bounds the coefficient memory). */
    static final int CHUNK = 128;
    /**
     * Adam rate of the ReLU slopes of an optimised intermediate bound: with a few steps, 0.1 (the output's) leaves it
     * far from converged (eran's mnist_relu_9_200 idx 6998: 3 steps at 0.3 gave the root margins of 10 at 0.1).
     */
    static final double RANGE_RATE = Double.parseDouble(System.getProperty("engram.verify.rangeRate", "0.6"));
    /** α/β steps of a subdomain's passes started from the box's slopes (0: one pass with those slopes). */
    static final int REFINE_STEPS = Integer.getInteger("engram.verify.refineSteps", 0);
    /** Whether a subdomain's passes start from the box's slopes (else CROWN's adaptive ones). */
    private static final boolean WARM = !Boolean.getBoolean("engram.verify.refineCold");

    private final GraphBounds g;
    private final GraphBounds.Ranges partial;
    private final int v;
    private final Deadline deadline;

    /** Tightening value {@code v} given the earlier values' ranges and error terms in {@code partial}. */
    Tightening(GraphBounds g, GraphBounds.Ranges partial, int v, Deadline deadline) {
        this.g = g;
        this.partial = partial;
        this.v = v;
        this.deadline = deadline;
    }

    /**
     * Backward-pass bounds of the elements of v worth tightening (the others: infinite): α-optimised for
     * {@code steps} steps, their slopes stored in {@code store} (null: not kept); with {@code steps} 0 and
     * {@code warm} holding v's slopes, passes from those with the {@code splits} on earlier values.
     */
    Range bounds(Range ibp, boolean onlyUnstable, int steps, int threads, RangeSlopes store, RangeSlopes warm,
                 List<GraphBounds.Split> splits) {
        int size = ibp.size();
        double[] lo = new double[size];
        double[] hi = new double[size];
        Arrays.fill(lo, Double.NEGATIVE_INFINITY);
        Arrays.fill(hi, Double.POSITIVE_INFINITY);
        int[] which = new int[size];
        int count = 0;
        for (int i = 0; i < size; i++) {
            if (!onlyUnstable || (ibp.lo()[i] < 0 && ibp.hi()[i] > 0)) {
                which[count++] = i;
            }
        }
        int chunks = (count + CHUNK - 1) / CHUNK;
        BetaCrown.Params[] keptLo = new BetaCrown.Params[chunks];
        BetaCrown.Params[] keptHi = new BetaCrown.Params[chunks];
        List<GraphBounds.Split> before = earlier(splits);
        List<Runnable> tasks = new ArrayList<>();
        for (int c = 0; c < chunks; c++) {
            int chunk = c;
            int[] rowsOf = Arrays.copyOfRange(which, c * CHUNK, Math.min(count, (c + 1) * CHUNK));
            for (int sign = 1; sign >= -1; sign -= 2) {
                int sg = sign;
                tasks.add(() -> {
                    deadline.check();
                    BetaCrown.Params start = warm == null || !WARM ? null : warm.start(v, rowsOf, sg);
                    double[][] a = rows(rowsOf, size, sg);
                    BetaCrown.Result res = pass(a, steps, start, before);
                    GraphBounds.Linear lin = res == null ? g.pass(partial, v, a) : res.linear();
                    for (int r = 0; r < rowsOf.length; r++) { // each task writes its own elements of one side
                        if (sg > 0) {
                            lo[rowsOf[r]] = lin.bound()[r];
                        } else {
                            hi[rowsOf[r]] = -lin.bound()[r];
                        }
                    }
                    if (store != null && res != null) {
                        (sg > 0 ? keptLo : keptHi)[chunk] = res.best().sparse(g, partial);
                    }
                });
            }
        }
        Parallel.run(tasks, threads);
        if (store != null) {
            store.put(v, size, which, count, CHUNK, keptLo, keptHi);
        }
        return new Range(lo, hi);
    }

    /** The optimised passes' result, or null for a plain CROWN pass. */
    private BetaCrown.Result pass(double[][] a, int steps, BetaCrown.Params start, List<GraphBounds.Split> splits) {
        if (steps == 0 && start == null) {
            return null;
        }
        double[] never = new double[a.length];
        Arrays.fill(never, Double.POSITIVE_INFINITY);
        int n = steps > 0 ? steps : REFINE_STEPS;
        return BetaCrown.optimise(g, partial, v, start == null ? List.of() : splits, a, never, n, start, RANGE_RATE,
                deadline);
    }

    /** Row r: {@code sign} at element {@code elements[r]}. */
    private static double[][] rows(int[] elements, int size, int sign) {
        double[][] a = new double[elements.length][size];
        for (int r = 0; r < elements.length; r++) {
            a[r][elements[r]] = sign;
        }
        return a;
    }

    /** The splits on values before v (their multipliers can enter v's passes). */
    private List<GraphBounds.Split> earlier(List<GraphBounds.Split> splits) {
        List<GraphBounds.Split> out = new ArrayList<>();
        for (GraphBounds.Split s : splits == null ? List.<GraphBounds.Split>of() : splits) {
            if (s.value() < v) {
                out.add(s);
            }
        }
        return out;
    }
}
