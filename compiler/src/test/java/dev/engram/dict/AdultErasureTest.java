package dev.engram.dict;

import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Compiler;
import dev.engram.compile.Outcome;
import dev.engram.compile.RuleReport;
import dev.engram.data.Dataset;
import dev.engram.data.Encoding;
import dev.engram.data.TrainTest;
import dev.engram.ir.ConceptPolicy;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.source.SourceFile;
import dev.engram.train.MlpTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code erase is_male at layer 1} on a small model trained on the real Adult data, through the rule file's own
 * declarations (the table is encoded by them): after the LEACE edit a fresh logistic probe on what the next layer
 * reads predicts sex no better than the majority rate plus one point (the default allowance the outcome checks), task
 * accuracy moves by a few points at most, and the small MLP probe (no guarantee covers it) is reported as measured.
 * Skips without the shared data.
 */
class AdultErasureTest {

    @Test
    void aFreshLinearProbeCannotFindSexAfterErasure(@TempDir Path tmp) {
        Path adult = dev.engram.SharedData.path().resolve("adult");
        assumeTrue(Files.isRegularFile(adult.resolve("adult.data")) && Files.isRegularFile(adult.resolve("adult.test")),
                "Adult data not found under " + dev.engram.SharedData.path().toAbsolutePath()
                        + " (set -Dengram.shared.data)");
        TrainTest tt = TrainTest.load(adult, Optional.empty(), 5);
        Encoding enc = Encoding.fit(tt.train(), tt.label());
        Dataset train = enc.encode(tt.train());
        MlpTrainer.Result tr = MlpTrainer.builder().setHidden(32, 16).optEpochs(2).optSeed(5).build()
                .train(train.head(8000));
        OnnxModel.fromDense(tr.network(), "input", "output", false, null).write(tmp.resolve("adult.onnx"));
        String rules = enc.declarations("adult.onnx", List.of("test model"))
                + "concept is_male from \"" + adult.resolve("adult.data").toAbsolutePath().toString().replace('\\', '/')
                + "\" column \"sex = Male\"\nerase is_male at layer 1\n";
        CompileResult r = Compiler.compile(CompileRequest.builder().optRules(new SourceFile("adult.engram", rules), tmp)
                .optOut(tmp.resolve("erased.onnx")).optFidelitySamples(200)
                .optConcepts(ConceptPolicy.builder().optMaxDrawdown(0.05).build()).build());
        RuleReport rr = r.rules().get(0);
        System.out.println("adult erasure: " + rr.method());
        assertEquals(Outcome.OK, r.outcome(), r.diagnostics() + "\n" + rr.method());
        assertTrue(rr.method().contains("fresh linear probe") && rr.method().contains("small MLP probe"), rr.method());
    }
}
