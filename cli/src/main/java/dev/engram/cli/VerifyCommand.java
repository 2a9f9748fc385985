package dev.engram.cli;

import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticRenderer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;
import dev.engram.model.io.AtomicFiles;
import dev.engram.properties.VnnlibFile;
import dev.engram.verify.BranchAndBoundVerifier;
import dev.engram.verify.Verdict;
import dev.engram.verify.VerifyOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code engram verify --model M --vnnlib P}: decides a VNN-LIB property on a model and writes the verdict as a
 * VNN-COMP result file. Exit 0 for a definite answer (sat or unsat), 1 for unknown or timeout, 2 for bad input.
 * With {@code --rules R.engram} instead, every statement of a rule file is checked ({@link RuleVerification}).
 */
@Command(name = "verify", description = "Prove or refute a VNN-LIB property on a model (VNN-COMP result format).")
public final class VerifyCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "model file (.onnx, .nnet, .pt)")
    Path model;

    @Option(names = "--vnnlib", paramLabel = "P.vnnlib", description = "property in VNN-LIB")
    Path vnnlib;

    @Option(names = "--rules", paramLabel = "R.engram",
            description = "verify every rule, property and ignore statement of a rule file instead")
    Path rules;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300", description = "time budget (default ${DEFAULT-VALUE})")
    double timeout;

    @Option(names = "--threads", paramLabel = "N", description = "worker threads (default: all cores)")
    Integer threads;

    @Option(names = "--result", paramLabel = "FILE", description = "write the VNN-COMP result file here")
    Path result;

    @Override
    public Integer call() {
        if ((vnnlib == null) == (rules == null)) {
            System.err.println("engram verify: give exactly one of --vnnlib and --rules");
            return 2;
        }
        if (rules != null) {
            return RuleVerification.run(model, rules, timeout);
        }
        DenseNetwork net = Models.load(model).dense();
        VnnlibFile spec = VnnlibFile.read(vnnlib, net.inputSize(), net.outputSize());
        for (Diagnostic d : spec.diagnostics()) {
            System.err.print(DiagnosticRenderer.text(d, spec.source()));
        }
        if (!spec.ok()) {
            return 2;
        }
        VerifyOptions defaults = VerifyOptions.defaults();
        VerifyOptions options = new VerifyOptions(timeout, threads == null ? defaults.threads() : threads,
                defaults.seed());
        Verdict v = BranchAndBoundVerifier.create().verifyAny(net, spec.properties(), options);
        String text = resultText(v);
        if (result != null) {
            AtomicFiles.write(result, text.getBytes(StandardCharsets.UTF_8));
        }
        System.out.println(summary(v, model, vnnlib));
        if (v instanceof Verdict.Sat s && result == null) {
            System.out.print(text.substring(text.indexOf('\n') + 1));
        }
        return v instanceof Verdict.Sat || v instanceof Verdict.Unsat ? 0 : 1;
    }

    /** One line: verdict, time, instance. */
    static String summary(Verdict v, Path model, Path vnnlib) {
        String detail = v instanceof Verdict.Unknown u ? " (" + u.reason() + ")" : "";
        return String.format(Locale.ROOT, "%s in %.3f s: %s on %s%s", v.word(), v.seconds(), vnnlib.getFileName(),
                model.getFileName(), detail);
    }

    /** The VNN-COMP result file text: the verdict word, and for sat the witness {@code ((X_0 v) ... (Y_0 v))}. */
    static String resultText(Verdict v) {
        StringBuilder sb = new StringBuilder(v.word()).append('\n');
        if (v instanceof Verdict.Sat s) {
            sb.append('(');
            boolean first = true;
            for (int i = 0; i < s.input().length; i++) {
                sb.append(first ? "(" : " (").append("X_").append(i).append(' ').append(s.input()[i]).append(")\n");
                first = false;
            }
            for (int j = 0; j < s.output().length; j++) {
                sb.append(" (Y_").append(j).append(' ').append(s.output()[j]).append(')');
                sb.append(j == s.output().length - 1 ? ")\n" : "\n");
            }
        }
        return sb.toString();
    }
}
