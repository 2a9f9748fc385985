package dev.engram.cli;

import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code engram train} on German Credit: writes a loadable ONNX model and declarations that check clean; a second run
 * with the same seed is byte-identical and keeps the user's rules below the marker; a foreign file is not overwritten.
 */
class TrainCommandTest {

    @Test
    void trainsWritesDeclarationsThatCheckCleanAndKeepsRules(@TempDir Path tmp) throws Exception {
        Path data = ModelCommandsTest.shared().resolve("german-credit");
        assumeTrue(Files.isRegularFile(data.resolve("credit-g.arff")),
                "German Credit data not found under " + ModelCommandsTest.shared().toAbsolutePath());
        Path model = tmp.resolve("credit.onnx");
        Path rules = tmp.resolve("credit.engram");
        String[] args = {"train", "--data", data.toString(), "--out", model.toString(), "--epochs", "3", "--seed", "5",
                "--hidden", "16,8"};
        ModelCommandsTest.Run r = ModelCommandsTest.engram(args);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("accuracy: train"), r.out());
        DenseNetwork net = Models.readDense(model);
        assertEquals(63, net.inputSize());
        assertEquals(2, net.outputSize());
        String text = Files.readString(rules);
        assertTrue(text.contains("model \"credit.onnx\""), text);
        assertTrue(text.contains("input personal_status at 33 one of {male_div_sep, female_div_dep_mar, male_single,"
                + " male_mar_wid, female_single}"), text);
        assertTrue(text.contains("output class_good at 0"), text);

        Files.writeString(rules, text + "\nignore personal_status\n");
        ModelCommandsTest.Run check = ModelCommandsTest.engram("check", rules.toString(), "--model", model.toString());
        assertEquals(0, check.code(), check.out() + check.err());
        assertTrue(check.out().contains("0 error(s), 0 warning(s)"), check.out());

        byte[] first = Files.readAllBytes(model);
        assertEquals(0, ModelCommandsTest.engram(args).code());
        assertArrayEquals(first, Files.readAllBytes(model), "same seed, same model bytes");
        assertEquals(text + "\nignore personal_status\n", Files.readString(rules), "rules kept below the marker");

        Path foreign = tmp.resolve("mine.engram");
        Files.writeString(foreign, "ignore sex\n");
        ModelCommandsTest.Run refused = ModelCommandsTest.engram("train", "--data", data.toString(), "--out",
                tmp.resolve("other.onnx").toString(), "--rules-out", foreign.toString(), "--epochs", "1");
        assertEquals(2, refused.code());
        assertTrue(refused.err().contains("refusing to overwrite"), refused.err());
        assertEquals("ignore sex\n", Files.readString(foreign));
        assertTrue(Files.notExists(tmp.resolve("other.onnx")));
    }
}
