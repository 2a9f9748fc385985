package dev.engram.bench;

import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Compiler;
import dev.engram.compile.RuleReport;
import dev.engram.ir.Decision;
import dev.engram.ir.Obligation;
import dev.engram.ir.SampleDomain;
import dev.engram.verify.Box;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark (not a unit test): the repair of a VNN-COMP {@code verivital} network's dense head
 * ({@code --enforce SPEC --strategy repair --decide argmax}), compiled through the Java API with the compiler's default
 * domain for {@code --enforce} (the region widened by half its size each side) and, with {@code N > 0}, the first
 * {@code N} Fashion-MNIST <em>training</em> images as the domain's data (inputs whose decisions matter); then
 * {@link ConvGuardBench}'s image-level measures on the written model (the Fashion-MNIST <em>test</em> images, the
 * specification images, the region and its shell).
 * With {@code RULES} (a rule file, e.g. one importing VNN-LIB properties to keep) and {@code N = 0}, the compiler's own
 * default domain is used, as {@code engram compile --rules RULES --enforce SPEC} would.
 * Usage: {@code HeadRepairBench MODEL.onnx SPEC.vnnlib OUT.onnx [shared/data] [N] [RULES]}; the compilation's time
 * limit is {@code -Dbench.timeout=SECONDS} (default 300, the CLI's).
 */
public final class HeadRepairBench {
    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Path spec = Path.of(args[1]);
        Path out = Path.of(args[2]);
        Path data = Path.of(args.length > 3 ? args[3] : "../shared/data");
        int n = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        Path rules = args.length > 5 ? Path.of(args[5]) : null;
        ConvGuardBench.Spec sp = ConvGuardBench.Spec.read(spec);
        double[] lo = sp.lo().clone();
        double[] hi = sp.hi().clone();
        for (int i = 0; i < lo.length; i++) {
            double w = hi[i] - lo[i];
            lo[i] -= w / 2;
            hi[i] += w / 2;
        }
        List<float[]> keep = new ArrayList<>();
        if (n > 0) {
            float[][] train = ConvGuardBench.idx(data.resolve("fashion-mnist/train-images-idx3-ubyte.gz"));
            keep.addAll(Arrays.asList(train).subList(0, Math.min(n, train.length)));
        }
        SampleDomain domain = SampleDomain.of(new Box(lo, hi)).withData(keep);
        long cpu0 = cpu();
        long t0 = System.nanoTime();
        CompileRequest.Builder req = CompileRequest.builder().addEnforce(spec)
                .optStrategy(Obligation.Strategy.REPAIR).optDecision(Decision.ARGMAX).optOut(out)
                .optTimeout(Double.parseDouble(System.getProperty("bench.timeout", "300")));
        if (rules != null) {
            req.optRules(rules); // the rule file names the model
        } else {
            req.setModel(model);
        }
        if (rules == null || n > 0) {
            req.optDomain(domain);
        }
        CompileResult r = Compiler.compile(req.build());
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (cpu() - cpu0) / 1e9;
        System.out.printf(Locale.ROOT, "%s %s, %d data images: %s, wall %.1f s, process CPU %.1f s%n",
                model.getFileName(), spec.getFileName(), keep.size(), r.proved() ? "proved" : "NOT proved", wall, cpu);
        for (RuleReport rr : r.rules()) {
            System.out.printf(Locale.ROOT, "  %s: %s, lower %.1f s, proof %.1f s, %s; %s; %s%n", rr.name(),
                    rr.verdict().word(), rr.lowerSeconds(), rr.verifySeconds(), rr.changes().parametersChanged()
                            + " parameters changed", rr.method(), rr.choice());
        }
        if (r.outside() != null && r.outside().measured()) {
            System.out.printf(Locale.ROOT, "  compiler's fidelity outside the region: %.2f %% of %d samples%n",
                    100 * r.outside().decisionAgreement(), r.outside().samples());
        }
        r.diagnostics().forEach(d -> System.out.println("  " + d));
        if (r.proved()) {
            ConvGuardBench.main(new String[] {model.toString(), out.toString(), spec.toString(), data.toString()});
        }
    }

    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
