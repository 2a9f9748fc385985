package dev.engram.bench;

import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Compiler;
import dev.engram.front.ProgramToIr;
import dev.engram.compile.RuleReport;
import dev.engram.ir.Obligation;
import dev.engram.front.VnnlibFile;
import dev.engram.source.Span;
import dev.engram.verify.Box;
import dev.engram.verify.Property;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark (not a unit test): the guard strategy on the 35 unsafe ACAS Xu pairs (every instance the expected
 * results mark sat: property 2 on 34 networks, 7 on N1,9, 8 on N2,9 — plus properties 3/4 where violated when
 * given {@code --all}). Usage: {@code GuardBench [shared/data] [--all]}.
 */
public final class GuardBench {
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : "../shared/data").resolve("acasxu");
        boolean all = List.of(args).contains("--all");
        Box domain = new Box(new double[] {-0.328422877, -0.5, -0.5, -0.5, -0.5},
                new double[] {0.679857769, 0.5, 0.5, 0.5, 0.5});
        List<String[]> pairs = new ArrayList<>();
        for (String line : Files.readAllLines(data.resolve("acasxu_expected_results.csv"))) {
            String[] f = line.split(",");
            boolean veritex35 = f.length > 3 && f[3].equals("sat") && (f[1].equals("prop_7.vnnlib")
                    || f[1].equals("prop_8.vnnlib") || (f[1].equals("prop_2.vnnlib") && !f[0].startsWith("ACASXU_run2a_1_")));
            if (veritex35 || (all && f.length > 3 && f[3].equals("sat"))) {
                pairs.add(f);
            }
        }
        List<Double> times = new ArrayList<>();
        int proved = 0;
        double minWhole = 1;
        double sumWhole = 0;
        double minOutside = 1;
        Path tmp = Files.createTempDirectory("guardbench");
        for (String[] p : pairs) {
            Path model = data.resolve("onnx").resolve(p[0]);
            VnnlibFile f = VnnlibFile.read(data.resolve("vnnlib").resolve(p[1]), 5, 5);
            List<Obligation> obs = new ArrayList<>();
            for (Property prop : f.properties()) {
                obs.addAll(ProgramToIr.perBox(prop, prop.name(), Span.NONE, Obligation.Strategy.GUARD, 0.01));
            }
            long t0 = System.nanoTime();
            CompileResult r = Compiler.compile(CompileRequest.builder().setModel(model).setObligations(obs)
                    .optDomain(domain).optTimeout(60).optOut(tmp.resolve("patched.onnx")).build());
            double secs = (System.nanoTime() - t0) / 1e9;
            times.add(secs);
            RuleReport rr = r.rules().get(0);
            if (r.proved()) {
                proved++;
            }
            if (r.outside().measured()) { // a region covering the whole domain leaves no sample outside it
                minOutside = Math.min(minOutside, r.outside().decisionAgreement());
            }
            minWhole = Math.min(minWhole, r.wholeDomain().decisionAgreement());
            sumWhole += r.wholeDomain().decisionAgreement();
            System.out.printf(Locale.ROOT, "%-36s %-14s %-7s %6.2f s  outside %s  whole %.2f%%  |c|max %.4f%n",
                    p[0], p[1], rr.verdict().word(), secs, !r.outside().measured() ? "n/a"
                            : String.format(Locale.ROOT, "%.2f%%", 100 * r.outside().decisionAgreement()),
                    100 * r.wholeDomain().decisionAgreement(), maxAbs(rr.correction()));
        }
        times.sort(null);
        double median = times.isEmpty() ? 0 : times.get(times.size() / 2);
        System.out.printf(Locale.ROOT, "%d/%d proved; median compile+verify %.2f s, max %.2f s; outside-region "
                        + "fidelity min %.2f%%; whole-domain fidelity mean %.2f%%, min %.2f%%%n", proved, pairs.size(),
                median, times.isEmpty() ? 0 : times.get(times.size() - 1), 100 * minOutside,
                100 * sumWhole / Math.max(1, pairs.size()), 100 * minWhole);
    }

    private static double maxAbs(double[] c) {
        double m = 0;
        for (double v : c) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
