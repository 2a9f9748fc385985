package dev.engram.diag;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The JSON form of diagnostics is what the first renderer printed, byte for byte ({@code diagnostics.jsonl}). */
class DiagnosticJsonTest {

    @Test
    void jsonMatchesTheCommittedLines() throws Exception {
        String golden;
        try (InputStream in = DiagnosticJsonTest.class.getResourceAsStream("/diag/diagnostics.jsonl")) {
            golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> expected = golden.lines().toList();
        List<String> actual = DiagnosticJsonFixture.lines();
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), actual.get(i), "line " + (i + 1));
        }
    }
}
