package dev.engram.verify.graph;

import dev.engram.model.Models;
import dev.engram.verify.Box;
import dev.engram.verify.InputRegion;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;
import dev.engram.verify.bounds.Deadline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Experiment: how long the attacks of {@link GraphAttack} take to find a witness on a VNN-COMP robustness instance
 * ({@code (and (>= Y_j Y_k))} disjuncts over a box). Arguments: net, spec, seconds per variant, variants
 * (comma-separated: {@code search}, {@code targeted}). With {@code -Dengram.verify.debug=true} each descent prints
 * where it ended. (An APGD descent on the margin over the whole disjunction, Croce and Hein 2020, was tried here:
 * commit 88cb5ac; on eran's idx 5719 all 235 descents in 30 s ended at the targeted attack's 1.9622.)
 */
public final class EranAttackBench {
    public static void main(String[] args) throws Exception {
        GraphBounds g = GraphBounds.of(Models.load(Path.of(args[0])).dag());
        Property p = property(Files.readString(Path.of(args[1])), g.inputSize(), g.outputSize());
        double seconds = Double.parseDouble(args[2]);
        Box box = p.region().boxes().get(0);
        for (String variant : args[3].split(",")) {
            long t0 = System.nanoTime();
            Deadline d = Deadline.after(seconds);
            double[] w = null;
            int rounds = 0;
            for (long round = 1; w == null && !d.passed(); round++, rounds++) {
                GraphAttack a = new GraphAttack(g, p, 7 + round);
                w = switch (variant) {
                    case "search" -> a.search(box, 256, 8, 60, List.of(), d);
                    case "targeted" -> a.targeted(box, 64, 2, 100, d);
                    default -> throw new IllegalArgumentException(variant);
                };
            }
            System.out.printf("%s: %s after %.1f s, %d rounds%n", variant, w != null ? "WITNESS" : "none",
                    (System.nanoTime() - t0) / 1e9, rounds);
        }
    }

    static Property property(String text, int n, int outputs) {
        double[] lo = new double[n];
        double[] hi = new double[n];
        Matcher m = Pattern.compile("\\(assert \\((<=|>=) X_(\\d+) ([-0-9.eE]+)\\)\\)").matcher(text);
        while (m.find()) {
            int i = Integer.parseInt(m.group(2));
            double v = Double.parseDouble(m.group(3));
            if (m.group(1).equals("<=")) {
                hi[i] = v;
            } else {
                lo[i] = v;
            }
        }
        Matcher o = Pattern.compile("\\(and \\(>= Y_(\\d+) Y_(\\d+)\\)\\)").matcher(text);
        List<List<LinearConstraint>> unsafe = new ArrayList<>();
        while (o.find()) {
            double[] row = new double[outputs];
            row[Integer.parseInt(o.group(2))] = 1;
            row[Integer.parseInt(o.group(1))] -= 1;
            unsafe.add(List.of(new LinearConstraint(row, 0)));
        }
        return new Property("spec", InputRegion.of(new Box(lo, hi)), unsafe);
    }
}
