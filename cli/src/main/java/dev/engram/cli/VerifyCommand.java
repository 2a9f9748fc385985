package dev.engram.cli;

import dev.engram.Engram;
import dev.engram.VerifyRequest;
import dev.engram.VerifyResult;
import dev.engram.VnncompResult;
import dev.engram.diag.DiagnosticCode;
import dev.engram.ir.ConceptPolicy;
import dev.engram.verify.Verdict;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code engram verify --model M --vnnlib P}: decides a VNN-LIB property on a model and writes the verdict as a
 * VNN-COMP result file. Exit 0 for a definite answer (sat or unsat), 1 for unknown or timeout, 2 for bad input.
 * With {@code --rules R.engram} instead, every rule, property and {@code ignore} of a rule file is checked, one line
 * each; a violated one is reported at its source position with the counterexample in real units. With
 * {@code --dict M.ncd}, the statements over learned concepts are measured on the model as it is (a rule's efficacy
 * and generalisation, an erasure's linear probe against the majority rate) instead of only noted. Exit 0 when all
 * hold (or are measured within their limits), 3 when any is violated (or measured short), 1 when some could not be
 * decided or checked, 2 for bad input.
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

    @Option(names = "--dict", paramLabel = "M.ncd",
            description = "the model's neural-code dictionary (engram learn): measure the statements over learned "
                    + "concepts on the model as it is")
    Path dict;

    @Option(names = "--min-efficacy", paramLabel = "SHARE", defaultValue = "" + ConceptPolicy.DEFAULT_MIN_EFFICACY,
            description = "with --dict: the share of held-out concept-positive inputs a concept rule must keep "
                    + "(default ${DEFAULT-VALUE})")
    double minEfficacy;

    @Override
    public Integer call() {
        if ((vnnlib == null) == (rules == null)) {
            System.err.println("engram verify: give exactly one of --vnnlib and --rules");
            return 2;
        }
        VerifyResult r = Engram.verify(VerifyRequest.builder().setModel(model).optVnnlib(vnnlib).optRules(rules)
                .optTimeout(timeout).optThreads(threads).optResult(result).optDictionary(dict)
                .optMinEfficacy(minEfficacy).build());
        r.message().ifPresent(m -> System.err.println("engram verify: " + m));
        if (vnnlib != null) {
            Render.diagnostics(System.err, r.diagnostics(), r.sources());
            if (!r.checked().isEmpty()) {
                Verdict v = r.checked().get(0).verdict();
                System.out.println(summary(v, model, vnnlib));
                if (v instanceof Verdict.Sat && result == null) {
                    String text = VnncompResult.text(v);
                    System.out.print(text.substring(text.indexOf('\n') + 1));
                }
            }
            return r.outcome().exitCode();
        }
        Render.diagnostics(System.err, r.diagnostics(), r.sources(), d -> d.code() != DiagnosticCode.E061);
        for (VerifyResult.Checked c : r.checked()) {
            System.out.printf(Locale.ROOT, "%-9s %8.3f s  %-8s %s (%s)%n", c.word(), c.verdict().seconds(), c.kind(),
                    c.name(), c.span());
            if (c.measured()) {
                System.out.println("    " + c.method());
            } else if (c.kind().equals("monotone")) {
                System.out.println("          " + c.method());
            }
        }
        Render.diagnostics(System.err, r.diagnostics(), r.sources(), d -> d.code() == DiagnosticCode.E061);
        if (!r.checked().isEmpty() || r.notChecked() > 0) {
            long hold = r.count(Verdict.Unsat.class);
            long violated = r.count(Verdict.Sat.class);
            long within = r.measured(true);
            long shortOf = r.measured(false);
            System.out.printf(Locale.ROOT, "%d hold, %d violated, %d undecided, %d not checked%s%n", hold, violated,
                    r.checked().size() - hold - violated - within - shortOf, r.notChecked(), within + shortOf == 0
                            ? "" : String.format(Locale.ROOT, "; %d measured: %d within their limits, %d short",
                            within + shortOf, within, shortOf));
        }
        return r.outcome().exitCode();
    }

    /** One line: verdict, time, instance. */
    static String summary(Verdict v, Path model, Path vnnlib) {
        String detail = v instanceof Verdict.Unknown u ? " (" + u.reason() + ")" : "";
        return String.format(Locale.ROOT, "%s in %.3f s: %s on %s%s", v.word(), v.seconds(), vnnlib.getFileName(),
                model.getFileName(), detail);
    }
}
