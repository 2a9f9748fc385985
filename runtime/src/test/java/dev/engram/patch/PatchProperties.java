package dev.engram.patch;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.FloatTensor;
import dev.engram.model.LoadedModel;
import dev.engram.model.ModelException;
import dev.engram.model.ModelLimits;
import dev.engram.model.TestData;
import dev.engram.model.nnet.NnetModel;
import dev.engram.model.onnx.OnnxModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

/** Property tests of the patch format: apply/revert identity, compose = sequential apply, file round trip. */
class PatchProperties {

    static LoadedModel randomModel(Random rnd) {
        int depth = 1 + rnd.nextInt(3);
        int[] w = new int[depth + 1];
        for (int i = 0; i <= depth; i++) {
            w[i] = 1 + rnd.nextInt(8);
        }
        DenseNetwork net = TestData.randomMlp(rnd, w, Activation.RELU);
        if (rnd.nextBoolean()) {
            return OnnxModel.fromDense(net, "x", "y", rnd.nextBoolean(), Map.of());
        }
        return NnetModel.of(net);
    }

    /** Random edits: changed elements, widened hidden layers (through the dense view). */
    static LoadedModel randomEdit(LoadedModel m, Random rnd) {
        if (rnd.nextInt(3) == 0 && m.dense().layers().size() > 1) {
            return widen(m, rnd);
        }
        Map<String, FloatTensor> changed = new LinkedHashMap<>();
        for (Map.Entry<String, FloatTensor> e : m.parameters().entrySet()) {
            if (rnd.nextBoolean()) {
                float[] d = e.getValue().data().clone();
                int k = 1 + rnd.nextInt(Math.max(1, d.length));
                for (int j = 0; j < k && d.length > 0; j++) {
                    d[rnd.nextInt(d.length)] += (float) rnd.nextGaussian();
                }
                changed.put(e.getKey(), new FloatTensor(e.getValue().dims(), d));
            }
        }
        return m.withParameters(changed);
    }

    static LoadedModel widen(LoadedModel m, Random rnd) {
        DenseNetwork net = m.dense();
        int l = rnd.nextInt(net.layers().size() - 1);
        int extra = 1 + rnd.nextInt(3);
        List<DenseLayer> ls = new ArrayList<>(net.layers());
        DenseLayer a = ls.get(l);
        DenseLayer b = ls.get(l + 1);
        float[][] wa = Arrays.copyOf(a.weight(), a.outputSize() + extra);
        float[] ba = Arrays.copyOf(a.bias(), a.outputSize() + extra);
        for (int o = a.outputSize(); o < wa.length; o++) {
            wa[o] = new float[a.inputSize()];
            wa[o][0] = (float) rnd.nextGaussian();
        }
        float[][] wb = new float[b.outputSize()][];
        for (int o = 0; o < wb.length; o++) {
            wb[o] = Arrays.copyOf(b.weight()[o], a.outputSize() + extra);
            wb[o][a.outputSize()] = (float) rnd.nextGaussian();
        }
        ls.set(l, new DenseLayer(a.name(), wa, ba, a.activation(), a.alpha(), a.weightRef(), a.biasRef()));
        ls.set(l + 1, new DenseLayer(b.name(), wb, b.bias(), b.activation(), b.alpha(), b.weightRef(), b.biasRef()));
        return m.withDense(new DenseNetwork(ls));
    }

    static void assertSameParams(LoadedModel a, LoadedModel b) {
        assertEquals(a.parameters().keySet(), b.parameters().keySet());
        for (String n : a.parameters().keySet()) {
            assertTrue(a.parameters().get(n).bitEquals(b.parameters().get(n)), n);
        }
    }

