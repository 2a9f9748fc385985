package dev.engram.dict;

import dev.engram.data.Dataset;
import dev.engram.ir.ConceptEvidence;
import dev.engram.ir.ConceptPolicy;
import dev.engram.ir.Measurement;
import dev.engram.ir.Measurement.Figure;
import dev.engram.ir.Decision;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.train.MlpTrainer;
import dev.engram.verify.Property;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * How a statement over a learned concept is judged: measured, never proved, and only on examples the edit did not
 * see (the held-out split of the concept's data and independent test data). For a rule: <em>efficacy</em> (held-out
 * concept-positive inputs whose outputs meet the consequent), <em>generalisation</em> (the same on test data),
 * <em>locality</em> (concept-negative inputs whose decision is unchanged) and <em>drawdown</em> (task accuracy lost).
 * For erasure: the accuracy of <em>fresh</em> probes trained after the edit on the representation the next layer now
 * reads, against the majority rate. For steering: the share of concept-negative inputs whose decision moved to one
 * the model gives concept-positive inputs.
 */
public final class ConceptMeasures {
    private ConceptMeasures() {
    }

    /**
     * A rule's figures; shares in [0, 1], NaN where there was nothing to measure.
     *
     * @param efficacyBefore the held-out efficacy of the original model (for context)
     * @param localityOn     which examples locality was measured on
     * @param accuracyOn     which examples task accuracy (and drawdown) was measured on
     * @param edited         false when the model was measured as it is (no edit: no locality, no drawdown)
     */
    public record RuleFigures(double efficacy, int positives, double efficacyBefore, double generalisation,
                              int testPositives, double generalisationBefore, double locality, int negatives,
                              double accuracyBefore, double accuracyAfter, int labelled, String localityOn,
                              String accuracyOn, boolean edited) {
        /** Task accuracy lost (a share: 0.005 is half a point); NaN without task labels. */
        public double drawdown() {
            return accuracyBefore - accuracyAfter;
        }

        /**
         * The figures held to {@code p}'s limits: efficacy is required, the others when there is data for them; a
         * model measured as it is has only efficacy and generalisation.
         */
        public Measurement measurement(ConceptPolicy p) {
            if (!edited) {
                return new Measurement(List.of(
                        Figure.atLeast("efficacy", efficacy, Double.NaN, p.minEfficacy(), "--min-efficacy", positives,
                                "held-out concept-positive inputs meeting the consequent", true),
                        Figure.atLeast("generalisation", generalisation, Double.NaN, p.minEfficacy(),
                                "--min-efficacy", testPositives, "test concept-positive inputs meeting the consequent",
                                false)), null);
            }
            return new Measurement(List.of(
                    Figure.atLeast("efficacy", efficacy, efficacyBefore, p.minEfficacy(), "--min-efficacy", positives,
                            "held-out concept-positive inputs meeting the consequent", true),
                    Figure.atLeast("generalisation", generalisation, generalisationBefore, p.minEfficacy(),
                            "--min-efficacy", testPositives, "test concept-positive inputs meeting the consequent",
                            false),
                    Figure.atLeast("locality", locality, Double.NaN, p.minLocality(), "--min-locality", negatives,
                            "concept-negative inputs (" + localityOn + ") whose decision is unchanged", false),
                    Figure.reported("task accuracy", accuracyAfter, accuracyBefore, labelled, accuracyOn),
                    Figure.pointsAtMost("drawdown", drawdown(), p.maxDrawdown(), "--max-drawdown", labelled,
                            accuracyOn + " (task accuracy lost)")), null);
        }

        public String text() {
            if (!edited) {
                return String.format(Locale.ROOT, "efficacy %s (%d held-out positives), generalisation %s (%d test "
                        + "positives)", pct(efficacy), positives, pct(generalisation), testPositives);
            }
            return String.format(Locale.ROOT, "efficacy %s (%d held-out positives; %s before), generalisation %s "
                            + "(%d test positives; %s before), locality %s (%d negatives, %s), drawdown %s (task "
                            + "accuracy %s -> %s)", pct(efficacy), positives, pct(efficacyBefore), pct(generalisation),
                    testPositives, pct(generalisationBefore), pct(locality), negatives, localityOn,
                    points(drawdown()), pct(accuracyBefore), pct(accuracyAfter));
        }
    }

