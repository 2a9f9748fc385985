package dev.engram.bench;

import dev.engram.lower.repair.OutputLayerRepair;
import dev.engram.lower.repair.RepairOptions;
import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;
import dev.engram.front.VnnlibFile;
import dev.engram.verify.Box;
import dev.engram.verify.Property;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Benchmark (not a unit test): architecture-preserving repair of the 35 unsafe ACAS Xu pairs (property 2 on the
 * 34 violating networks with first index >= 2, property 7 on N1,9, property 8 on N2,9), the same pair selection
 * as {@link GuardBench}; a network's properties are repaired jointly (N2,9: properties 2 and 8), so 35 rows. Per pair: the verifier's verdict on the repaired network, seconds, fidelity (share of
 * 5,000 uniform samples of the normalised domain whose arg-min decision is unchanged; largest output change) and
 * the norms of the parameter change.
 *
 * <p>With {@code keep} (multi-property repair, Veritex's protocol): every other ACAS Xu property 1–10 that applies to
 * the network and holds on the original (VNN-COMP's expected result {@code unsat}) is kept by the same repair, and
 * the rules and the kept properties are proved on the repaired network as written to an ONNX file and read back: the
 * repair writes each candidate to the file and validates the network read back from it
 * ({@link RepairOptions#written}), and the bench reads the file once more and checks that it holds exactly the
 * parameters proved; a row counts as proved only when every rule and kept property is. With {@code keep2} (the
 * protocol before): the repair validates in memory, then the verifier proves every property again on the file.
 * Usage:
 * {@code RepairBench [shared/data] [name-filter] [keep]}; the filter keeps the pairs whose "network property" contains
 * one of its {@code |}-separated parts.
 */
public final class RepairBench {
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : "../shared/data").resolve("acasxu");
        String filter = args.length > 1 ? args[1] : "";
        boolean keep = args.length > 2 && args[2].startsWith("keep");
        boolean onFile = keep && args[2].equals("keep");
        Box domain = new Box(new double[] {-0.328422877, -0.5, -0.5, -0.5, -0.5},
                new double[] {0.679857769, 0.5, 0.5, 0.5, 0.5});
        java.util.Map<String, List<String>> pairs = new java.util.LinkedHashMap<>();
        java.util.Map<String, List<String>> holding = new java.util.HashMap<>();
        for (String line : Files.readAllLines(data.resolve("acasxu_expected_results.csv"))) {
            String[] f = line.split(",");
            if (f.length > 3 && f[3].equals("unsat")) {
                holding.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f[1]);
            }
            boolean veritex35 = f.length > 3 && f[3].equals("sat") && (f[1].equals("prop_7.vnnlib")
                    || f[1].equals("prop_8.vnnlib") || (f[1].equals("prop_2.vnnlib") && !f[0].startsWith("ACASXU_run2a_1_")));
            String key = f[0] + " " + (f.length > 1 ? f[1] : "");
            if (veritex35 && java.util.Arrays.stream(filter.split("\\|")).anyMatch(key::contains)) {
                pairs.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f[1]);
            }
        }
        List<Double> times = new ArrayList<>();
        List<Double> cpus = new ArrayList<>();
        int proved = 0;
        double minFid = 1;
        double sumFid = 0;
        RepairOptions opts = RepairOptions.builder().optDomain(domain).build();
        for (var p : pairs.entrySet()) {
            DenseNetwork net = Models.load(data.resolve("onnx").resolve(p.getKey())).dense();
            List<Property> props = read(data, p.getValue());
            List<String> keptNames = keep ? holding.getOrDefault(p.getKey(), List.of()) : List.of();
            List<Property> kept = read(data, keptNames);
            Path file = Files.createTempFile("repairbench", ".onnx");
            RepairOptions o = onFile ? RepairOptions.builder().optDomain(domain).optWritten(n -> writeAndRead(n, file))
                    .build() : opts;
            long t0 = System.nanoTime();
            long c0 = cpuNanos();
            // all of a network's violated properties are repaired jointly (N2,9: properties 2 and 8)
            OutputLayerRepair.Result r = OutputLayerRepair.repair(net, props, kept, o);
            DenseNetwork cur = r.network();
            boolean ok = r.proved();
            String verdicts = r.verdict().word();
            double checkSecs = 0;
            if (keep) {
                long t1 = System.nanoTime();
                String written = !ok ? "-" : onFile ? provedFile(file, r) : reproveWritten(cur, r);
                checkSecs = (System.nanoTime() - t1) / 1e9;
                ok &= written.equals("proved");
                verdicts = (ok ? "proved" : verdicts) + " kept " + kept.size() + " "
                        + keptNames.stream().map(v -> v.replace("prop_", "p").replace(".vnnlib", ""))
                        .collect(java.util.stream.Collectors.joining("+", "[", "]"))
                        + (r.conflicts().isEmpty() ? "" : " conflicts " + r.conflicts().stream()
                        .map(c -> kept.get(c.kept()).name()).toList())
                        + " file " + written + String.format(Locale.ROOT, " (%.1f s)", checkSecs);
            }
            Files.deleteIfExists(file);
            double l1 = r.l1();
            double linf = r.linf();
            int iters = r.iterations();
            int subs = r.subdomains();
            double secs = (System.nanoTime() - t0) / 1e9;
            double cpu = (cpuNanos() - c0) / 1e9;
            times.add(secs);
            cpus.add(cpu);
            if (ok) {
                proved++;
            }
            double[] fid = fidelity(net, cur, domain, 5000, 42);
            minFid = Math.min(minFid, fid[0]);
            sumFid += fid[0];
            System.out.printf(Locale.ROOT, "%-36s %-14s %-7s %7.2f s (CPU %6.2f s)  fidelity %6.2f%%  max|dy| %.4f  "
                            + "|dθ|1 %.4f |dθ|inf %.4f  iters %d  subdomains %d%n", p.getKey(),
                    String.join("+", p.getValue()).replace(".vnnlib", ""), verdicts, secs, cpu,
                    100 * fid[0], fid[1], l1, linf, iters, subs);
        }
        times.sort(null);
        cpus.sort(null);
        System.out.printf(Locale.ROOT, "%d/%d proved; median %.2f s, max %.2f s (process CPU: median %.2f s, "
                        + "max %.2f s); fidelity mean %.2f%%, min %.2f%%%n", proved, pairs.size(), median(times), max(times),
                median(cpus), max(cpus), 100 * sumFid / Math.max(1, pairs.size()), 100 * minFid);
    }

    private static List<Property> read(Path data, List<String> vnnlibs) throws java.io.IOException {
        List<Property> props = new ArrayList<>();
        for (String v : vnnlibs) {
            for (Property q : VnnlibFile.read(data.resolve("vnnlib").resolve(v), 5, 5).properties()) {
                props.add(new Property(v.replace(".vnnlib", ""), q.region(), q.unsafe()));
            }
        }
        return props;
    }

    /** Writes {@code net} to {@code file} as ONNX and reads it back: what the repair validates with {@code keep}. */
    private static DenseNetwork writeAndRead(DenseNetwork net, Path file) {
        try {
            dev.engram.model.onnx.OnnxModel.fromDense(net, "x", "y", true, java.util.Map.of()).write(file);
            return Models.load(file).dense();
        } catch (Exception e) {
            throw new IllegalStateException("writing or reading " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * "proved" when every goal was validated unsat on the network read back from {@code file} and the file, read
     * once more, holds exactly those parameters (bit for bit); else what differs.
     */
    private static String provedFile(Path file, OutputLayerRepair.Result r) throws Exception {
        DenseNetwork back = Models.load(file).dense();
        DenseNetwork proved = r.network();
        if (back.layers().size() != proved.layers().size()) {
            return "layers differ";
        }
        for (int l = 0; l < back.layers().size(); l++) {
            var a = back.layers().get(l);
            var b = proved.layers().get(l);
            if (!java.util.Arrays.deepEquals(a.weight(), b.weight()) || !java.util.Arrays.equals(a.bias(), b.bias())
                    || a.activation() != b.activation() || a.alpha() != b.alpha()) {
                return "layer " + l + " differs";
            }
        }
        return r.validations().stream().allMatch(v -> v.verdict() instanceof dev.engram.verify.Verdict.Unsat)
                ? "proved" : "not proved";
    }

    /**
     * Writes {@code repaired} to an ONNX file, reads it back and runs the verifier on every property the repair
     * validated (rules and kept ones): "proved" when each is unsat, else the first other verdict.
     */
    private static String reproveWritten(DenseNetwork repaired, OutputLayerRepair.Result r) throws Exception {
        Path f = Files.createTempFile("repairbench", ".onnx");
        try {
            dev.engram.model.onnx.OnnxModel.fromDense(repaired, "x", "y", true, java.util.Map.of()).write(f);
            DenseNetwork back = Models.load(f).dense();
            for (OutputLayerRepair.Validation v : r.validations()) {
                dev.engram.verify.Verdict again = dev.engram.verify.BranchAndBoundVerifier.create().verify(back,
                        v.property(), dev.engram.verify.VerifyOptions.defaults().withTimeout(300));
                if (!(again instanceof dev.engram.verify.Verdict.Unsat)) {
                    return v.property().name() + ":" + again.word();
                }
            }
            return "proved";
        } finally {
            Files.deleteIfExists(f);
        }
    }

    private static double median(List<Double> sorted) {
        return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
    }

    private static double max(List<Double> sorted) {
        return sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1);
    }

    /** CPU time of the whole process (all threads: the verifier runs on several); 0 where the JVM does not say. */
    private static long cpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
    }

    /** Share of uniform samples of {@code box} whose arg-min is unchanged, and the largest output change. */
    public static double[] fidelity(DenseNetwork a, DenseNetwork b, Box box, int n, long seed) {
        Random rnd = new Random(seed);
        int same = 0;
        double maxd = 0;
        for (int s = 0; s < n; s++) {
            float[] x = new float[box.dimension()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (box.lo()[i] + rnd.nextDouble() * (box.hi()[i] - box.lo()[i]));
            }
            float[] ya = a.evaluate(x);
            float[] yb = b.evaluate(x);
            if (argmin(ya) == argmin(yb)) {
                same++;
            }
            for (int j = 0; j < ya.length; j++) {
                maxd = Math.max(maxd, Math.abs(ya[j] - yb[j]));
            }
        }
        return new double[] {(double) same / n, maxd};
    }

    private static int argmin(float[] y) {
        int k = 0;
        for (int j = 1; j < y.length; j++) {
            if (y[j] < y[k]) {
                k = j;
            }
        }
        return k;
    }
}
