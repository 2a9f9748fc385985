package dev.engram.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code engram inspect} and {@code engram run} on a model that is not a dense chain (a VNN-COMP conv net). */
class GraphCommandsTest {

    @Test
    void inspectListsTheGraphAndRunExecutesIt() throws Exception {
        Path model = ModelCommandsTest.shared().resolve("vnncomp2021/verivital/Convnet_maxpool.onnx");
        assumeTrue(Files.isRegularFile(model), "VNN-COMP 2021 data not found");
        ModelCommandsTest.Run inspect = ModelCommandsTest.engram("inspect", model.toString());
        assertEquals(0, inspect.code(), inspect.err());
        assertTrue(inspect.out().contains("dense network: not available") && inspect.out().contains("graph:   5 operators")
                && inspect.out().contains("MaxPool") && inspect.out().contains("[1,32,27,27]"), inspect.out());
        StringBuilder image = new StringBuilder();
        for (int i = 0; i < 784; i++) {
            image.append(i == 0 ? "" : ",").append((i % 28) / 28f);
        }
        ModelCommandsTest.Run run = ModelCommandsTest.engram("run", "--model", model.toString(), "--input",
                image.toString());
        assertEquals(0, run.code(), run.err());
        assertEquals(10, run.out().trim().split(",").length, run.out());
        ModelCommandsTest.Run wrong = ModelCommandsTest.engram("run", "--model", model.toString(), "--input", "1,2");
        assertEquals(2, wrong.code());
        assertTrue(wrong.err().contains("expected 784 values"), wrong.err());
    }
}
