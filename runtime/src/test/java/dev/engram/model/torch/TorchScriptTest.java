package dev.engram.model.torch;

import dev.engram.model.DenseNetwork;
import dev.engram.model.FloatTensor;
import dev.engram.model.LoadedModel;
import dev.engram.model.Models;
import dev.engram.patch.Patch;
import dev.engram.patch.Provenance;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TorchScript through DJL: read named parameters, run, patch, write back, revert. */
class TorchScriptTest {

    static Path fixture() throws Exception {
        return fixture("tiny_mlp.pt");
    }

    static Path fixture(String name) throws Exception {
        return Path.of(TorchScriptTest.class.getResource("/torchscript/" + name).toURI());
    }

    @Test
    void aSequentialIsReadExactlyFromItsCode() throws Exception {
        TorchScriptModel m = (TorchScriptModel) Models.load(fixture("sequential.pt"));
        DenseNetwork net = m.dense();
        assertEquals(2, net.layers().size());
        assertEquals(dev.engram.model.Activation.RELU, net.layers().get(0).activation());
        assertEquals(dev.engram.model.Activation.IDENTITY, net.layers().get(1).activation());
        assertEquals("0.weight", net.layers().get(0).weightRef().tensorName());
        assertEquals("2.bias", net.layers().get(1).biasRef().tensorName());
        assertArrayEquals(new float[] {2.45f, 0.1625f}, m.forward(new float[][] {{1f, 2f, 3f}})[0], 1e-5f);
        assertArrayEquals(net.evaluate(new float[] {1f, 2f, 3f}), new float[] {2.45f, 0.1625f}, 1e-5f);
    }

    @Test
    void aBranchOnTheDataIsRefusedThoughSamplesCannotSeeIt() throws Exception {
        TorchScriptModel m = (TorchScriptModel) Models.load(fixture("data_branch.pt"));
        TorchScriptModel plain = (TorchScriptModel) Models.load(fixture());
        // inside |x| <= 10 the module is the plain network, so the random samples the old reader used agree ...
        float[][] small = {{1f, 2f, 3f}, {-0.5f, 0.25f, 2f}};
        assertArrayEquals(plain.forward(small)[0], m.forward(small)[0], 0f);
        assertArrayEquals(plain.forward(small)[1], m.forward(small)[1], 0f);
        // ... but it is another network outside
        float[][] large = {{20f, 0f, 0f}};
        assertEquals(-plain.forward(large)[0][0], m.forward(large)[0][0], 0f);
        dev.engram.model.ModelException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.engram.model.ModelException.class, m::dense);
        System.out.println("[torchscript] " + e.getMessage());
        // refused at the first statement outside the chain: the test of |x| that the branch needs
        assertTrue(e.getMessage().contains("torch.abs") && e.getMessage().contains("code line")
                && e.getMessage().contains("guessed from samples"), e.getMessage());
    }

    @Test
    void aSkipConnectionIsRefusedNamingTheStatement() throws Exception {
        LoadedModel m = Models.load(fixture("skip_connection.pt"));
        dev.engram.model.ModelException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.engram.model.ModelException.class, m::dense);
        System.out.println("[torchscript] " + e.getMessage());
        assertTrue(e.getMessage().contains("torch.slice") && e.getMessage().contains("cannot read the network"),
                e.getMessage());
    }

    @Test
    void readsParametersAndRuns() throws Exception {
        LoadedModel m = Models.load(fixture());
        Map<String, FloatTensor> p = m.parameters();
        System.out.println("[torchscript] parameters: " + p.keySet());
        assertEquals(4, p.size());
        DenseNetwork net = m.dense();
        assertEquals(3, net.inputSize());
        assertEquals(2, net.outputSize());
        float[][] y = ((TorchScriptModel) m).forward(new float[][] {{1f, 2f, 3f}});
        assertArrayEquals(net.evaluate(new float[] {1f, 2f, 3f}), y[0], 1e-6f);
        // the fixture's fixed weights (make_fixture.py) give these outputs by hand
        assertArrayEquals(new float[] {2.45f, 0.1625f}, y[0], 1e-5f);
    }

    @Test
    void patchWriteBackAndRevert() throws Exception {
        LoadedModel m = Models.load(fixture());
        String w = m.parameters().keySet().iterator().next();
        FloatTensor t = m.parameters().get(w);
        float[] d = t.data().clone();
        d[0] += 1f;
        LoadedModel edited = m.withParameters(Map.of(w, new FloatTensor(t.dims(), d)));
        Path out = Files.createTempDirectory("ts").resolve("edited.pt");
        edited.write(out);
        LoadedModel back = Models.load(out);
        assertEquals(d[0], back.parameters().get(w).data()[0]);
        float[][] y = ((TorchScriptModel) back).forward(new float[][] {{1f, 0f, 0f}});
        assertArrayEquals(back.dense().evaluate(new float[] {1f, 0f, 0f}), y[0], 1e-6f);
        Patch p = Patch.diff(m, back, Provenance.of("", "test"));
        LoadedModel reverted = p.revert(back);
        for (String n : m.parameters().keySet()) {
            assertTrue(m.parameters().get(n).bitEquals(reverted.parameters().get(n)), n);
        }
    }
}