    @Test
    void applyThenRevertIsIdentity() {
        qt().withExamples(60).forAll(integers().all()).checkAssert(seed -> {
            Random rnd = new Random(seed);
            LoadedModel base = randomModel(rnd);
            LoadedModel patched = randomEdit(base, rnd);
            Patch p = Patch.diff(base, patched, Provenance.of("rules", "test"));
            Patch q = Patch.fromBytes(p.toBytes());
            LoadedModel applied = q.apply(base);
            assertSameParams(patched, applied);
            assertEquals(p.provenance().resultSha256(), applied.sha256());
            LoadedModel reverted = q.revert(applied);
            assertSameParams(base, reverted);
            assertArrayEquals(base.toBytes(), reverted.toBytes());
            assertEquals(base.sha256(), reverted.sha256());
        });
    }

    @Test
    void composeEqualsSequentialApply() {
        qt().withExamples(40).forAll(integers().all()).checkAssert(seed -> {
            Random rnd = new Random(seed);
            LoadedModel m0 = randomModel(rnd);
            LoadedModel m1 = randomEdit(m0, rnd);
            LoadedModel m2 = randomEdit(m1, rnd);
            Patch p1 = Patch.diff(m0, m1, Provenance.of("r1", "test"));
            Patch p2 = Patch.diff(m1, m2, Provenance.of("r2", "test"));
            Patch c = Patch.fromBytes(Patch.compose(p1, p2).toBytes());
            LoadedModel seq = p2.apply(p1.apply(m0));
            LoadedModel once = c.apply(m0);
            assertSameParams(seq, once);
            assertArrayEquals(seq.toBytes(), once.toBytes());
            assertSameParams(m0, c.revert(once));
        });
    }

    @Test
    void addDeltaRoundTripsAndRefusesWrongModel() {
        Random rnd = new Random(3);
        DenseNetwork net = TestData.randomMlp(rnd, new int[] {4, 5, 2}, Activation.RELU);
        LoadedModel m = OnnxModel.fromDense(net, "x", "y", false, Map.of());
        FloatTensor w = m.parameters().get("layer0.weight");
        float[] delta = new float[w.size()];
        delta[3] = 0.1f;
        Patch p = Patch.of(new Provenance(m.sha256(), null, "abc", "0.1", Map.of("note", "x")),
                List.of(new TensorEdit.AddDelta("layer0.weight", "rule R1", w.dims(), delta, w.data())));
        Patch q = Patch.fromBytes(p.toBytes());
        assertEquals(p.provenance(), q.provenance());
        LoadedModel a = q.apply(m);
        assertEquals(w.data()[3] + 0.1f, a.parameters().get("layer0.weight").data()[3]);
        assertArrayEquals(m.toBytes(), q.revert(a).toBytes());
        assertTrue(q.show().contains("rule R1"));
        LoadedModel other = OnnxModel.fromDense(TestData.randomMlp(rnd, new int[] {4, 5, 2}, Activation.RELU),
                "x", "y", false, Map.of());
        ModelException e = assertThrows(ModelException.class, () -> q.apply(other));
        assertTrue(e.getMessage().contains("SHA-256"));
        assertThrows(ModelException.class, () -> q.revert(m)); // not patched
    }

    @Test
    void corruptPatchFilesAreRejected() {
        Random rnd = new Random(4);
        LoadedModel m = randomModel(rnd);
        Patch p = Patch.diff(m, randomEdit(m, rnd), Provenance.of("", ""));
        byte[] b = p.toBytes();
        for (int cut : new int[] {0, 4, 9, b.length / 2, b.length - 1}) {
            if (cut < b.length) {
                byte[] t = Arrays.copyOf(b, cut);
                if (p.edits().isEmpty() && cut == b.length - 1) {
                    continue;
                }
                assertThrows(ModelException.class, () -> Patch.fromBytes(t), "cut at " + cut);
            }
        }
        byte[] huge = b.clone();
        huge[7] = 0x7f;
        assertThrows(ModelException.class, () -> Patch.fromBytes(huge));
        byte[] garbage = b.clone();
        garbage[10] = '#';
        assertThrows(ModelException.class, () -> Patch.fromBytes(garbage));
        ModelLimits.defaults();
    }
}
