package dev.engram.dict;

import dev.engram.ir.ConceptEvidence;
import dev.engram.ir.Decision;
import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.verify.LinearConstraint;
import dev.engram.verify.Property;

import java.util.List;

/**
 * The value a concept rule's key must be given at the edited layer, found through the remaining layers. The edited
 * dense layer {@code L} (the one reading the concept's layer) maps keys {@code k} to values {@code v = W k + b}; the
 * change is {@code δ = t g}, where {@code g} is the direction in value space that best moves the outputs out of the
 * consequent's unsafe set — the sum of the unsafe constraints' unit normals, pulled back through the remaining layers
 * (the average over the concept-positive fit examples of {@code Jᵀ g_y}) — and {@code t} its scale. Under the rank-one
 * edit an input with key {@code k} gets {@code (uᵀ k) δ}; {@code t} is the least scale on a geometric grid at which
 * the most fit positives meet the consequent (rule margin included) while the fit negatives keep their decisions at
 * the goal rate, within the norm budget {@code ‖ΔW‖ ≤ budget ‖W‖} (when that falls short of the efficacy threshold,
 * locality may go down to its threshold). So a rule the model already keeps costs nothing, and violations are removed
 * as far as locality allows. Only fit examples are used: the held-out split judges the result.
 *
 * @param direction   {@code g}, in the edited layer's pre-activation units
 * @param scale       {@code t}
 * @param fitEfficacy the fit positives meeting the consequent at {@code t} (under the single-rule edit)
 * @param fitLocality the fit negatives keeping their decision at {@code t}
 * @param fitBefore   the fit positives meeting the consequent before any edit
 * @param relNorm     {@code ‖ΔW‖_F / ‖W‖_F} at {@code t}
 */
