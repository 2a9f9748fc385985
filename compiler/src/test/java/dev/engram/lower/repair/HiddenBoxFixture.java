package dev.engram.lower.repair;

import dev.engram.model.DenseNetwork;
import dev.engram.model.DenseNetworks;
import dev.engram.verify.Box;
import dev.engram.verify.InputRegion;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;

import java.util.List;
import java.util.Random;

/**
 * A rule and a kept property on one input box of a small random network with three outputs, whose subdomains the
 * tests give the hidden box {@code [0, 1]²} by hand: rule {@code y1 <= y0} unsafe (y1 must end above y0), kept
 * {@code y0} the arg-min ({@code y0 <= y1} and {@code y0 <= y2}) unsafe. The oracle: the change evaluated at every
 * corner of the hidden box (the program's rows being linear in h).
 */
record HiddenBoxFixture(Box box, LinearConstraint ruleC, LinearConstraint keptC1, LinearConstraint keptC2,
                        Property rule, Property kept, RepairTarget target, RepairOptions opt, FidelitySamples fs) {
    static final double[] H_LO = {0, 0};
    static final double[] H_HI = {1, 1};

    static HiddenBoxFixture create() {
        DenseNetwork net = DenseNetworks.random(new Random(7), "l", 0.1, 1, 2, 3);
        Box box = new Box(new double[] {0}, new double[] {1});
        LinearConstraint ruleC = new LinearConstraint(new double[] {-1, 1, 0}, 0);
        LinearConstraint keptC1 = new LinearConstraint(new double[] {1, -1, 0}, 0);
        LinearConstraint keptC2 = new LinearConstraint(new double[] {1, 0, -1}, 0);
        Property rule = new Property("rule", InputRegion.of(box), List.of(List.of(ruleC)));
        Property kept = new Property("kept", InputRegion.of(box), List.of(List.of(keptC1, keptC2)));
        RepairTarget target = RepairTarget.of(net, List.of(rule, kept));
        RepairOptions opt = RepairOptions.builder().optSamples(0).build();
        FidelitySamples fs = FidelitySamples.draw(target, List.of(rule), opt);
        return new HiddenBoxFixture(box, ruleC, keptC1, keptC2, rule, kept, target, opt, fs);
    }

    Goals goals() {
        return Goals.of(List.of(rule), List.of(kept));
    }

    /** A subdomain of goal {@code g} on the whole box and hidden box, refuting through {@code r}. */
    Subdomain subdomain(int g, Subdomain.Refutation r) {
        return new Subdomain(g, box.lo(), box.hi(), 0, H_LO, H_HI, new Subdomain.Refutation[] {r}, 0, null, null,
                null);
    }

    /** The change of the outputs at corner {@code c} (0..3) of the hidden box. */
    static double[] dyAtCorner(ParameterDelta d, int c) {
        double[] h = {(c & 1) == 0 ? H_LO[0] : H_HI[0], (c & 2) == 0 ? H_LO[1] : H_HI[1]};
        double[] dy = new double[3];
        for (int j = 0; j < 3; j++) {
            dy[j] = d.db()[j] + d.dw()[j][0] * h[0] + d.dw()[j][1] * h[1];
        }
        return dy;
    }
}
