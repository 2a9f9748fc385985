package dev.engram.check;

import dev.engram.diag.Diagnosed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.engram.diag.Diagnostic;
import dev.engram.source.SourceFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Semantically malformed rule files: first line {@code // expect: CODE line:col, ...} lists exactly the
 * diagnostics (in position order) the checker must report.
 */
class SemanticCorpusTest {

    @TestFactory
    Stream<DynamicTest> everyFileReportsExactlyItsExpectedDiagnostics() throws Exception {
        Path dir = Path.of(getClass().getResource("/malformed").toURI());
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".engram")).sorted().toList();
        }
        assertTrue(files.size() >= 35, "corpus has " + files.size() + " files");
        return files.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            String text = Files.readString(p, StandardCharsets.UTF_8);
            String first = text.substring(0, text.indexOf('\n'));
            List<String> want = Arrays.stream(first.substring("// expect: ".length()).split(",")).map(String::strip).toList();
            Diagnosed<CheckedProgram> r = Checker.check(new SourceFile(p.getFileName().toString(), text), CheckOptions.none());
            List<String> got = r.diagnostics().stream().map(d -> d.code().id() + " " + d.span().start()).toList();
            assertEquals(want, got, r.diagnostics().toString());
            boolean errors = r.diagnostics().stream().anyMatch(Diagnostic::isError);
            assertEquals(errors, r.value().isEmpty());
            r.diagnostics().forEach(d -> assertFalse(d.hint() == null || d.hint().isBlank(), d.toString()));
        }));
    }
}
