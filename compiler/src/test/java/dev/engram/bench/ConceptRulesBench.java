package dev.engram.bench;

import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Compiler;
import dev.engram.compile.RuleReport;
import dev.engram.data.Dataset;
import dev.engram.data.Encoding;
import dev.engram.data.TrainTest;
import dev.engram.ir.ConceptPolicy;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.source.SourceFile;
import dev.engram.train.Metrics;
import dev.engram.train.MlpTrainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Benchmark (not a unit test): the figures of the neural-code dictionary's statements on real data, through the same
 * pipeline as {@code engram compile} (the dictionary learned from the rule file on the fly).
 * <ul>
 *   <li>Fashion-MNIST, on a given MLP ({@code engram train --hidden 256,128 --epochs 12}): "footwear is never decided
 *   as bag" without and with a margin of 2; ten rules at once (MEMIT form); a steering dose-response table;</li>
 *   <li>Adult: a 64×32 MLP trained here like {@code engram train} does, {@code erase is_male at layer 1}: the fresh
 *   linear and MLP probes against the majority rate, task accuracy before and after.</li>
 * </ul>
 * Usage: {@code ConceptRulesBench FASHION.onnx [shared/data] [--adult-only | --rules-only]}; the model may be a CNN
 * ({@code engram train --conv 16,32 --hidden 64}): the rules then edit its dense layers after the flatten, and
 * {@code --rules-only} skips the steering table and Adult.
 */
public final class ConceptRulesBench {
    static final String OUTPUTS = "output T_shirt_top at 0\noutput Trouser at 1\noutput Pullover at 2\noutput Dress at 3\n"
            + "output Coat at 4\noutput Sandal at 5\noutput Shirt at 6\noutput Sneaker at 7\noutput Bag at 8\n"
            + "output Ankle_boot at 9\ndecide argmax\n";

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]).toAbsolutePath();
        Path shared = Path.of(args.length > 1 ? args[1] : "../shared/data").toAbsolutePath();
        Path train = shared.resolve("fashion-mnist/train-images-idx3-ubyte.gz");
        String concepts = concept("footwear", train, "label in {5, 7, 9}")
                + concept("upper_body", train, "label in {0, 2, 4, 6}") + concept("trousers", train, "label = 1")
                + concept("bags", train, "label = 8") + concept("dresses", train, "label = 3");
        System.out.println("load average " + MemitBench.load());
        if (args.length > 2 && args[2].equals("--adult-only")) {
            adult(shared.resolve("adult"));
            return;
        }
        report("footwear is never decided as bag", compile(model, concepts
                + "rule footwear_not_bag: when footwear then Bag is not the decision\n"));
        report("the same, with margin 2", compile(model, concepts
                + "rule footwear_not_bag: when footwear then Bag is not the decision margin 2\n"));
        report("the same, with margin 6 (a rule the model does not keep yet)", compile(model, concepts
                + "rule footwear_not_bag: when footwear then Bag is not the decision margin 6\n"));
        StringBuilder ten = new StringBuilder(concepts);
        String[][] rules = {{"footwear", "Bag"}, {"footwear", "Trouser"}, {"footwear", "T_shirt_top"},
            {"upper_body", "Sandal"}, {"upper_body", "Trouser"}, {"upper_body", "Ankle_boot"}, {"trousers", "Bag"},
            {"trousers", "Sneaker"}, {"bags", "Sneaker"}, {"dresses", "Sandal"}};
        for (int k = 0; k < rules.length; k++) {
            ten.append("rule r").append(k + 1).append(": when ").append(rules[k][0]).append(" then ")
                    .append(rules[k][1]).append(" is not the decision margin 2\n");
        }
        report("ten rules at once, margin 2", compile(model, ten.toString()));
        if (args.length > 2 && args[2].equals("--rules-only")) {
            return;
        }
        System.out.println("\nsteering toward footwear at layer 2 (dose-response):");
        System.out.println("strength  moved toward footwear  task accuracy");
        for (double s : new double[] {0, 0.25, 0.5, 0.75, 1, 1.5, 2, 3}) {
            CompileResult r = compile(model, concepts + "steer toward footwear at layer 2 strength " + s + "\n");
            String m = r.rules().isEmpty() ? r.diagnostics().toString() : r.rules().get(0).method();
            System.out.printf(Locale.ROOT, "%8.2f  %s%n", s, m.substring(m.indexOf("measured: ") + 10));
        }
        adult(shared.resolve("adult"));
    }

    static String concept(String name, Path file, String selector) {
        return "concept " + name + " from \"" + file.toString().replace('\\', '/') + "\" column \"" + selector + "\"\n";
    }

    static CompileResult compile(Path model, String body) throws Exception {
        Path dir = Files.createTempDirectory("concept-bench");
        long t0 = System.nanoTime();
        CompileResult r = Compiler.compile(CompileRequest.builder().setModel(model)
                .optRules(new SourceFile("bench.engram", OUTPUTS + body), dir).optOut(dir.resolve("out.onnx"))
                .optFidelitySamples(100).optConcepts(ConceptPolicy.defaults()).build());
        System.out.printf(Locale.ROOT, "  (compiled in %.1f s, load average %s)%n", (System.nanoTime() - t0) / 1e9,
                MemitBench.load());
        return r;
    }

    static void report(String title, CompileResult r) {
        System.out.println("\n" + title + ": outcome " + r.outcome());
        r.errors().forEach(d -> System.out.println("  " + d.message()));
        for (RuleReport rr : r.rules()) {
            System.out.println("  " + rr.name() + " (" + rr.changes().parametersChanged() + " weights changed): "
                    + rr.method().replace("measured on held-out data, not proved: ", ""));
        }
    }

    static void adult(Path data) throws Exception {
        TrainTest tt = TrainTest.load(data, Optional.empty(), 1);
        Encoding enc = Encoding.fit(tt.train(), tt.label());
        Dataset train = enc.encode(tt.train());
        Dataset test = enc.encode(tt.test());
        MlpTrainer.Result tr = MlpTrainer.builder().setHidden(64, 32).optEpochs(10).optSeed(1).build().train(train);
        Path dir = Files.createTempDirectory("adult-bench");
        OnnxModel.fromDense(tr.network(), "input", "output", false, null).write(dir.resolve("adult.onnx"));
        System.out.printf(Locale.ROOT, "%nAdult: 64x32 MLP, 10 epochs, test accuracy %.4f%n",
                Metrics.accuracy(tr.network(), test));
        String rules = enc.declarations("adult.onnx", List.of("bench")) + "concept is_male from \""
                + data.resolve("adult.data").toString().replace('\\', '/') + "\" column \"sex = Male\"\n";
        for (int layer : new int[] {1, 2}) {
            CompileResult r = Compiler.compile(CompileRequest.builder().optRules(new SourceFile("adult.engram",
                    rules + "erase is_male at layer " + layer + "\n"), dir).optOut(dir.resolve("erased.onnx"))
                    .optFidelitySamples(100).optConcepts(ConceptPolicy.builder().optMaxDrawdown(0.05).build()).build());
            System.out.println("erase is_male at layer " + layer + ": outcome " + r.outcome() + "; "
                    + (r.rules().isEmpty() ? r.diagnostics().toString() : r.rules().get(0).method()
                    .replace("measured on held-out data, not proved ", "")));
        }
    }
}
