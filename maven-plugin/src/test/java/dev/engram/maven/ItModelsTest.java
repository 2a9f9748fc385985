package dev.engram.maven;

import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The committed IT model is the network {@link ItModels} generates (weights equal bit for bit). */
class ItModelsTest {
    @Test
    void committedModelIsTheGeneratedNetwork() {
        DenseNetwork committed = Models.readDense(Path.of("src/it/compile-ok/src/main/models/loan.onnx"));
        DenseNetwork expected = ItModels.loan();
        assertEquals(expected.layers().size(), committed.layers().size());
        for (int l = 0; l < expected.layers().size(); l++) {
            DenseLayer a = expected.layers().get(l);
            DenseLayer b = committed.layers().get(l);
            assertArrayEquals(a.bias(), b.bias(), 0f, "bias " + l);
            for (int o = 0; o < a.outputSize(); o++) {
                assertArrayEquals(a.weight()[o], b.weight()[o], 0f, "weights " + l + " row " + o);
            }
        }
    }
}
