package dev.engram.compile;

import dev.engram.Engram;
import dev.engram.diag.DiagnosticCode;
import dev.engram.ir.Obligation;
import dev.engram.model.DenseNetwork;
import dev.engram.model.DenseNetworks;
import dev.engram.model.onnx.OnnxModel;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The compilation's time limit is a correctness property, not a performance figure: on large random networks
 * (hundreds of inputs, layers hundreds wide, where the repair's sampling, subdomain search and LP, the verifier
 * and fidelity sampling each take seconds) and tiny limits, {@code Engram.compile} returns within the limit plus a
 * few seconds (the contract is about one second; the assertion is loose because the machine is shared), and a
 * compilation that ran out of time reports {@code E063} and leaves nothing in the output folder: no model, no
 * patch, no temporary file.
 */
class TimeLimitProperties {
    /** Slack allowed over the limit in the assertion (the documented contract is about 1 s). */
    static final double SLACK = 5;

    @Test
    void compileReturnsWithinItsTimeLimitAndWritesNothingPartial() {
        int[] timedOut = new int[1];
        double[] worst = {Double.NEGATIVE_INFINITY};
        qt().withExamples(5).withShrinkCycles(0).forAll(longs().all()).checkAssert(seed -> {
            try {
                worst[0] = Math.max(worst[0], oneCompilation(seed, timedOut));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        System.out.printf(Locale.ROOT, "[time-limit] 5 large networks, %d ran out of time, all within the limit "
                + "(latest %.3f s after it)%n", timedOut[0], worst[0]);
        assertTrue(timedOut[0] >= 3, "the cases should be hard enough to run out of time: " + timedOut[0]);
    }

    /** One compilation with a tiny limit; how long after the limit it returned. */
    private static double oneCompilation(long seed, int[] timedOut) throws IOException {
        Random r = new Random(seed);
        int d = 150 + r.nextInt(350);
        int h = 128 + r.nextInt(257);
        DenseNetwork net = DenseNetworks.random(r, "fc", 0.1, d, h, h, 2);
        Path dir = Files.createTempDirectory("time-limit");
        Path model = dir.resolve("big.onnx");
        OnnxModel.fromDense(net, "x", "y", true, Map.of()).write(model);
        Path prop = dir.resolve("p.vnnlib");
        Files.writeString(prop, vnnlib(r, d));
        Path out = Files.createDirectories(dir.resolve("out"));
        Obligation.Strategy strategy = Obligation.Strategy.values()[r.nextInt(Obligation.Strategy.values().length)];
        double limit = 0.1 + 1.9 * r.nextDouble();
        long t0 = System.nanoTime();
        CompileResult res = Engram.compile(CompileRequest.builder().setModel(model).addEnforce(prop)
                .optStrategy(strategy).optTimeout(limit).optOut(out.resolve("patched.onnx"))
                .optPatch(out.resolve("patched.epatch")).optSeed(seed).build());
        double wall = (System.nanoTime() - t0) / 1e9;
        String what = String.format(Locale.ROOT, "seed %d: %d inputs, 2x%d hidden, %s, limit %.3f s: %s after %.3f s %s",
                seed, d, h, strategy, limit, res.outcome(), wall, res.diagnostics());
        System.out.println("[time-limit] " + what);
        assertTrue(wall <= limit + SLACK, what);
        List<String> left;
        try (Stream<Path> s = Files.list(out)) {
            left = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        if (res.outcome() == Outcome.OK) {
            assertEquals(List.of("patched.epatch", "patched.onnx"), left, what);
        } else {
            assertEquals(List.of(), left, "nothing may be written when the compilation fails: " + what);
            assertFalse(res.proved(), what);
        }
        if (res.diagnostics().stream().anyMatch(dg -> dg.code() == DiagnosticCode.E063)) {
            timedOut[0]++;
            assertEquals(Outcome.NOT_PROVED, res.outcome(), what);
            assertEquals(3, res.outcome().exitCode(), what);
        }
        assertTrue(Files.isRegularFile(model) && Files.isRegularFile(prop), "inputs kept");
        return wall - limit;
    }

    /** A box of random centres and widths over {@code d} inputs; unsafe: {@code Y_0 <= Y_1}. */
    private static String vnnlib(Random r, int d) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < d; i++) {
            sb.append("(declare-const X_").append(i).append(" Real)\n");
        }
        sb.append("(declare-const Y_0 Real)\n(declare-const Y_1 Real)\n");
        for (int i = 0; i < d; i++) {
            double c = r.nextGaussian();
            double w = 0.05 + r.nextDouble();
            sb.append(String.format(Locale.ROOT, "(assert (>= X_%d %.6f))\n(assert (<= X_%d %.6f))\n", i, c - w, i,
                    c + w));
        }
        return sb.append("(assert (<= Y_0 Y_1))\n").toString();
    }
}
