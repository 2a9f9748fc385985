package dev.engram.cli;

import dev.engram.check.CheckOptions;
import dev.engram.check.CheckResult;
import dev.engram.check.Checker;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticRenderer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;
import dev.engram.source.SourceFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code engram check FILE|DIR...}: parses and checks rule files (and VNN-LIB files), prints diagnostics.
 * Exit 0 when clean or only warnings, 1 when any error, 2 for usage or I/O problems.
 */
@Command(name = "check", description = "Check rule files (*.engram) and VNN-LIB files; directories are searched recursively.")
public final class CheckCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "rule files, VNN-LIB files or directories")
    List<Path> paths;

    @Option(names = "--format", defaultValue = "text", description = "text (default) or json")
    String format;

    @Option(names = "--model", paramLabel = "MODEL", description = "check indices against this model's input/output counts")
    Path model;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        PrintStream err = System.err;
        if (!format.equals("text") && !format.equals("json")) {
            err.println("engram check: unknown --format '" + format + "' (use text or json)");
            return 2;
        }
        OptionalInt ins = OptionalInt.empty();
        OptionalInt outs = OptionalInt.empty();
        if (model != null) {
            try {
                DenseNetwork net = Models.load(model).dense();
                ins = OptionalInt.of(net.inputSize());
                outs = OptionalInt.of(net.outputSize());
            } catch (RuntimeException e) {
                err.println("engram check: cannot read model " + model + ": " + e.getMessage());
                return 2;
            }
        }
        List<Path> files;
        try {
            files = SourceFiles.expand(paths, true);
        } catch (IOException e) {
            err.println("engram check: " + e.getMessage());
            return 2;
        }
        int errors = 0;
        int warnings = 0;
        int ioProblems = 0;
        int checked = 0;
        List<String> json = new ArrayList<>();
        for (Path p : files) {
            SourceFile src;
            try {
                src = SourceFiles.read(p);
            } catch (IOException | RuntimeException e) {
                err.println("engram check: cannot read " + p + ": " + e.getMessage());
                ioProblems++;
                continue;
            }
            List<Diagnostic> ds;
            if (p.toString().endsWith(".vnnlib")) {
                ds = VnnlibSupport.check(src);
                if (ds == null) {
                    if (format.equals("text")) {
                        err.println("note: " + p + ": VNN-LIB checking is not available in this build; skipped");
                    }
                    continue;
                }
            } else {
                Path base = p.toAbsolutePath().getParent();
                CheckResult r = Checker.check(src, new CheckOptions(ins, outs, base));
                ds = r.diagnostics();
            }
            checked++;
            for (Diagnostic d : ds) {
                if (d.isError()) {
                    errors++;
                } else {
                    warnings++;
                }
                if (format.equals("json")) {
                    json.add(DiagnosticRenderer.json(d));
                } else {
                    out.print(DiagnosticRenderer.text(d, src));
                }
            }
        }
        if (format.equals("json")) {
            out.println("{\"files\":" + checked + ",\"errors\":" + errors + ",\"warnings\":" + warnings
                    + ",\"diagnostics\":[" + String.join(",", json) + "]}");
        } else {
            out.println(checked + (checked == 1 ? " file" : " files") + " checked: " + errors + " error(s), " + warnings + " warning(s)");
        }
        if (ioProblems > 0) {
            return 2;
        }
        return errors > 0 ? 1 : 0;
    }
}