public record EditTarget(double[] direction, double scale, double fitEfficacy, double fitLocality, double fitBefore,
                         double relNorm) {

    /**
     * What the search aims for on the fit sample ({@code efficacy}, {@code locality}), the least it accepts (the
     * thresholds the held-out measurement will apply), and how far the edit may go.
     */
    public record Goals(double efficacy, double locality, double minEfficacy, double minLocality, double normBudget) {
    }

    /** The change {@code δ = t g} of the key's value. */
    public double[] change() {
        double[] d = direction.clone();
        for (int i = 0; i < d.length; i++) {
            d[i] *= scale;
        }
        return d;
    }

    /**
     * The target of a rule over the concept coded at {@code layer} with consequent {@code consequent}: {@code keys}
     * are the fit examples' activations at {@code layer} ({@link #keys}), {@code concept} their concept values, and
     * {@code gate} the rank-one gate {@code u} of the concept's key.
     */
    public static EditTarget find(DenseNetwork net, int layer, float[][] keys, byte[] concept, Property consequent,
                                  double[] gate, Decision decision, Goals goals) {
        DenseLayer edited = net.layers().get(layer);
        int n = keys.length;
        int m = edited.outputSize();
        double[][] values = new double[n][m];
        double[] gates = new double[n];
        for (int r = 0; r < n; r++) {
            for (int o = 0; o < m; o++) {
                double s = edited.bias()[o];
                float[] w = edited.weight()[o];
                for (int i = 0; i < w.length; i++) {
                    s += w[i] * keys[r][i];
                }
                values[r][o] = s;
            }
            double g = 0;
            for (int i = 0; i < gate.length; i++) {
                g += gate[i] * keys[r][i];
            }
            gates[r] = g;
        }
        List<DenseLayer> rest = net.layers().subList(layer, net.layers().size());
        double[] gy = escape(consequent, net.outputSize());
        double[] g = pullBack(rest, values, concept, gy);
        double gg = ConceptProbe.dot(g, g);
        int[] before = new int[n];
        for (int r = 0; r < n; r++) {
            before[r] = decide(forward(rest, values[r], null), decision);
        }
        double wNorm = frobenius(edited);
        double uNorm = Math.sqrt(ConceptProbe.dot(gate, gate));
        double[] at0 = figures(rest, values, gates, g, 0, concept, before, consequent, decision);
        if (gg == 0 || at0[0] >= 1) {
            return new EditTarget(g, 0, at0[0], at0[1], at0[0], 0);
        }
        double unit = 1 / gg;
        double[] scales = new double[37];
        double[][] fig = new double[scales.length][];
        for (int k = 0; k < scales.length; k++) {
            scales[k] = unit * Math.pow(2, (k - 12) / 2.0);
            if (scales[k] * Math.sqrt(gg) * uNorm / Math.max(wNorm, 1e-30) > goals.normBudget()) {
                scales[k] = Double.NaN;
                break;
            }
            fig[k] = figures(rest, values, gates, g, scales[k], concept, before, consequent, decision);
            if (fig[k][0] >= 1) {
                break;
            }
        }
        // the least scale reaching the best efficacy that keeps locality at its goal; else at its threshold
        int pick = best(scales, fig, at0, goals.locality());
        if ((pick < 0 ? at0 : fig[pick])[0] < goals.minEfficacy()) {
            int alt = best(scales, fig, at0, goals.minLocality());
            if ((alt < 0 ? at0 : fig[alt])[0] > (pick < 0 ? at0 : fig[pick])[0]) {
                pick = alt;
            }
        }
        double t = pick < 0 ? 0 : scales[pick];
        double[] f = pick < 0 ? at0 : fig[pick];
        return new EditTarget(g, t, f[0], f[1], at0[0], t * Math.sqrt(gg) * uNorm / Math.max(wNorm, 1e-30));
    }

    /** The grid index with the best efficacy (least scale on ties) among those with locality at least {@code loc}. */
    private static int best(double[] scales, double[][] fig, double[] at0, double loc) {
        int pick = -1;
        double eff = at0[1] >= loc ? at0[0] : -1;
        for (int k = 0; k < scales.length && !Double.isNaN(scales[k]) && fig[k] != null; k++) {
            if (fig[k][1] >= loc && fig[k][0] > eff + 1e-12) {
                eff = fig[k][0];
                pick = k;
            }
        }
        return pick;
    }

    /** The fit examples' activations at {@code layer}: the keys the edited layer reads. */
    public static float[][] keys(DenseNetwork net, int layer, ConceptEvidence.Examples fit) {
        return new LayerTaps(net).run(fit.inputs(), fit.size(), layer)[layer];
    }

    /** The sum of the unit normals of every unsafe constraint: the way out of the unsafe set, normalised. */
    static double[] escape(Property consequent, int outputs) {
        double[] g = new double[outputs];
        for (List<LinearConstraint> conj : consequent.unsafe()) {
            for (LinearConstraint c : conj) {
                double norm = Math.sqrt(ConceptProbe.dot(c.coefficients(), c.coefficients()));
                if (norm > 0) {
                    for (int j = 0; j < outputs; j++) {
                        g[j] += c.coefficients()[j] / norm;
                    }
                }
            }
        }
        double norm = Math.sqrt(ConceptProbe.dot(g, g));
        for (int j = 0; j < outputs && norm > 0; j++) {
            g[j] /= norm;
        }
        return g;
    }

    /** The average over the positive rows of {@code Jᵀ gy}, {@code J} the Jacobian of the outputs in the values. */
    private static double[] pullBack(List<DenseLayer> rest, double[][] values, byte[] concept, double[] gy) {
        int m = values.length == 0 ? 0 : values[0].length;
        double[] sum = new double[rest.get(0).outputSize()];
        int count = 0;
        for (int r = 0; r < values.length; r++) {
            if (concept[r] != 1) {
                continue;
            }
            count++;
            double[][] acts = new double[rest.size()][];
            forward(rest, values[r], acts);
            double[] grad = gy.clone();
            for (int l = rest.size() - 1; l >= 0; l--) {
                DenseLayer d = rest.get(l);
                double[] pre = acts[l];
                for (int o = 0; o < grad.length; o++) {
                    grad[o] *= derivative(d.activation(), pre[o], d.alpha());
                }
                if (l == 0) {
                    break;
                }
                double[] prev = new double[d.inputSize()];
                for (int o = 0; o < d.outputSize(); o++) {
                    float[] w = d.weight()[o];
                    for (int i = 0; i < w.length; i++) {
                        prev[i] += w[i] * grad[o];
                    }
                }
                grad = prev;
            }
            for (int i = 0; i < m; i++) {
                sum[i] += grad[i];
            }
        }
        for (int i = 0; i < sum.length && count > 0; i++) {
            sum[i] /= count;
        }
        return sum;
    }

    /**
     * The outputs for pre-activation {@code v} of the first remaining layer (in double); {@code pre}, when given,
     * receives each remaining layer's pre-activation.
     */
    private static double[] forward(List<DenseLayer> rest, double[] v, double[][] pre) {
        double[] z = v;
        double[] a = null;
        for (int l = 0; l < rest.size(); l++) {
            DenseLayer d = rest.get(l);
            if (l > 0) {
                z = new double[d.outputSize()];
                for (int o = 0; o < z.length; o++) {
                    double s = d.bias()[o];
                    float[] w = d.weight()[o];
                    for (int i = 0; i < w.length; i++) {
                        s += w[i] * a[i];
                    }
                    z[o] = s;
                }
            }
            if (pre != null) {
                pre[l] = z;
            }
            a = new double[z.length];
            for (int o = 0; o < z.length; o++) {
                a[o] = d.activation().apply(z[o], d.alpha());
            }
        }
        return a;
    }

    /** {efficacy, locality} on the fit rows with the values moved by {@code gate_r t g}. */
    private static double[] figures(List<DenseLayer> rest, double[][] values, double[] gates, double[] g, double t,
                                    byte[] concept, int[] before, Property consequent, Decision decision) {
        int pos = 0;
        int ok = 0;
        int neg = 0;
        int same = 0;
        double[] v = new double[g.length];
        for (int r = 0; r < values.length; r++) {
            if (concept[r] != 0 && concept[r] != 1) {
                continue;
            }
            for (int i = 0; i < v.length; i++) {
                v[i] = values[r][i] + gates[r] * t * g[i];
            }
            double[] y = forward(rest, v, null);
            if (concept[r] == 1) {
                pos++;
                ok += consequent.isUnsafe(y, 0) ? 0 : 1;
            } else {
                neg++;
                same += decide(y, decision) == before[r] ? 1 : 0;
            }
        }
        return new double[] {pos == 0 ? 1 : (double) ok / pos, neg == 0 ? 1 : (double) same / neg};
    }

    private static int decide(double[] y, Decision decision) {
        int k = 0;
        for (int j = 1; j < y.length; j++) {
            if (decision == Decision.ARGMAX ? y[j] > y[k] : y[j] < y[k]) {
                k = j;
            }
        }
        return k;
    }

    /** The derivative of an activation at {@code x} (central difference for the smooth ones). */
    static double derivative(Activation act, double x, double alpha) {
        return switch (act) {
            case IDENTITY -> 1;
            case RELU -> x > 0 ? 1 : 0;
            case LEAKY_RELU -> x > 0 ? 1 : alpha;
            default -> {
                double h = 1e-5 * Math.max(1, Math.abs(x));
                yield (act.apply(x + h, alpha) - act.apply(x - h, alpha)) / (2 * h);
            }
        };
    }

    static double frobenius(DenseLayer d) {
        double s = 0;
        for (float[] row : d.weight()) {
            for (float w : row) {
                s += (double) w * w;
            }
        }
        return Math.sqrt(s);
    }
}
