package dev.engram.cli;

import dev.engram.model.DenseNetwork;
import dev.engram.model.DenseNetworks;
import dev.engram.model.onnx.OnnxModel;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code engram bench vnncomp} on an instance list the test writes: an instance is scored against the expected
 * verdicts whether the two lists name its files the same way or not (relative to different folders, absolute),
 * and a wrong answer against them sets the exit code.
 */
class BenchCommandTest {

    /** A model with two inputs and a property no output can meet (unsat), in {@code dir/models}. */
    private static Path[] instance(Path dir) throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        DenseNetwork net = DenseNetworks.random(new Random(5), "l", 0.1, 2, 8, 2);
        OnnxModel.fromDense(net, "x", "y", true, Map.of()).write(models.resolve("net.onnx"));
        Files.writeString(models.resolve("far.vnnlib"), """
                (declare-const X_0 Real)
                (declare-const X_1 Real)
                (declare-const Y_0 Real)
                (declare-const Y_1 Real)
                (assert (>= X_0 -1))
                (assert (<= X_0 1))
                (assert (>= X_1 -1))
                (assert (<= X_1 1))
                (assert (>= Y_0 1000000))
                """);
        return new Path[] {models.resolve("net.onnx"), models.resolve("far.vnnlib")};
    }

    private static ModelCommandsTest.Run bench(Path dir, String expectedVerdict) throws Exception {
        Path[] inst = instance(dir);
        Path lists = Files.createDirectories(dir.resolve("lists"));
        Files.writeString(lists.resolve("instances.csv"), inst[0] + "," + inst[1] + ",10\n");
        Files.writeString(dir.resolve("expected.csv"),
                "onnx,vnnlib,expected\nmodels/net.onnx,models/far.vnnlib," + expectedVerdict + "\n");
        return ModelCommandsTest.engram("bench", "vnncomp", "--instances", lists.resolve("instances.csv").toString(),
                "--expected", dir.resolve("expected.csv").toString(), "--out", dir.resolve("out.csv").toString(),
                "--no-progress");
    }

    @Test
    void instancesNamedDifferentlyAreStillScored() throws Exception {
        Path dir = Files.createTempDirectory("bench");
        ModelCommandsTest.Run r = bench(dir, "unsat");
        assertEquals(0, r.code(), r.out() + r.err());
        List<String> rows = Files.readAllLines(dir.resolve("out.csv"));
        assertEquals(2, rows.size(), rows.toString());
        assertTrue(rows.get(1).contains(",unsat,") && rows.get(1).contains(",right,"), rows.toString());
    }

    @Test
    void aWrongAnswerSetsTheExitCode() throws Exception {
        Path dir = Files.createTempDirectory("bench");
        ModelCommandsTest.Run r = bench(dir, "sat");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(Files.readAllLines(dir.resolve("out.csv")).get(1).contains(",WRONG,"));
        assertTrue(r.err().contains("WRONG"), r.err());
    }
}
