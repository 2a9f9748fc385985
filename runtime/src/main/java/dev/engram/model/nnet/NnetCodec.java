package dev.engram.model.nnet;

import dev.engram.model.Activation;
import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;
import dev.engram.model.ModelException;
import dev.engram.model.ModelLimits;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes the NNet text format. */
public final class NnetCodec {
    private NnetCodec() {
    }

    private static final class Lines {
        final String[] lines;
        final String label;
        int pos;

        Lines(String text, String label) {
            this.lines = text.split("\r?\n", -1);
            this.label = label;
        }

        String[] next(String what) {
            while (pos < lines.length) {
                String l = lines[pos++].trim();
                if (l.isEmpty() || l.startsWith("//")) {
                    continue;
                }
                List<String> toks = new ArrayList<>();
                for (String t : l.split(",")) {
                    t = t.trim();
                    if (!t.isEmpty()) {
                        toks.add(t);
                    }
                }
                return toks.toArray(new String[0]);
            }
            throw new ModelException(label + ": file ends before " + what);
        }

        ModelException error(String msg) {
            return new ModelException(label + ":" + pos + ": " + msg);
        }

        int[] ints(String what, int n) {
            String[] t = next(what);
            if (t.length < n) {
                throw error(what + ": expected " + n + " values, found " + t.length);
            }
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                try {
                    out[i] = Integer.parseInt(t[i]);
                } catch (NumberFormatException e) {
                    throw error(what + ": '" + t[i] + "' is not an integer");
                }
            }
            return out;
        }

        double[] doubles(String what, int n) {
            String[] t = next(what);
            if (t.length < n) {
                throw error(what + ": expected " + n + " values, found " + t.length);
            }
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                try {
                    out[i] = Double.parseDouble(t[i]);
                } catch (NumberFormatException e) {
                    throw error(what + ": '" + t[i] + "' is not a number");
                }
            }
            return out;
        }

        float[] floats(String what, int n) {
            String[] t = next(what);
            if (t.length < n) {
                throw error(what + ": expected " + n + " values, found " + t.length);
            }
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                try {
                    out[i] = Float.parseFloat(t[i]);
                } catch (NumberFormatException e) {
                    throw error(what + ": '" + t[i] + "' is not a number");
                }
            }
            return out;
        }
    }

    /** Parses NNet text ({@code source} labels errors; may be null). */
    public static NnetModel parse(String text, Path source, String sha256, ModelLimits limits) {
        Lines in = new Lines(text, source == null ? "<nnet>" : source.toString());
        List<String> comments = new ArrayList<>();
        for (String l : in.lines) {
            if (l.trim().startsWith("//")) {
                comments.add(l.trim());
            } else if (!l.isBlank()) {
                break;
            }
        }
        int[] head = in.ints("the header (layers, inputs, outputs, max size)", 3);
        int nl = head[0];
        if (nl < 1 || nl > Math.min(100_000, limits.maxNodes())) {
            throw in.error("implausible layer count " + nl);
        }
        int[] sizes = in.ints("the layer sizes", nl + 1);
        for (int s : sizes) {
            if (s <= 0) {
                throw in.error("layer size " + s + " must be positive");
            }
        }
        if (sizes[0] != head[1] || sizes[nl] != head[2]) {
            throw in.error("layer sizes " + sizes[0] + ".." + sizes[nl] + " disagree with the header "
                    + head[1] + " inputs, " + head[2] + " outputs");
        }
        reserve(in, sizes, text.length(), limits);
        in.next("the flag line");
        int n = sizes[0];
        double[] mins = in.doubles("input minimums", n);
        double[] maxs = in.doubles("input maximums", n);
        double[] means = in.doubles("means", n + 1);
        double[] ranges = in.doubles("ranges", n + 1);
        List<DenseLayer> layers = new ArrayList<>();
        for (int l = 0; l < nl; l++) {
            int ins = sizes[l];
            int outs = sizes[l + 1];
            float[][] w = new float[outs][];
            for (int o = 0; o < outs; o++) {
                w[o] = in.floats("layer " + l + " weight row " + o, ins);
            }
            float[] b = new float[outs];
            for (int o = 0; o < outs; o++) {
                b[o] = in.floats("layer " + l + " bias " + o, 1)[0];
            }
            layers.add(new DenseLayer("layer" + l, w, b, l == nl - 1 ? Activation.IDENTITY : Activation.RELU, 0.01,
                    new DenseLayer.TensorRef("layer" + l + ".weight", false),
                    new DenseLayer.TensorRef("layer" + l + ".bias", false)));
        }
        return new NnetModel(new DenseNetwork(layers), mins, maxs, means, ranges, comments, source, sha256);
    }

    /**
     * Checks what the header declares against the budget and against the file itself before anything is
     * allocated: every number takes at least two characters (a digit and a comma), so a file of {@code length}
     * characters holds at most {@code length / 2} of them, whatever its header says.
     */
    private static void reserve(Lines in, int[] sizes, long length, ModelLimits limits) {
        ModelLimits.Budget budget = limits.budget();
        long numbers = 4L * sizes[0] + 2;
        for (int l = 0; l + 1 < sizes.length; l++) {
            String what = in.label + ": layer " + l;
            numbers += budget.reserveElements(what + " weights", new long[] {sizes[l + 1], sizes[l]});
            numbers += budget.reserveElements(what + " biases", new long[] {sizes[l + 1]});
        }
        if (numbers > (length + 1) / 2) {
            throw new ModelException(in.label + ": the header declares " + numbers + " numbers (normalisation,"
                    + " weights and biases) but the file's " + length + " characters can hold at most "
                    + (length + 1) / 2 + " (truncated file or a header that does not match it)");
        }
    }

    /** Formats a model as NNet text; floats are written with enough digits to read back bit-identically. */
    public static String format(NnetModel m) {
        DenseNetwork net = m.network();
        StringBuilder sb = new StringBuilder(1 << 16);
        if (m.comments().isEmpty()) {
            sb.append("// Neural Network File Format by Kyle Julian, Stanford 2016 (written by Engram)\n");
        } else {
            for (String c : m.comments()) {
                sb.append(c).append('\n');
            }
        }
        int nl = net.layers().size();
        int max = net.inputSize();
        for (DenseLayer d : net.layers()) {
            max = Math.max(max, d.outputSize());
        }
        sb.append(nl).append(',').append(net.inputSize()).append(',').append(net.outputSize()).append(',')
                .append(max).append(",\n");
        sb.append(net.inputSize()).append(',');
        for (DenseLayer d : net.layers()) {
            sb.append(d.outputSize()).append(',');
        }
        sb.append("\n0,\n");
        row(sb, m.mins());
        row(sb, m.maxs());
        row(sb, m.means());
        row(sb, m.ranges());
        for (DenseLayer d : net.layers()) {
            for (float[] r : d.weight()) {
                for (float v : r) {
                    sb.append(Float.toString(v)).append(',');
                }
                sb.append('\n');
            }
            for (float v : d.bias()) {
                sb.append(Float.toString(v)).append(",\n");
            }
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, double[] v) {
        for (double x : v) {
            sb.append(Double.toString(x)).append(',');
        }
        sb.append('\n');
    }
}
