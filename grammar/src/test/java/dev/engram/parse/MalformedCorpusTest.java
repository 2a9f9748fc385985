package dev.engram.parse;

import dev.engram.diag.Diagnosed;
import dev.engram.ast.RuleFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.engram.source.SourceFile;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Syntax-level malformed inputs: each file's first line is {@code // expect: CODE line:col, ...}, the exact
 * diagnostics (code and start position, in order) the parser must report.
 */
class MalformedCorpusTest {

    static List<Path> corpus(Class<?> anchor) throws IOException, URISyntaxException {
        Path dir = Path.of(anchor.getResource("/malformed").toURI());
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".engram")).sorted().toList();
        }
    }

    static List<String> expected(String text) {
        String first = text.substring(0, text.indexOf('\n'));
        assertTrue(first.startsWith("// expect: "), "first line must be // expect: ...");
        return Arrays.stream(first.substring("// expect: ".length()).split(",")).map(String::strip).toList();
    }

    @TestFactory
    Stream<DynamicTest> everyFileReportsExactlyItsExpectedDiagnostics() throws Exception {
        List<Path> files = corpus(getClass());
        assertTrue(files.size() >= 40, "corpus has " + files.size() + " files");
        return files.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            String text = Files.readString(p, StandardCharsets.UTF_8);
            Diagnosed<RuleFile> r = RuleParser.parse(new SourceFile(p.getFileName().toString(), text));
            List<String> got = r.diagnostics().stream().map(d -> d.code().id() + " " + d.span().start()).toList();
            assertEquals(expected(text), got, r.diagnostics().toString());
            assertFalse(r.value().isPresent());
            r.diagnostics().forEach(d -> assertFalse(d.message().isBlank()));
        }));
    }
}
