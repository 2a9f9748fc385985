package dev.engram.dict;

import java.util.ArrayList;
import java.util.List;

/**
 * The JSON metadata of an {@code .ncd} file: what it is, the model it belongs to, the data sources with their layer
 * statistics, the concepts with their code at every layer, the unsupervised atoms if any, and the table of arrays (name, shape, offset in doubles
 * into the array section). Large arrays (means, co-moments, directions) live in the array section and are named
 * here; small ones are inline. NaN qualities are written as {@code null}.
 */
public record NcdMetadata(String format, int version, String createdBy, Model model, List<Source> sources,
                          List<Concept> concepts, List<Atoms> atoms, List<Array> arrays) {

    public static final String FORMAT = "engram neural-code dictionary";

    public record Model(String sha256, int[] widths) {
    }

    public record Source(String file, String sha256, long rows, long seed, double heldOutFraction, List<String> concepts,
                         List<Moments> layers) {
    }

    /** One layer's statistics; arrays by name. */
    public record Moments(int layer, long count, String mean, String coMoment, long[] positives, long[] negatives,
                          String positiveMeans, String negativeMeans) {
    }

    public record Concept(String name, int source, String selector, int declaredLayer, int chosenLayer,
                          List<Code> layers) {
    }

    public record Code(int layer, Double auc, Double accuracy, double threshold, long heldOutPositives,
                       long heldOutNegatives, String direction, int[] selective, double[] effect) {
    }

    /** One layer's unsupervised atoms (absent in files written without {@code --atoms}); directions by name. */
    public record Atoms(int source, int layer, int sparsity, Double explained, String directions, double[] usage,
                        List<String> concepts, List<Double> auc) {
    }

    public record Array(String name, long[] shape, long offset) {
        long size() {
            long n = 1;
            for (long s : shape) {
                if (s < 0 || s > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("array " + name + " has dimension " + s);
                }
                n = Math.multiplyExact(n, s);
            }
            return n;
        }
    }

    /** Metadata plus the array section's values. */
    record Encoded(NcdMetadata metadata, double[] doubles) {
    }

    static Encoded encode(Dictionary d) {
        Arrays arrays = new Arrays();
        List<Source> sources = new ArrayList<>();
        for (int s = 0; s < d.sources().size(); s++) {
            Dictionary.Source src = d.sources().get(s);
            List<Moments> ms = new ArrayList<>();
            for (int k = 0; k < src.layers().length; k++) {
                LayerMoments m = src.moments().get(k);
                String p = "s" + s + ".l" + src.layers()[k] + ".";
                int c = m.concepts();
                long[] pos = new long[c];
                long[] neg = new long[c];
                double[] pm = new double[c * m.dim()];
                double[] nm = new double[c * m.dim()];
                for (int i = 0; i < c; i++) {
                    pos[i] = m.positives(i);
                    neg[i] = m.negatives(i);
                    System.arraycopy(m.positiveMean(i), 0, pm, i * m.dim(), m.dim());
                    System.arraycopy(m.negativeMean(i), 0, nm, i * m.dim(), m.dim());
                }
                ms.add(new Moments(src.layers()[k], m.count(), arrays.add(p + "mean", m.mean(), m.dim()),
                        arrays.add(p + "coMoment", m.coMoment(), m.dim(), m.dim()), pos, neg,
                        arrays.add(p + "positiveMeans", pm, c, m.dim()), arrays.add(p + "negativeMeans", nm, c,
                        m.dim())));
            }
            sources.add(new Source(src.file(), src.sha256(), src.rows(), src.seed(), src.heldOutFraction(),
                    src.concepts(), ms));
        }
        List<Concept> concepts = new ArrayList<>();
        for (Dictionary.Concept c : d.concepts()) {
            List<Code> codes = new ArrayList<>();
            for (Dictionary.LayerCode l : c.layers()) {
                codes.add(new Code(l.layer(), nan(l.auc()), nan(l.accuracy()), l.threshold(), l.heldOutPositives(),
                        l.heldOutNegatives(), arrays.add("c." + c.name() + ".l" + l.layer() + ".direction",
                        l.direction(), l.direction().length), l.selective(), l.effect()));
            }
            concepts.add(new Concept(c.name(), c.source(), c.selector(), c.declaredLayer(), c.chosenLayer(), codes));
        }
        List<Atoms> atoms = new ArrayList<>();
        for (Dictionary.Atoms a : d.atoms()) {
            int k = a.atoms().size();
            int dim = d.widths()[a.layer()];
            double[] dirs = new double[k * dim];
            double[] usage = new double[k];
            for (int j = 0; j < k; j++) {
                System.arraycopy(a.atoms().get(j).direction(), 0, dirs, j * dim, dim);
                usage[j] = a.atoms().get(j).usage();
            }
            atoms.add(new Atoms(a.source(), a.layer(), a.sparsity(), nan(a.explained()),
                    arrays.add("a.s" + a.source() + ".l" + a.layer() + ".directions", dirs, k, dim), usage,
                    a.atoms().stream().map(Dictionary.Atom::concept).toList(),
                    a.atoms().stream().map(x -> nan(x.auc())).toList()));
        }
        NcdMetadata meta = new NcdMetadata(FORMAT, NcdFile.VERSION, "engram 0.1.0",
                new Model(d.modelSha256(), d.widths()), sources, concepts, atoms, arrays.table);
        return new Encoded(meta, arrays.values());
    }

    private static Double nan(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static double unnan(Double v) {
        return v == null ? Double.NaN : v;
    }

    static Dictionary decode(NcdMetadata m, double[] doubles) {
        if (!FORMAT.equals(m.format())) {
            throw new IllegalArgumentException("format '" + m.format() + "'");
        }
        java.util.Map<String, Array> table = new java.util.HashMap<>();
        for (Array a : m.arrays()) {
            if (a.offset() < 0 || a.offset() + a.size() > doubles.length) {
                throw new IllegalArgumentException("array " + a.name() + " reaches beyond the array section");
            }
            table.put(a.name(), a);
        }
        int[] widths = m.model().widths();
        List<Dictionary.Source> sources = new ArrayList<>();
        for (Source s : m.sources()) {
            sources.add(source(s, widths, table, doubles));
        }
        List<Dictionary.Concept> concepts = new ArrayList<>();
        for (Concept c : m.concepts()) {
            if (c.source() < 0 || c.source() >= sources.size()) {
                throw new IllegalArgumentException("concept " + c.name() + " names source " + c.source());
            }
            concepts.add(concept(c, widths, table, doubles));
        }
        List<Dictionary.Atoms> atoms = new ArrayList<>();
        for (Atoms a : m.atoms() == null ? List.<Atoms>of() : m.atoms()) {
            if (a.source() < 0 || a.source() >= sources.size() || a.layer() < 0 || a.layer() >= widths.length) {
                throw new IllegalArgumentException("atoms of source " + a.source() + ", layer " + a.layer()
                        + " outside the dictionary");
            }
            atoms.add(atoms(a, widths, table, doubles));
        }
        return new Dictionary(m.version(), m.model().sha256(), widths, sources, concepts, atoms);
    }

    /** One source's statistics per tapped layer. */
    private static Dictionary.Source source(Source s, int[] widths, java.util.Map<String, Array> table,
                                            double[] doubles) {
        List<LayerMoments> moments = new ArrayList<>();
        int[] layers = new int[s.layers().size()];
        int c = s.concepts().size();
        for (int k = 0; k < layers.length; k++) {
            Moments mo = s.layers().get(k);
            layers[k] = mo.layer();
            if (mo.layer() < 0 || mo.layer() >= widths.length) {
                throw new IllegalArgumentException("layer " + mo.layer() + " outside the model");
            }
            int dim = widths[mo.layer()];
            double[] pm = get(table, doubles, mo.positiveMeans(), c, dim);
            double[] nm = get(table, doubles, mo.negativeMeans(), c, dim);
            double[][] pms = new double[c][];
            double[][] nms = new double[c][];
            for (int i = 0; i < c; i++) {
                pms[i] = java.util.Arrays.copyOfRange(pm, i * dim, (i + 1) * dim);
                nms[i] = java.util.Arrays.copyOfRange(nm, i * dim, (i + 1) * dim);
            }
            if (mo.positives().length != c || mo.negatives().length != c) {
                throw new IllegalArgumentException("class counts of layer " + mo.layer() + " for " + c
                        + " concepts");
            }
            moments.add(LayerMoments.of(mo.count(), get(table, doubles, mo.mean(), dim),
                    get(table, doubles, mo.coMoment(), dim, dim), mo.positives(), pms, mo.negatives(), nms));
        }
        return new Dictionary.Source(s.file(), s.sha256(), s.rows(), s.seed(), s.heldOutFraction(), layers,
                moments, s.concepts());
    }

    /** One concept's code per layer. */
    private static Dictionary.Concept concept(Concept c, int[] widths, java.util.Map<String, Array> table,
                                              double[] doubles) {
        List<Dictionary.LayerCode> codes = new ArrayList<>();
        for (Code k : c.layers()) {
            if (k.layer() < 0 || k.layer() >= widths.length) {
                throw new IllegalArgumentException("layer " + k.layer() + " outside the model");
            }
            codes.add(new Dictionary.LayerCode(k.layer(), get(table, doubles, k.direction(), widths[k.layer()]),
                    k.threshold(), unnan(k.auc()), unnan(k.accuracy()), k.heldOutPositives(),
                    k.heldOutNegatives(), k.selective(), k.effect()));
        }
        return new Dictionary.Concept(c.name(), c.source(), c.selector(), c.declaredLayer(), codes,
                c.chosenLayer());
    }

    /** One layer's unsupervised atoms. */
    private static Dictionary.Atoms atoms(Atoms a, int[] widths, java.util.Map<String, Array> table,
                                          double[] doubles) {
        if (a.usage() == null || a.concepts() == null || a.auc() == null || a.directions() == null
                || a.concepts().contains(null)) {
            throw new IllegalArgumentException("atoms of layer " + a.layer() + " miss a field");
        }
        int k = a.usage().length;
        if (a.concepts().size() != k || a.auc().size() != k) {
            throw new IllegalArgumentException("atoms of layer " + a.layer() + ": " + k + " usages, "
                    + a.concepts().size() + " names, " + a.auc().size() + " AUCs");
        }
        int dim = widths[a.layer()];
        double[] dirs = get(table, doubles, a.directions(), k, dim);
        List<Dictionary.Atom> list = new ArrayList<>();
        for (int j = 0; j < k; j++) {
            list.add(new Dictionary.Atom(java.util.Arrays.copyOfRange(dirs, j * dim, (j + 1) * dim),
                    a.usage()[j], a.concepts().get(j), unnan(a.auc().get(j))));
        }
        return new Dictionary.Atoms(a.source(), a.layer(), a.sparsity(), unnan(a.explained()), list);
    }

    private static double[] get(java.util.Map<String, Array> table, double[] doubles, String name, long... shape) {
        Array a = table.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no array '" + name + "'");
        }
        if (!java.util.Arrays.equals(a.shape(), shape)) {
            throw new IllegalArgumentException("array " + name + " has shape " + java.util.Arrays.toString(a.shape())
                    + ", expected " + java.util.Arrays.toString(shape));
        }
        return java.util.Arrays.copyOfRange(doubles, (int) a.offset(), (int) (a.offset() + a.size()));
    }

    private static double[] get(java.util.Map<String, Array> table, double[] doubles, String name, int... shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = shape[i];
        }
        return get(table, doubles, name, s);
    }

    /** The array section being built. */
    private static final class Arrays {
        final List<Array> table = new ArrayList<>();
        final List<double[]> parts = new ArrayList<>();
        long size;

        String add(String name, double[] values, int... shape) {
            long[] s = new long[shape.length];
            for (int i = 0; i < s.length; i++) {
                s[i] = shape[i];
            }
            table.add(new Array(name, s, size));
            parts.add(values);
            size += values.length;
            return name;
        }

        double[] values() {
            double[] out = new double[(int) size];
            int at = 0;
            for (double[] p : parts) {
                System.arraycopy(p, 0, out, at, p.length);
                at += p.length;
            }
            return out;
        }
    }
}
