package dev.engram.verify;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The QuickTheories driver of the property tests that count what their cases met: {@code examples} seeds drawn from
 * QuickTheories' seed ({@code QT_SEED}, the pom's {@code qt.seed}: fixed, so a run is reproducible; another with
 * {@code -Dqt.seed=<any long>}), each case a function of its seed alone, no shrinking (a failing case names its seed
 * in its message, and reruns from it alone).
 */
public final class PropertyRuns {
    private PropertyRuns() {
    }

    /** One case: the counts it adds to the run's totals (the same number each time). */
    @FunctionalInterface
    public interface Counted {
        int[] check(long seed) throws Exception;
    }

    /**
     * Runs {@code examples} cases and returns their counts summed element by element. A checked exception of a case
     * (an oracle's failure: ONNX Runtime, a file) fails it, with its seed.
     */
    public static int[] totals(int examples, Counted check) {
        int[][] sum = {null};
        qt().withExamples(examples).withShrinkCycles(0).forAll(longs().all()).checkAssert(seed -> {
            int[] c;
            try {
                c = check.check(seed);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new AssertionError("seed " + seed + ": " + e, e);
            }
            if (sum[0] == null) {
                sum[0] = new int[c.length];
            }
            for (int k = 0; k < c.length; k++) {
                sum[0][k] += c[k];
            }
        });
        return sum[0];
    }
}