    /**
     * The figures of a rule compiled into {@code edited} from {@code original}; the same network twice measures the
     * model as it is ({@code engram verify --dict}).
     */
    public static RuleFigures rule(DenseNetwork original, DenseNetwork edited, Property consequent,
                                   ConceptEvidence ev, Decision decision) {
        ConceptEvidence.Examples h = ev.heldOut();
        ConceptEvidence.Examples t = ev.test();
        double[] eff = safeShare(edited, original, consequent, h, 1);
        double[] gen = safeShare(edited, original, consequent, t, 1);
        ConceptEvidence.Examples local = t.count(0) > 0 ? t : h;
        int[] before = decisions(original, local.inputs(), decision);
        int[] after = decisions(edited, local.inputs(), decision);
        int neg = 0;
        int same = 0;
        for (int r = 0; r < before.length; r++) {
            if (local.concept()[r] == 0) {
                neg++;
                same += before[r] == after[r] ? 1 : 0;
            }
        }
        ConceptEvidence.Examples lab = t.labelled() ? t : h;
        double[] acc = accuracy(original, edited, lab, decision);
        return new RuleFigures(eff[0], (int) eff[2], eff[1], gen[0], (int) gen[2], gen[1], neg == 0 ? Double.NaN
                : (double) same / neg, neg, acc[0], acc[1], (int) acc[2], local == t ? "test data" : "held out",
                lab == t ? "labelled test data" : "labelled held-out data", original != edited);
    }

    /** {after share, before share, count} of rows with concept value {@code v} whose outputs meet the consequent. */
    private static double[] safeShare(DenseNetwork net, DenseNetwork before, Property consequent,
                                      ConceptEvidence.Examples ex, int v) {
        int n = 0;
        int ok = 0;
        int okBefore = 0;
        float[][] y = outputs(net, ex.inputs());
        float[][] y0 = before == null ? null : outputs(before, ex.inputs());
        for (int r = 0; r < ex.size(); r++) {
            if (ex.concept()[r] != v) {
                continue;
            }
            n++;
            ok += consequent.isUnsafe(toDouble(y[r]), 0) ? 0 : 1;
            if (y0 != null) {
                okBefore += consequent.isUnsafe(toDouble(y0[r]), 0) ? 0 : 1;
            }
        }
        return new double[] {n == 0 ? Double.NaN : (double) ok / n, n == 0 || y0 == null ? Double.NaN
                : (double) okBefore / n, n};
    }

    /** {before, after, rows}: task accuracy of both networks on the labelled rows. */
    private static double[] accuracy(DenseNetwork original, DenseNetwork edited, ConceptEvidence.Examples ex,
                                     Decision decision) {
        int[] a = decisions(original, ex.inputs(), decision);
        int[] b = decisions(edited, ex.inputs(), decision);
        int n = 0;
        int okA = 0;
        int okB = 0;
        for (int r = 0; r < a.length; r++) {
            int l = ex.labels()[r];
            if (l >= 0) {
                n++;
                okA += a[r] == l ? 1 : 0;
                okB += b[r] == l ? 1 : 0;
            }
        }
        return n == 0 ? new double[] {Double.NaN, Double.NaN, 0} : new double[] {(double) okA / n, (double) okB / n, n};
    }

    /**
     * The outputs of {@code net} on {@code x}, remembered for the pair (the same networks are measured on the same
     * examples by every statement of a compilation; held weakly, by identity).
     */
    static float[][] outputs(DenseNetwork net, float[][] x) {
        Map<DenseNetwork, float[][]> byNet;
        synchronized (OUTPUTS) {
            byNet = OUTPUTS.computeIfAbsent(x, k -> new java.util.IdentityHashMap<>());
        }
        synchronized (byNet) {
            float[][] y = byNet.get(net);
            if (y == null) {
                y = new LayerTaps(net).runFrom(0, x);
                if (byNet.size() > 8) {
                    byNet.clear();
                }
                byNet.put(net, y);
            }
            return y;
        }
    }

    private static final Map<float[][], Map<DenseNetwork, float[][]>> OUTPUTS = new java.util.WeakHashMap<>();

    /** The decisions of {@code net} on {@code x}. */
    public static int[] decisions(DenseNetwork net, float[][] x, Decision decision) {
        float[][] y = outputs(net, x);
        int[] d = new int[y.length];
        for (int r = 0; r < y.length; r++) {
            d[r] = decision.of(y[r]);
        }
        return d;
    }

