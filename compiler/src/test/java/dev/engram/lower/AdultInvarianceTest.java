package dev.engram.lower;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import dev.engram.check.CheckOptions;
import dev.engram.diag.Diagnosed;
import dev.engram.check.CheckedProgram;
import dev.engram.check.Checker;
import dev.engram.data.Dataset;
import dev.engram.data.Encoding;
import dev.engram.data.TrainTest;
import dev.engram.validate.Independence;
import dev.engram.front.ProgramToIr;
import dev.engram.model.DenseNetwork;
import dev.engram.model.LoadedModel;
import dev.engram.model.Models;
import dev.engram.model.io.AtomicFiles;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.source.SourceFile;
import dev.engram.train.Metrics;
import dev.engram.train.MlpTrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code ignore sex} end to end on a small model trained on the real Adult data: the generated declarations check
 * clean, the lowered model is written through the original file's tensors, independence is proved on the file as read
 * back, flipping sex changes no output on the test rows (in our evaluation and in ONNX Runtime), and the accuracy
 * before/after is reported.
 * Skips without the shared data.
 */
class AdultInvarianceTest {

    static Path shared() {
        return dev.engram.SharedData.path();
    }

    static float[][] ort(byte[] model, float[][] inputs) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(model, o)) {
                String in = s.getInputNames().iterator().next();
                float[][] out = new float[inputs.length][];
                for (int r = 0; r < inputs.length; r++) {
                    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(inputs[r]),
                            new long[] {1, inputs[r].length}); OrtSession.Result res = s.run(Map.of(in, t))) {
                        FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
                        out[r] = new float[fb.remaining()];
                        fb.get(out[r]);
                    }
                }
                return out;
            }
        }
    }

    @Test
    void ignoreSexIsProvedOnTheReloadedFile(@TempDir Path tmp) throws Exception {
        Path adult = shared().resolve("adult");
        assumeTrue(Files.isRegularFile(adult.resolve("adult.data")) && Files.isRegularFile(adult.resolve("adult.test")),
                "Adult data not found under " + shared().toAbsolutePath() + " (set -Dengram.shared.data)");
        TrainTest tt = TrainTest.load(adult, Optional.empty(), 11);
        Encoding enc = Encoding.fit(tt.train(), tt.label());
        Dataset train = enc.encode(tt.train());
        Dataset test = enc.encode(tt.test());
        MlpTrainer.Result tr = MlpTrainer.builder().setHidden(32, 16).optEpochs(2).optSeed(11).build()
                .train(train.head(10000));
        Path model = tmp.resolve("adult.onnx");
        OnnxModel.fromDense(tr.network(), "input", "output", false, null).write(model);

        Path rules = tmp.resolve("adult.engram");
        String text = enc.declarations("adult.onnx", List.of("test model")) + "\n/// Fairness.\nignore sex\n";
        AtomicFiles.write(rules, text.getBytes(StandardCharsets.UTF_8));
        LoadedModel loaded = Models.load(model);
        DenseNetwork net = loaded.dense();
        Diagnosed<CheckedProgram> cr = Checker.check(new SourceFile(rules.toString(), text),
                new CheckOptions(java.util.OptionalInt.of(net.inputSize()), java.util.OptionalInt.of(net.outputSize()), tmp));
        assertFalse(cr.hasErrors(), cr.diagnostics().toString());
        assertTrue(cr.diagnostics().isEmpty(), "clean: " + cr.diagnostics());
        CheckedProgram p = cr.value().orElseThrow();
        CheckedProgram.Invariance inv = p.invariances().get(0);
        CheckedProgram.Input sex = p.inputs().stream().filter(i -> i.name().equals("sex")).findFirst().orElseThrow();
        assertTrue(sex.categorical());
        assertEquals(List.of("Female", "Male"), sex.values());
        assertEquals(Arrays.stream(enc.slots("sex")).boxed().toList(), inv.slots());

        InvarianceLowering.Result low = InvarianceLowering.lower(net, ProgramToIr.input(sex), train.x());
        assertEquals(List.of("layer0.weight", "layer0.bias"),
                low.touched().stream().map(TouchedTensor::tensorName).toList());
        Path patched = tmp.resolve("adult-fair.onnx");
        loaded.withDense(low.network()).write(patched);

        assertFalse(Independence.proveFile(model, low.slots()).holds(), "the original depends on sex");
        Independence.Proof proof = Independence.proveFile(patched, inv.slots().stream().mapToInt(Integer::intValue).toArray());
        assertTrue(proof.holds(), proof.violations().toString());
        assertEquals(32 * 2, proof.checkedWeights(), "32 first-layer units times 2 sex slots");

        DenseNetwork back = Models.readDense(patched);
        float[][] rows = Arrays.copyOf(test.x(), 2000);
        assertEquals(0.0, Independence.maxFlipChange(back, low.slots(), rows, Independence.alternatives(ProgramToIr.input(sex))));

        // ONNX Runtime on the written file: flipping sex changes no output bit either
        float[][] female = Arrays.copyOf(test.x(), 300);
        float[][] male = new float[female.length][];
        for (int i = 0; i < female.length; i++) {
            female[i] = female[i].clone();
            male[i] = female[i].clone();
            female[i][low.slots()[0]] = 1f;
            female[i][low.slots()[1]] = 0f;
            male[i][low.slots()[0]] = 0f;
            male[i][low.slots()[1]] = 1f;
        }
        byte[] bytes = Files.readAllBytes(patched);
        float[][] ortFemale = ort(bytes, female);
        float[][] ortMale = ort(bytes, male);
        for (int i = 0; i < female.length; i++) {
            assertArrayEquals(ortFemale[i], ortMale[i], 0f, "ORT outputs of row " + i);
            float[] ours = back.evaluate(female[i]);
            for (int j = 0; j < ours.length; j++) {
                assertEquals(ours[j], ortFemale[i][j], 1e-4, "ORT vs evaluate, row " + i);
            }
        }

        int[] before = Metrics.predict(net, test.x());
        int[] after = Metrics.predict(back, test.x());
        double accBefore = Metrics.accuracy(before, test.y());
        double accAfter = Metrics.accuracy(after, test.y());
        System.out.printf("adult ignore sex: accuracy %.4f -> %.4f on %d test rows, %.2f%% decisions changed%n",
                accBefore, accAfter, test.rows(), 100 * Metrics.changed(before, after));
        assertTrue(accBefore > 0.8, "accuracy before " + accBefore);
        assertTrue(accAfter > accBefore - 0.03, "accuracy after " + accAfter + " vs " + accBefore);
    }
}
