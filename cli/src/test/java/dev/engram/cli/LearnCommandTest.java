package dev.engram.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code engram learn}, {@code engram dict show} and {@code engram compile --dict} on generated images: a dictionary of
 * the data's classes and of declared concepts, its quality table, a concept rule compiled through it and reported as
 * measured, {@code engram verify --dict} measuring the statements on the model as it is, and clear errors for a
 * file that is not a dictionary and for a rule over a weakly coded concept.
 */
class LearnCommandTest {

    @Test
    void learnsShowsAndCompilesThroughADictionary(@TempDir Path tmp) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("shapes"));
        TrainImagesCommandTest.writeImages(data, "train", 900, 1);
        TrainImagesCommandTest.writeImages(data, "t10k", 300, 2);
        Path model = tmp.resolve("shapes.onnx");
        assertEquals(0, ModelCommandsTest.engram("train", "--data", data.toString(), "--out", model.toString(),
                "--epochs", "6", "--batch-size", "16", "--hidden", "16,8", "--classes", "top,bottom,left").code());
        Path images = data.resolve("train-images-idx3-ubyte.gz");

        ModelCommandsTest.Run classes = ModelCommandsTest.engram("learn", "--model", model.toString(), "--data",
                images.toString(), "--out", tmp.resolve("classes.ncd").toString());
        assertEquals(0, classes.code(), classes.out() + classes.err());
        assertTrue(classes.out().contains("class_2") && classes.out().contains("label = 2")
                && classes.out().contains("layer 1 AUC (acc)"), classes.out());

        Path rules = tmp.resolve("shapes.engram");
        Files.writeString(rules, Files.readString(rules) + "concept up from \"shapes/train-images-idx3-ubyte.gz\" "
                + "column \"label = 0\"\nrule up_not_left: when up then left is not the decision margin 1\n");
        Path ncd = tmp.resolve("shapes.ncd");
        ModelCommandsTest.Run learn = ModelCommandsTest.engram("learn", "--model", model.toString(), "--concepts",
                rules.toString(), "--out", ncd.toString());
        assertEquals(0, learn.code(), learn.out() + learn.err());
        assertTrue(learn.out().contains("up ") && learn.out().contains("rows/s"), learn.out());

        ModelCommandsTest.Run show = ModelCommandsTest.engram("dict", "show", ncd.toString(), "--model",
                model.toString());
        assertEquals(0, show.code(), show.err());
        assertTrue(show.out().contains("most selective units"), show.out());
        ModelCommandsTest.Run json = ModelCommandsTest.engram("dict", "show", ncd.toString(), "--json");
        assertTrue(json.out().contains("\"format\" : \"engram neural-code dictionary\""), json.out());

        ModelCommandsTest.Run compiled = ModelCommandsTest.engram("compile", rules.toString(), "--dict", ncd.toString(),
                "--out", tmp.resolve("edited.onnx").toString(), "--samples", "100");
        assertEquals(0, compiled.code(), compiled.out() + compiled.err());
        assertTrue(compiled.out().contains("measured") && compiled.out().contains("efficacy"), compiled.out());

        // verify: without a dictionary the concept statements are noted; with one they are measured as the model is
        Path claims = Files.writeString(tmp.resolve("claims.engram"), Files.readString(rules)
                + "erase up at layer 1\n");
        ModelCommandsTest.Run noted = ModelCommandsTest.engram("verify", "--model", model.toString(), "--rules",
                claims.toString());
        assertEquals(1, noted.code(), noted.out() + noted.err());
        assertTrue(noted.err().contains("note[E060]: not verified") && noted.err().contains("--dict M.ncd")
                && noted.err().contains("nothing to verify"), noted.err());
        ModelCommandsTest.Run measured = ModelCommandsTest.engram("verify", "--model", model.toString(), "--rules",
                claims.toString(), "--dict", ncd.toString());
        assertEquals(3, measured.code(), measured.out() + measured.err());
        assertTrue(measured.out().matches("(?s)measured .* rule +up_not_left .*\n +measured on held-out data, not "
                + "proved: efficacy .*"), measured.out());
        assertTrue(measured.out().matches("(?s).*\nshort .* erase +erase up .*a linear probe predicts the concept "
                + "at .*"), measured.out());
        assertTrue(measured.out().contains("0 hold, 0 violated, 0 undecided, 0 not checked; 2 measured: 1 within "
                + "their limits, 1 short"), measured.out());
        assertTrue(measured.err().contains("error[E061]: 'erase up' does not hold on shapes.onnx: measured: linear "
                + "probe"), measured.err());

        ModelCommandsTest.Run weak = ModelCommandsTest.engram("compile", rules.toString(), "--dict", ncd.toString(),
                "--out", tmp.resolve("weak.onnx").toString(), "--min-auc", "1.5");
        assertEquals(3, weak.code(), weak.out() + weak.err());
        assertTrue(weak.err().contains("error[E062]") && weak.err().contains("coded too weakly"), weak.err());

        Path junk = Files.writeString(tmp.resolve("junk.ncd"), "not a dictionary");
        ModelCommandsTest.Run bad = ModelCommandsTest.engram("dict", "show", junk.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("not an Engram neural-code dictionary"), bad.err());
    }
}