    /**
     * An erasure's figures: fresh linear (logistic) and small-MLP probes trained on the fit sample's representation
     * as the next layer reads it after the edit (its pre-activations, a linear image of the erased layer), tested on
     * the held-out split; the majority rate there; the linear probe on the layer before the edit; task accuracy.
     */
    public record ErasureFigures(double linearProbe, double mlpProbe, double majority, double linearProbeBefore,
                                 int trainRows, int testRows, double accuracyBefore, double accuracyAfter, int labelled,
                                 boolean edited) {
        public double drawdown() {
            return accuracyBefore - accuracyAfter;
        }

        /** How much better than the majority rate the fresh linear probe predicts the concept. */
        public double advantage() {
            return linearProbe - majority;
        }

        /**
         * The figures held to {@code p}'s limits: the fresh linear probe to the majority rate plus
         * {@code p.maxProbeAdvantage()}, the drawdown to {@code p.maxDrawdown()}; the MLP probe is only reported.
         */
        public Measurement measurement(ConceptPolicy p) {
            String held = "held-out rows (probe trained on " + trainRows + " fit rows)";
            String limit = "; limit: the majority rate " + points(p.maxProbeAdvantage());
            if (!edited) {
                return new Measurement(List.of(
                        new Figure("linear probe", linearProbe, Double.NaN, Measurement.Limit.AT_MOST,
                                majority + p.maxProbeAdvantage(), "", false, testRows, held + limit),
                        Figure.reported("majority rate", majority, Double.NaN, testRows, "held-out rows")), null);
            }
            return new Measurement(List.of(
                    new Figure("fresh linear probe", linearProbe, linearProbeBefore,
                            Measurement.Limit.AT_MOST, majority + p.maxProbeAdvantage(), "",
                            false, testRows, held + limit),
                    Figure.reported("majority rate", majority, Double.NaN, testRows, "held-out rows"),
                    Figure.reported("small MLP probe", mlpProbe, Double.NaN, testRows, held + "; not guaranteed"),
                    Figure.reported("task accuracy", accuracyAfter, accuracyBefore, labelled, "labelled data"),
                    Figure.pointsAtMost("drawdown", drawdown(), p.maxDrawdown(), "--max-drawdown", labelled,
                            "labelled data (task accuracy lost)")), null);
        }

        public String text() {
            if (!edited) {
                return String.format(Locale.ROOT, "a linear probe predicts the concept at %s (majority %s; %d train, "
                        + "%d test rows)", pct(linearProbe), pct(majority), trainRows, testRows);
            }
            return String.format(Locale.ROOT, "fresh linear probe %s (majority %s; %s before the edit), small MLP probe "
                            + "%s (%d train, %d test rows), drawdown %s (task accuracy %s -> %s)", pct(linearProbe),
                    pct(majority), pct(linearProbeBefore), pct(mlpProbe), trainRows, testRows, points(drawdown()),
                    pct(accuracyBefore), pct(accuracyAfter));
        }
    }

    /**
     * The figures of erasing at {@code layer} (activations after dense layer {@code layer}) in {@code edited}; the
     * same network twice measures the model as it is: how well a linear probe reads the concept from that layer.
     */
    public static ErasureFigures erasure(DenseNetwork original, DenseNetwork edited, int layer, ConceptEvidence ev,
                                         Decision decision, long seed) {
        ConceptEvidence.Examples fit = known(ev.fit());
        ConceptEvidence.Examples held = known(ev.heldOut());
        double[][] trainBefore = activations(original, layer, fit.inputs());
        double[][] testBefore = activations(original, layer, held.inputs());
        double before = Probes.logistic(trainBefore, fit.concept()).accuracy(testBefore, held.concept());
        boolean edit = original != edited;
        double linear = before;
        double mlp = Double.NaN;
        if (edit) {
            double[][] train = nextPreActivations(edited, layer, trainBefore);
            double[][] test = nextPreActivations(edited, layer, testBefore);
            linear = Probes.logistic(train, fit.concept()).accuracy(test, held.concept());
            mlp = Probes.mlp(train, fit.concept(), seed).accuracy(test, held.concept());
        }
        int pos = held.count(1);
        double majority = held.size() == 0 ? Double.NaN : Math.max(pos, held.size() - pos) / (double) held.size();
        ConceptEvidence.Examples lab = ev.test().labelled() ? ev.test() : ev.heldOut();
        double[] acc = accuracy(original, edited, lab, decision);
        return new ErasureFigures(linear, mlp, majority, before, fit.size(), held.size(), acc[0], acc[1], (int) acc[2],
                edit);
    }

    /** The rows whose concept value is known. */
    static ConceptEvidence.Examples known(ConceptEvidence.Examples ex) {
        List<Integer> keep = new ArrayList<>();
        for (int r = 0; r < ex.size(); r++) {
            if (ex.concept()[r] == 0 || ex.concept()[r] == 1) {
                keep.add(r);
            }
        }
        float[][] x = new float[keep.size()][];
        byte[] c = new byte[keep.size()];
        int[] l = new int[keep.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = ex.inputs()[keep.get(i)];
            c[i] = ex.concept()[keep.get(i)];
            l[i] = ex.labels()[keep.get(i)];
        }
        return new ConceptEvidence.Examples(ex.description(), x, c, l);
    }

