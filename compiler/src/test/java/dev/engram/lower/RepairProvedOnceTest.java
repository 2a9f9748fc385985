package dev.engram.lower;

import dev.engram.Decisions;
import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.compile.Compiler;
import dev.engram.ir.Decision;
import dev.engram.ir.Obligation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.DenseNetworks;
import dev.engram.model.Models;
import dev.engram.model.onnx.OnnxModel;
import dev.engram.validate.ObligationProver;
import dev.engram.verify.Box;
import dev.engram.verify.BranchAndBoundVerifier;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;
import dev.engram.verify.VerifyOptions;
import dev.engram.verify.bounds.Deadline;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A repaired rule is proved once: the compiler takes the repair's validation as the proof on the file when the network
 * read back from it is, value for value, the one validated, and proves again when it is not. The oracle: the verifier
 * run again, independently, on the network loaded from the written file.
 */
class RepairProvedOnceTest {

    @Test
    void theRepairsProofIsTheProofOnTheFileReadBack() throws Exception {
        Path dir = Files.createTempDirectory("repair-once");
        Path model = dir.resolve("mlp.onnx");
        OnnxModel.fromDense(DenseNetworks.random(new Random(11), "l", 0.1, 2, 8, 8, 3), "x", "y", false, Map.of())
                .write(model);
        Box box = new Box(new double[] {-1, -1}, new double[] {1, 1});
        Property rule = Obligation.property("never_0", new Box(new double[] {-0.5, -0.5}, new double[] {0.5, 0.5}),
                Decisions.argmax(0, 3));
        Path out = dir.resolve("repaired.onnx");
        CompileResult r = Compiler.compile(CompileRequest.builder().setModel(model)
                .setObligations(List.of(Obligation.repair("never_0", rule))).optDomain(box)
                .optDecision(Decision.ARGMAX).optFidelitySamples(200).optTimeout(120).optOut(out).build());
        assertTrue(r.proved(), r.diagnostics() + " " + r.rules());
        assertTrue(r.rules().get(0).method().contains("not proved a second time"), r.rules().get(0).method());

        DenseNetwork written = Models.load(out).dense();
        Verdict again = BranchAndBoundVerifier.create().verify(written, rule, VerifyOptions.defaults().withTimeout(60));
        assertInstanceOf(Verdict.Unsat.class, again, "the rule on the file as read back, proved independently");

    }

    @Test
    void aNetworkOneBitAwayFromTheValidatedOneIsProvedAgain() {
        DenseNetwork net = DenseNetworks.random(new Random(11), "l", 0.1, 2, 8, 8, 3);
        Box box = new Box(new double[] {-1, -1}, new double[] {1, 1});
        Property rule = Obligation.property("never_0", new Box(new double[] {-0.5, -0.5}, new double[] {0.5, 0.5}),
                Decisions.argmax(0, 3));
        Lowering.Context ctx = new Lowering.Context(dev.engram.ir.SampleDomain.of(box), Decision.ARGMAX, Set.of(), 1,
                Deadline.after(120));
        Lowering.Result r = new RepairLowering().lower(net, List.of(Obligation.repair("never_0", rule)), ctx);
        assertTrue(r.failures().isEmpty(), r.failures().toString());
        Step step = r.steps().get(0);
        DenseNetwork copy = new DenseNetwork(List.copyOf(r.network().layers()));
        String same = new RepairLowering().establish(copy, step, ctx).method();
        assertTrue(same.contains("not proved a second time"), same);
        DenseNetwork changed = flipLastBias(r.network());
        assertFalse(RepairLowering.sameValues(changed, r.network()));
        ObligationProver.Proof again = new RepairLowering().establish(changed, step, ctx);
        assertFalse(again.method().contains("not proved a second time"), again.method());
    }

    private static DenseNetwork flipLastBias(DenseNetwork net) {
        List<DenseLayer> layers = new ArrayList<>(net.layers());
        DenseLayer last = layers.get(layers.size() - 1);
        float[] b = last.bias().clone();
        b[0] = Math.nextUp(b[0]);
        layers.set(layers.size() - 1, new DenseLayer(last.name(), last.weight(), b, last.activation(), last.alpha(),
                last.weightRef(), last.biasRef()));
        return new DenseNetwork(layers);
    }
}
