package dev.engram.bench;

import dev.engram.verify.Float32SoundnessProperties;
import dev.engram.verify.MilpOracleProperties;
import dev.engram.verify.Verdict;

import java.util.Random;

/**
 * Benchmark (not a unit test): the verifier's two oracle property tests on many more cases than {@code mvn verify}
 * runs. {@code float32}: adversarial-rounding networks judged by the exact float32 oracle (dense search in seven
 * summation orders, ONNX Runtime on every proved case); {@code milp}: small random ReLU networks against
 * SCIP. Any disagreement throws. Usage: {@code VerifierOracleBench [float32|milp|both] [cases] [seed]
 * [timeout s]}; prints the case counts, verdicts and time.
 */
public final class VerifierOracleBench {
    public static void main(String[] args) {
        String which = args.length > 0 ? args[0] : "both";
        int cases = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 20261126L;
        double timeout = args.length > 3 ? Double.parseDouble(args[3]) : 1.0;
        if (!which.equals("milp")) {
            Random r = new Random(seed);
            Float32SoundnessProperties.Tally tally = new Float32SoundnessProperties.Tally();
            long t0 = System.nanoTime();
            for (int i = 0; i < cases; i++) {
                Float32SoundnessProperties.check(r.nextLong(), timeout, 2000, 4096, 64, tally);
            }
            System.out.printf("[float32] %s, 0 wrong, %.1f s%n", tally, (System.nanoTime() - t0) / 1e9);
        }
        if (!which.equals("float32")) {
            Random r = new Random(seed + 1);
            int[] counts = new int[3];
            long t0 = System.nanoTime();
            for (int i = 0; i < cases; i++) {
                Verdict v = MilpOracleProperties.check(r.nextLong(), Math.max(timeout, 5));
                counts[v instanceof Verdict.Sat ? 0 : v instanceof Verdict.Unsat ? 1 : 2]++;
            }
            System.out.printf("[milp] %d cases: %d sat, %d unsat, all agreeing with SCIP; %d timeouts; %.1f s%n",
                    cases, counts[0], counts[1], counts[2], (System.nanoTime() - t0) / 1e9);
        }
    }
}
