package dev.engram.lower.repair;

import dev.engram.model.DenseNetwork;
import dev.engram.model.DenseNetworks;
import dev.engram.verify.Box;
import dev.engram.verify.BranchAndBoundVerifier;
import dev.engram.verify.InputRegion;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;
import dev.engram.verify.VerifyOptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RepairOptions#written}: every candidate goes through it before the verifier sees it, and the result is the
 * network it returned, so the validations are proofs on what it returned (in the benchmark: the ONNX file read back).
 * The oracle: the verifier run again, independently, on the network returned.
 */
class WrittenValidationTest {

    @Test
    void theRepairValidatesAndReturnsWhatWrittenReturned() {
        DenseNetwork net = DenseNetworks.random(new Random(11), "l", 0.1, 2, 8, 8, 3);
        Box box = new Box(new double[] {-1, -1}, new double[] {1, 1});
        // unsafe: y0 is the largest output; the random network has it somewhere in the box
        Property rule = new Property("rule", InputRegion.of(box), List.of(List.of(
                new LinearConstraint(new double[] {-1, 1, 0}, 0), new LinearConstraint(new double[] {-1, 0, 1}, 0))));
        List<DenseNetwork> returned = new ArrayList<>();
        RepairOptions opt = RepairOptions.builder().optDomain(box).optWritten(n -> {
            DenseNetwork copy = new DenseNetwork(List.copyOf(n.layers())); // a distinct network with the same values
            returned.add(copy);
            return copy;
        }).build();
        OutputLayerRepair.Result r = OutputLayerRepair.repair(net, rule, opt);
        assertTrue(r.proved(), r.message());
        assertFalse(returned.isEmpty(), "every candidate goes through written");
        assertSame(returned.get(returned.size() - 1), r.network(), "the result is what written returned last");
        Verdict again = BranchAndBoundVerifier.create().verify(r.network(), r.validated().get(0),
                VerifyOptions.defaults().withTimeout(60));
        assertInstanceOf(Verdict.Unsat.class, again);
        assertSame(RepairOptions.defaults().written().apply(net), net, "by default a candidate is itself");
    }
}
