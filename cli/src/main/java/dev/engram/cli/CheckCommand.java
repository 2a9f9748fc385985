package dev.engram.cli;

import dev.engram.CheckReport;
import dev.engram.Engram;
import dev.engram.diag.Diagnostic;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.engram.diag.DiagnosticJson;
import dev.engram.diag.DiagnosticRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code engram check FILE|DIR...}: parses and checks rule files (and VNN-LIB files) through {@link Engram#check},
 * prints diagnostics. Exit 0 when clean or only warnings, 1 when any error, 2 for usage or I/O problems.
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
        if (!format.equals("text") && !format.equals("json")) {
            System.err.println("engram check: unknown --format '" + format + "' (use text or json)");
            return 2;
        }
        CheckReport r = Engram.check(paths, Optional.ofNullable(model));
        if (r.message().isPresent()) {
            System.err.println("engram check: " + r.message().get());
            return 2;
        }
        r.unreadable().forEach(u -> System.err.println("engram check: " + u));
        ArrayNode json = DiagnosticJson.object().arrayNode();
        for (CheckReport.FileReport f : r.files()) {
            for (Diagnostic d : f.diagnostics()) {
                if (format.equals("json")) {
                    json.add(DiagnosticJson.of(d));
                } else {
                    System.out.print(DiagnosticRenderer.text(d, f.source()));
                }
            }
        }
        int checked = r.files().size();
        if (format.equals("json")) {
            ObjectNode o = DiagnosticJson.object().put("files", checked).put("errors", r.errors())
                    .put("warnings", r.warnings());
            o.set("diagnostics", json);
            System.out.println(DiagnosticJson.write(o));
        } else {
            System.out.println(checked + (checked == 1 ? " file" : " files") + " checked: " + r.errors() + " error(s), "
                    + r.warnings() + " warning(s)");
        }
        if (!r.unreadable().isEmpty()) {
            return 2;
        }
        return r.errors() > 0 ? 1 : 0;
    }
}
