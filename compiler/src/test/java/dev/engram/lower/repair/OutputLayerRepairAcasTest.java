package dev.engram.lower.repair;

import dev.engram.model.DenseNetwork;
import dev.engram.model.Models;
import dev.engram.front.VnnlibFile;
import dev.engram.verify.Box;
import dev.engram.verify.BranchAndBoundVerifier;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;
import dev.engram.verify.VerifyOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Repair of one real violation: ACAS Xu N2,2 violates property 2; the repaired network (same shapes, only the
 * output layer changed) is proved by the verifier and keeps almost every decision on the domain.
 */
class OutputLayerRepairAcasTest {

    static Path shared() {
        return dev.engram.SharedData.path();
    }

    @Test
    void repairsProperty2OnN22() {
        Path acas = shared().resolve("acasxu");
        Path model = acas.resolve("onnx/ACASXU_run2a_2_2_batch_2000.onnx");
        assumeTrue(Files.isRegularFile(model), "ACAS Xu data not found under " + acas.toAbsolutePath()
                + " (set -Dengram.shared.data): skipping the ACAS Xu repair test");
        DenseNetwork net = Models.load(model).dense();
        Property p2 = VnnlibFile.read(acas.resolve("vnnlib/prop_2.vnnlib"), 5, 5).properties().get(0);
        VerifyOptions vo = VerifyOptions.defaults().withTimeout(30);
        assertTrue(BranchAndBoundVerifier.create().verify(net, p2, vo) instanceof Verdict.Sat,
                "N2,2 should violate property 2 before repair");
        Box domain = new Box(new double[] {-0.328422877, -0.5, -0.5, -0.5, -0.5},
                new double[] {0.679857769, 0.5, 0.5, 0.5, 0.5});
        OutputLayerRepair.Result r = OutputLayerRepair.repair(net, p2, RepairOptions.builder().optDomain(domain)
                .optSamples(1500).optSubdomains(128, 512).optRefinement(6, 64).build());
        assertTrue(r.proved(), "not proved: " + r.message());
        assertTrue(r.l1() > 0 && r.linf() <= r.l1());
        // what the verifier proved is the rule itself or the rule on a cover of its box
        Property vp = r.validated().get(0);
        assertTrue(OutputLayerRepairProperties.sameRule(p2, vp), "the validated property is another rule: " + vp);
        assertTrue(OutputLayerRepairProperties.covers(vp.region().boxes(), p2.region().boxes().get(0)));
        assertEquals(net.layers().size(), r.network().layers().size());
        assertTrue(r.changes().stream().allMatch(c -> c.layer().equals(net.layers().get(6).name())),
                "only the output layer may change: " + r.changes());
        Random rnd = new Random(7);
        int same = 0;
        int n = 2000;
        for (int s = 0; s < n; s++) {
            float[] x = new float[5];
            for (int i = 0; i < 5; i++) {
                x[i] = (float) (domain.lo()[i] + rnd.nextDouble() * (domain.hi()[i] - domain.lo()[i]));
            }
            same += argmin(net.evaluate(x)) == argmin(r.network().evaluate(x)) ? 1 : 0;
        }
        assertTrue(same >= 0.98 * n, "decision agreement " + same + "/" + n);
    }

    private static int argmin(float[] y) {
        int k = 0;
        for (int j = 1; j < y.length; j++) {
            if (y[j] < y[k]) {
                k = j;
            }
        }
        return k;
    }
}
