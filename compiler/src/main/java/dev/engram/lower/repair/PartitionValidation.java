package dev.engram.lower.repair;

import dev.engram.model.DenseNetwork;
import dev.engram.verify.Box;
import dev.engram.verify.Boxes;
import dev.engram.verify.BranchAndBoundVerifier;
import dev.engram.verify.InputRegion;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;
import dev.engram.verify.Verdict;
import dev.engram.verify.VerifyOptions;
import dev.engram.verify.bounds.BoundNetwork;
import dev.engram.verify.bounds.Bounds;
import dev.engram.verify.bounds.LinearBounds;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Translation validation of a repaired rule with the unchanged verifier, on the rule with its region written as a
 * cover by the repair's partition tree (boxes from bisecting each region box: the same set of inputs, checked by
 * {@link #covers}, so unsat means the same), which hands the verifier the subdomains the repair was built on.
 */
final class PartitionValidation {

    /** What the verifier said, and the property it said it on (the rule or the rule on its partition). */
    record Validated(Verdict verdict, Property property) {
    }

    /** Seconds per box of the coarse cover the verifier gets beyond six times its timeout. */
    static final double COVER_BOX_SECONDS = 0.05;
    /**
     * Seconds per leaf when the cover ran out of time: the leaves are the last try before the clearance is raised, and
     * each of them the repair's bounds refute, so they get the time a loaded machine needs to prove them.
     */
    static final double LEAF_SECONDS = 0.2;

    private PartitionValidation() {
    }

    /**
     * Validates goal {@code ri} of the repair (a rule or a kept property) on {@code repaired}: on the rule itself when the cover is its region,
     * else on the coarse cover of the region by the repair's partition tree ({@link #coarseCover}); on the
     * partition's leaves when either runs out of time.
     */
    static Validated validate(DenseNetwork repaired, Property rule, int ri, List<Subdomain> partition,
                              RepairOptions opt) {
        long[] t = DebugTrace.start();
        List<Box> cover = coarseCover(repaired, rule, ri, partition);
        DebugTrace.end(t, "%s: cover of %d boxes", rule.name(), cover.size());
        Validated v;
        if (same(cover, rule.region().boxes()) || !covers(cover, rule.region().boxes())) {
            v = new Validated(BranchAndBoundVerifier.create().verify(repaired, rule,
                    VerifyOptions.defaults().withTimeout(opt.within(opt.verifyTimeout()))), rule);
            cover = rule.region().boxes();
        } else {
            v = onCover(repaired, rule, cover, opt, COVER_BOX_SECONDS);
        }
        List<Box> leaves = partition.stream().filter(s -> s.goal() == ri).map(Subdomain::box).toList();
        if (v.verdict() instanceof Verdict.Timeout && leaves.size() > cover.size()
                && covers(leaves, rule.region().boxes())) {
            return onCover(repaired, rule, leaves, opt, LEAF_SECONDS);
        }
        return v;
    }

    private static boolean same(List<Box> a, List<Box> b) {
        for (int k = 0; k < a.size() && a.size() == b.size(); k++) {
            if (!Arrays.equals(a.get(k).lo(), b.get(k).lo()) || !Arrays.equals(a.get(k).hi(), b.get(k).hi())) {
                return false;
            }
        }
        return a.size() == b.size();
    }

    /**
     * The verifier on {@code rule} with its region written as {@code cover} (checked to be an exact cover), within
     * six times the verifier's timeout plus {@code perBox} seconds per box.
     */
    private static Validated onCover(DenseNetwork repaired, Property rule, List<Box> cover, RepairOptions opt,
                                     double perBox) {
        Property split = new Property(rule.name(), new InputRegion(cover, rule.region().constraints()),
                rule.unsafe());
        Verdict w = BranchAndBoundVerifier.create().verify(repaired, split,
                VerifyOptions.defaults().withTimeout(opt.within(6 * opt.verifyTimeout() + perBox * cover.size())));
        DebugTrace.log("%s on %d partition boxes: %s in %.2f s", rule.name(), cover.size(), w.word(), w.seconds());
        return new Validated(w, split);
    }

    /**
     * A coarse cover of goal {@code ri}'s region by nodes of the partition tree, found top-down: a node is kept
     * whole when the repaired network's bounds (CROWN) refute every unsafe conjunction on it or its subtree has at
     * most {@link #GROUP} leaves, else it is replaced by its children. The verifier then searches for few splits
     * the repair was built on (it still checks every box in full, and {@link #covers} checks the cover).
     */
    static List<Box> coarseCover(DenseNetwork repaired, Property rule, int ri, List<Subdomain> partition) {
        Map<Subdomain, List<Subdomain>> children = new IdentityHashMap<>();
        List<Subdomain> roots = new ArrayList<>();
        for (Subdomain leaf : partition) {
            if (leaf.goal() != ri) {
                continue;
            }
            Subdomain node = leaf;
            // register the path up to the first node already known (each node is met first from below)
            while (node.parent() != null) {
                List<Subdomain> kids = children.computeIfAbsent(node.parent(), k -> new ArrayList<>());
                kids.add(node);
                if (kids.size() > 1) {
                    break;
                }
                node = node.parent();
            }
            if (node.parent() == null) {
                roots.add(node);
            }
        }
        BoundNetwork bn = BoundNetwork.of(repaired);
        List<Box> cover = new ArrayList<>();
        for (Subdomain r : roots) {
            emit(bn, rule, r, children, cover);
        }
        return cover;
    }
    /**
     * A subtree of the partition with at most this many leaves is handed to the verifier as one box: it finds the
     * few splits again by itself, which costs less than its per-box falsification on every leaf.
     */
    static final int GROUP = 16;

    private static int leaves(Subdomain node, Map<Subdomain, List<Subdomain>> children) {
        List<Subdomain> kids = children.get(node);
        if (kids == null) {
            return 1;
        }
        int n = 0;
        for (Subdomain k : kids) {
            n += leaves(k, children);
        }
        return n;
    }

    private static void emit(BoundNetwork bn, Property rule, Subdomain node, Map<Subdomain, List<Subdomain>> children,
                             List<Box> cover) {
        List<Subdomain> kids = children.get(node);
        if (kids == null || leaves(node, children) <= GROUP || refuted(bn, rule, node)) {
            cover.add(node.box());
            return;
        }
        for (Subdomain k : kids) {
            emit(bn, rule, k, children, cover);
        }
    }

    /** True when on {@code node}'s box some constraint of every unsafe conjunction is violated by its CROWN bound. */
    private static boolean refuted(BoundNetwork bn, Property rule, Subdomain node) {
        LinearBounds lb = LinearBounds.forward(bn, node.lo(), node.hi(), true);
        int last = lb.layers() - 1;
        double[] olo = lb.lower(last);
        double[] ohi = lb.upper(last);
        double[] coef = new double[node.lo().length];
        double[] arg = new double[node.lo().length];
        for (List<LinearConstraint> conj : rule.unsafe()) {
            boolean some = false;
            for (LinearConstraint c : conj) {
                double scale = Math.abs(c.bound());
                for (int j = 0; j < olo.length; j++) {
                    scale += Math.abs(c.coefficients()[j]) * Math.max(Math.abs(olo[j]), Math.abs(ohi[j]));
                }
                if (lb.lowerBound(c.coefficients(), coef, arg) - c.bound() > Bounds.roundingAllowance(scale)) {
                    some = true;
                    break;
                }
            }
            if (!some) {
                return false;
            }
        }
        return true;
    }

    /**
     * The cover check: every leaf lies in some region box, and the leaves inside each region box partition it
     * exactly ({@link Boxes#covers}).
     */
    static boolean covers(List<Box> leaves, List<Box> boxes) {
        for (Box l : leaves) {
            if (boxes.stream().noneMatch(b -> Boxes.inside(l, b))) {
                return false;
            }
        }
        for (Box b : boxes) {
            List<Box> mine = leaves.stream().filter(l -> Boxes.inside(l, b)).toList();
            if (!Boxes.covers(b, mine)) {
                return false;
            }
        }
        return true;
    }
}
