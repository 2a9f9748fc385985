package dev.engram;

import dev.engram.compile.CompileRequest;
import dev.engram.model.DenseNetworks;
import dev.engram.model.onnx.OnnxModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** What a compilation reads, hashed: equal inputs give equal fingerprints, any changed input another one. */
class FingerprintTest {
    static final String RULES = """
            model "m.onnx"
            input x at 0 in [0, 1]
            input y at 1 in [0, 1]
            output a at 0
            output b at 1
            decide argmax
            rule r: when x <= 0.2 then a is not the decision
            """;

    static Fingerprint of(Path rules, double timeout) {
        return Engram.fingerprint(CompileRequest.builder().optRules(rules).optTimeout(timeout).build());
    }

    @Test
    void changesWithEveryInputAndNothingElse(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.onnx");
        OnnxModel.fromDense(DenseNetworks.random(new Random(1), "fc", 0.1, 2, 4, 4, 2), "x", "y", true, Map.of())
                .write(model);
        Path rules = dir.resolve("r.engram");
        Files.writeString(rules, RULES);
        Fingerprint first = of(rules, 60);
        assertEquals(Optional.of(model.toAbsolutePath().normalize()), first.model());
        assertEquals(first, of(rules, 60));
        assertNotEquals(first.sha256(), of(rules, 30).sha256(), "options count");

        Files.writeString(rules, RULES + "\n// a comment\n");
        Fingerprint edited = of(rules, 60);
        assertNotEquals(first.sha256(), edited.sha256(), "rule text counts");

        OnnxModel.fromDense(DenseNetworks.random(new Random(2), "fc", 0.1, 2, 4, 4, 2), "x", "y", true, Map.of())
                .write(model);
        assertNotEquals(edited.sha256(), of(rules, 60).sha256(), "model bytes count");
    }

    @Test
    void missingFilesAreHashedNotThrown(@TempDir Path dir) {
        Fingerprint f = of(dir.resolve("absent.engram"), 60);
        assertEquals(64, f.sha256().length());
        assertEquals(Optional.empty(), f.model());
    }
}
