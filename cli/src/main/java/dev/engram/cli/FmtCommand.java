package dev.engram.cli;

import dev.engram.diag.DiagnosticRenderer;
import dev.engram.front.SourcePaths;
import dev.engram.parse.AstPrinter;
import dev.engram.diag.Diagnosed;
import dev.engram.ast.RuleFile;
import dev.engram.parse.RuleParser;
import dev.engram.source.SourceFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code engram fmt [--check] FILE|DIR...}: rewrites rule files in canonical form (atomically), or with
 * {@code --check} only reports which files are not canonical (exit 1). Files with syntax errors are left alone.
 */
@Command(name = "fmt", description = "Format rule files canonically (in place, atomically); --check only reports.")
public final class FmtCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "rule files or directories")
    List<Path> paths;

    @Option(names = "--check", description = "do not write; exit 1 when a file is not formatted")
    boolean check;

    @Override
    public Integer call() {
        List<Path> files;
        try {
            files = SourcePaths.expand(paths, false);
        } catch (IOException e) {
            System.err.println("engram fmt: " + e.getMessage());
            return 2;
        }
        int status = 0;
        for (Path p : files) {
            SourceFile src;
            try {
                src = SourceFile.read(p);
            } catch (IOException e) {
                System.err.println("engram fmt: cannot read " + p + ": " + e.getMessage());
                status = 2;
                continue;
            }
            Diagnosed<RuleFile> r = RuleParser.parse(src);
            if (r.value().isEmpty()) {
                System.out.print(DiagnosticRenderer.text(r.diagnostics(), src));
                System.err.println("engram fmt: " + p + ": not formatted (fix the errors first)");
                status = Math.max(status, 1);
                continue;
            }
            String formatted = AstPrinter.print(r.value().get());
            if (formatted.equals(src.text())) {
                continue;
            }
            if (check) {
                System.out.println(p + ": not formatted");
                status = Math.max(status, 1);
                continue;
            }
            try {
                writeAtomically(p, formatted);
                System.out.println(p + ": formatted");
            } catch (IOException e) {
                System.err.println("engram fmt: cannot write " + p + ": " + e.getMessage());
                status = 2;
            }
        }
        return status;
    }

    private static void writeAtomically(Path p, String text) throws IOException {
        Path dir = p.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + p.getFileName() + ".", ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
