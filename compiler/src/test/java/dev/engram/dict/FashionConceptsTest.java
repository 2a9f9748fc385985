package dev.engram.dict;

import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Compiler;
import dev.engram.compile.Outcome;
import dev.engram.data.ArrayData;
import dev.engram.data.Dataset;
import dev.engram.ir.ConceptPolicy;
import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.source.SourceFile;
import dev.engram.source.Span;
import dev.engram.train.MlpTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Fashion-MNIST: a small MLP trained on part of the training images; the dictionary learned from all 60,000 locates
 * {@code footwear} (sandal, sneaker, ankle boot) and {@code upper_body} (T-shirt, pullover, coat, shirt) with a held-out
 * AUC above 0.97 even for this small model, and "footwear is never decided as bag" compiles through the dictionary file with efficacy,
 * locality and drawdown measured on the t10k images. The full-size figures come from {@code ConceptRulesBench}.
 * Skips without the shared data.
 */
class FashionConceptsTest {

    static final String IMAGES = "train-images-idx3-ubyte.gz";

    @Test
    void locatesFootwearAndUpperBodyAndCompilesARuleThroughTheDictionary(@TempDir Path tmp) {
        Path data = dev.engram.SharedData.path().resolve("fashion-mnist");
        assumeTrue(Files.isRegularFile(data.resolve(IMAGES)), "Fashion-MNIST not found under "
                + dev.engram.SharedData.path().toAbsolutePath() + " (set -Dengram.shared.data)");
        Path train = data.resolve(IMAGES);
        DenseNetwork net = MlpTrainer.builder().setHidden(48, 24).optEpochs(2).optSeed(2).build()
                .train(head(train, 6000)).network();
        Path model = tmp.resolve("fashion.onnx");
        OnnxModel.fromDense(net, "input", "output", false, Map.of()).write(model);
        String sha = Models.load(model).sha256();
        List<ConceptSpec> specs = List.of(
                new ConceptSpec("footwear", train, "label in {5, 7, 9}", OptionalInt.empty(), Span.NONE),
                new ConceptSpec("upper_body", train, "label in {0, 2, 4, 6}", OptionalInt.empty(), Span.NONE));
        Learner.Learned l = Learner.learn(Models.readDense(model), sha, DataLayout.none(784, 10), specs,
                Learner.Options.defaults());
        for (String c : List.of("footwear", "upper_body")) {
            Dictionary.Concept dc = l.dictionary().concept(c).orElseThrow();
            double auc = dc.at(dc.chosenLayer()).orElseThrow().auc();
            assertTrue(auc > 0.97, c + " AUC " + auc);
        }
        assertEquals(60000, l.dictionary().sources().get(0).rows());
        Path ncd = tmp.resolve("fashion.ncd");
        NcdFile.write(l.dictionary(), ncd);

        StringBuilder outs = new StringBuilder();
        for (int k = 0; k < 10; k++) {
            outs.append(k == 8 ? "output bag at 8\n" : "output c" + k + " at " + k + "\n");
        }
        String rules = "model \"fashion.onnx\"\n" + outs + "decide argmax\n"
                + "concept footwear from \"" + train.toAbsolutePath().toString().replace('\\', '/')
                + "\" column \"label in {5, 7, 9}\"\n"
                + "rule footwear_not_bag: when footwear then bag is not the decision\n";
        CompileResult r = Compiler.compile(CompileRequest.builder().optRules(new SourceFile("f.engram", rules), tmp)
                .optOut(tmp.resolve("edited.onnx")).optFidelitySamples(100)
                .optConcepts(ConceptPolicy.builder().optDictionary(ncd).build()).build());
        System.out.println("fashion: " + (r.rules().isEmpty() ? r.diagnostics() : r.rules().get(0).method()));
        assertEquals(Outcome.OK, r.outcome(), r.diagnostics().toString());
        assertTrue(r.rules().get(0).method().contains("(1000") || r.rules().get(0).method().contains("test positives"),
                r.rules().get(0).method());
    }

    /** The first {@code n} labelled images of an IDX file. */
    static Dataset head(Path images, int n) {
        List<float[]> x = new ArrayList<>();
        List<Integer> y = new ArrayList<>();
        try (ArrayData.Rows rows = ArrayData.Rows.open(images, ArrayData.labelsFor(images))) {
            for (ArrayData.Rows.Chunk c = rows.next(1000); c != null && x.size() < n; c = rows.next(1000)) {
                for (int r = 0; r < c.size(); r++) {
                    x.add(c.x()[r]);
                    y.add((int) c.labels()[r]);
                }
            }
        }
        List<String> classes = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            classes.add(Integer.toString(k));
        }
        return new Dataset(x.toArray(new float[0][]), y.stream().mapToInt(Integer::intValue).toArray(), classes);
    }
}
