package dev.engram.diag;

import dev.engram.source.Span;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Diagnostics and strings with every character class the JSON form escapes. {@code diagnostics.jsonl} holds their
 * JSON as the first (hand-written) renderer printed it, one per line; {@link #main} regenerates it.
 */
final class DiagnosticJsonFixture {
    private DiagnosticJsonFixture() {
    }

    static final List<String> STRINGS = List.of("", "plain", "quote \" backslash \\ slash /",
            "tab \t newline \n return \r backspace \b formfeed \f bell \u0007 nul \u0000 del \u007f",
            "unit \u001f", "c1 \u0085 nbsp \u00a0 line sep \u2028", "Gr\u00fc\u00dfe \ud83d\ude00",
            "lone high \ud800 lone low \udc00", "</script>");

    static List<Diagnostic> diagnostics() {
        List<Diagnostic> out = new ArrayList<>();
        int i = 0;
        for (String s : STRINGS) {
            DiagnosticCode code = DiagnosticCode.values()[i % DiagnosticCode.values().length];
            Span span = Span.of("dir/f" + i + "\t\"x\".engram", i + 1, 2 * i + 1, i + 3, 7);
            out.add(i % 2 == 0 ? Diagnostic.error(code, span, "message: " + s, s)
                    : Diagnostic.warning(code, span, s, i == 3 ? null : "hint " + s));
            i++;
        }
        return out;
    }

    static List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (Diagnostic d : diagnostics()) {
            lines.add(DiagnosticRenderer.json(d));
        }
        for (String s : STRINGS) {
            lines.add(DiagnosticRenderer.jsonString(s));
        }
        return lines;
    }

    public static void main(String[] args) throws IOException {
        Files.write(Path.of(args[0]), lines(), StandardCharsets.UTF_8);
    }
}