    /** Layer {@code layer}'s activations of {@code x} in {@code net}, in double. */
    static double[][] activations(DenseNetwork net, int layer, float[][] x) {
        float[][] a = new LayerTaps(net).run(x, x.length, layer)[layer];
        double[][] out = new double[a.length][];
        for (int r = 0; r < a.length; r++) {
            out[r] = toDouble(a[r]);
        }
        return out;
    }

    /** The pre-activations of dense layer {@code layer} (the one reading layer {@code layer}'s activations). */
    static double[][] nextPreActivations(DenseNetwork net, int layer, double[][] h) {
        DenseLayer d = net.layers().get(layer);
        double[][] out = new double[h.length][d.outputSize()];
        for (int r = 0; r < h.length; r++) {
            for (int o = 0; o < d.outputSize(); o++) {
                double s = d.bias()[o];
                float[] w = d.weight()[o];
                for (int i = 0; i < w.length; i++) {
                    s += w[i] * h[r][i];
                }
                out[r][o] = s;
            }
        }
        return out;
    }

    /**
     * A steering's figures: among concept-negative inputs (test data when it has concept values, else held out), the
     * share whose decision moved to one of the concept's decisions (those the original model gives at least 5 % of the
     * concept-positive inputs) and was not one before; and task accuracy.
     */
    public record SteeringFigures(double moved, int negatives, Set<Integer> conceptDecisions, double accuracyBefore,
                                  double accuracyAfter, int labelled) {
        public SteeringFigures {
            conceptDecisions = Set.copyOf(conceptDecisions);
        }

        /** The figures, reported only: steering is exact, its effect a dose to read, not a limit to meet. */
        public Measurement measurement() {
            return new Measurement(List.of(
                    Figure.reported("moved to a concept decision", moved, Double.NaN, negatives,
                            "concept-negative inputs now decided as " + new TreeSet<>(conceptDecisions)),
                    Figure.reported("task accuracy", accuracyAfter, accuracyBefore, labelled, "labelled data")), null);
        }

        public String text() {
            return String.format(Locale.ROOT, "%s of %d concept-negative inputs moved to a concept decision %s, task "
                    + "accuracy %s -> %s", pct(moved), negatives, new TreeSet<>(conceptDecisions), pct(accuracyBefore),
                    pct(accuracyAfter));
        }
    }

    public static SteeringFigures steering(DenseNetwork original, DenseNetwork steered, ConceptEvidence ev,
                                           Decision decision) {
        ConceptEvidence.Examples ex = ev.test().count(0) > 0 && ev.test().count(1) > 0 ? ev.test() : ev.heldOut();
        int[] a = decisions(original, ex.inputs(), decision);
        int[] b = decisions(steered, ex.inputs(), decision);
        java.util.Map<Integer, Integer> count = new java.util.HashMap<>();
        int pos = 0;
        for (int r = 0; r < a.length; r++) {
            if (ex.concept()[r] == 1) {
                pos++;
                count.merge(a[r], 1, Integer::sum);
            }
        }
        Set<Integer> cd = new TreeSet<>();
        for (var e : count.entrySet()) {
            if (e.getValue() >= 0.05 * pos) {
                cd.add(e.getKey());
            }
        }
        int neg = 0;
        int moved = 0;
        for (int r = 0; r < a.length; r++) {
            if (ex.concept()[r] == 0) {
                neg++;
                moved += !cd.contains(a[r]) && cd.contains(b[r]) ? 1 : 0;
            }
        }
        ConceptEvidence.Examples lab = ev.test().labelled() ? ev.test() : ev.heldOut();
        double[] acc = accuracy(original, steered, lab, decision);
        return new SteeringFigures(neg == 0 ? Double.NaN : (double) moved / neg, neg, cd, acc[0], acc[1],
                (int) acc[2]);
    }

    static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }

    /** {@code 99.95%}, or n/a. */
    public static String pct(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }

    /** {@code +0.12 pt}, or n/a. */
    public static String points(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%+.2f pt", 100 * v);
    }

    /** A dataset for the runtime trainer (used by the MLP probe). */
    static Dataset dataset(double[][] x, byte[] y) {
        float[][] fx = new float[x.length][];
        int[] fy = new int[x.length];
        for (int r = 0; r < x.length; r++) {
            fx[r] = new float[x[r].length];
            for (int i = 0; i < x[r].length; i++) {
                fx[r][i] = (float) x[r][i];
            }
            fy[r] = y[r];
        }
        return new Dataset(fx, fy, List.of("no", "yes"));
    }

    static MlpTrainer.Builder mlp() {
        return MlpTrainer.builder().setHidden(64).optEpochs(30).optBatchSize(64);
    }
}
