package dev.engram.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code engram demo} end to end, as the README's first command runs it: every rule is violated by the trained
 * model, compiled, and proved on the written file; the files are written; minors are no longer approved.
 */
class DemoCommandTest {
    @Test
    void theDemoShowsViolationsThenProvesEveryRule(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        int rc;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            rc = Main.commandLine().execute("demo", "--out", dir.toString(), "--no-progress");
        } finally {
            System.setOut(saved);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, text);
        assertTrue(text.contains("violated  no_minors          age = 1"), text);
        assertTrue(text.contains("violated  young_small_loans"), text);
        assertTrue(text.contains("violated  ignore sex"), text);
        assertTrue(text.contains("3 hold, 0 violated"), text);
        assertTrue(text.matches("(?s).*minors approved \\(2,000\\)\\s+\\d+\\.\\d%\\s+0\\.0%.*"), text);
        for (String f : new String[] {"loan.onnx", "loan.engram", "loan-patched.onnx", "loan.epatch", "report.html",
                "report.json"}) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
    }
}
