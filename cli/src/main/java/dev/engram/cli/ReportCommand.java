package dev.engram.cli;

import dev.engram.Engram;
import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.RuleReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code engram report RULES.engram [--model M] [--out report.html]}: compiles the rules without writing a model or
 * a patch, and writes the HTML report (with the JSON report beside it) for whoever wants to see what compiling
 * would do and how every rule is proved. Exit codes as for {@code engram compile}.
 */
@Command(name = "report", description = "Compile without writing the model; write the HTML report (and its JSON).")
public final class ReportCommand implements Callable<Integer> {

    @Parameters(paramLabel = "RULES.engram", description = "rule file")
    Path rules;

    @Option(names = "--model", paramLabel = "MODEL", description = "model file; default: the rule file's model declaration")
    Path model;

    @Option(names = "--out", paramLabel = "R.html", defaultValue = "report.html",
            description = "where to write the report (default ${DEFAULT-VALUE}); the JSON goes beside it")
    Path out;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "time limit of the whole compilation (default ${DEFAULT-VALUE})")
    double timeout;

    @Override
    public Integer call() {
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".html")) {
            System.err.println("engram report: --out must end with .html (the JSON is written beside it)");
            return 2;
        }
        CompileResult r = Engram.compile(CompileRequest.builder().setModel(model).optRules(rules).optReport(out)
                .optTimeout(timeout).build());
        Render.diagnostics(System.err, r.diagnostics(), r.sources());
        r.message().ifPresent(m -> System.err.println("engram report: " + m));
        for (RuleReport rr : r.rules()) {
            System.out.printf(Locale.ROOT, "%-28s %-8s %-10s %s%n", rr.name(), rr.kind(), rr.strategy(),
                    rr.proved() ? "proved" : rr.verdict().word());
        }
        if (r.rules().isEmpty()) {
            System.err.println("engram report: nothing was compiled, so there is no report");
        } else {
            String name = out.getFileName().toString();
            System.out.println("wrote " + out + " and the JSON beside it, " + name.substring(0, name.length() - 5)
                    + ".json");
        }
        return r.outcome().exitCode();
    }
}
