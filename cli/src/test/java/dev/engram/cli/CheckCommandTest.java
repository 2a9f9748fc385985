package dev.engram.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code engram check}: the text summary and the JSON envelope agree on a file with one error. */
class CheckCommandTest {

    @Test
    void jsonEnvelopeCountsAndPositions(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("bad \"quoted\".engram");
        Files.writeString(rules, "input x at 0 in [0, 1]\noutput y at 0\n\nproperty p:\n    over x >= 0.5\n    ensure z <= 1\n");

        ModelCommandsTest.Run text = ModelCommandsTest.engram("check", rules.toString());
        assertEquals(1, text.code(), text.out() + text.err());
        assertTrue(text.out().contains("1 file checked: 1 error(s), 0 warning(s)"), text.out());

        ModelCommandsTest.Run json = ModelCommandsTest.engram("check", "--format", "json", rules.toString());
        assertEquals(1, json.code(), json.out() + json.err());
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertEquals(1, root.get("files").asInt());
        assertEquals(1, root.get("errors").asInt());
        assertEquals(0, root.get("warnings").asInt());
        JsonNode d = root.get("diagnostics").get(0);
        assertTrue(d.get("file").asText().endsWith("bad \"quoted\".engram"), d.toString());
        assertEquals(6, d.get("line").asInt(), d.toString());
        assertTrue(d.get("message").asText().contains("z"), d.toString());
    }
}
