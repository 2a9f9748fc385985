package dev.engram.dict;

import dev.engram.ir.ConceptEvidence;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * One pass over one data file for the concepts declared on it: selectors bound to the file's columns, rows split into
 * fit and held-out by hash, fit rows tapped and merged into the layer statistics (when {@code statistics}), and the
 * kept samples. Then the probes and their held-out quality ({@link #concept}) and the evidence ({@link #evidence}).
 */
final class SourcePass {
    /**
     * Rows per chunk: each worker's share of a chunk (its rows gathered into one array of 128 × the input width) stays
     * below the collector's "humongous" size for inputs up to 1,024 values, which would otherwise start a concurrent
     * marking cycle every few chunks.
     */
    static final int CHUNK = 256;
    /** Most fit-sample rows the unsupervised atoms are learned on. */
    static final int ATOM_ROWS = 3_000;

    private final LayerTaps taps;
    private final Path file;
    private final List<ConceptSpec> specs;
    private final int[] layers;
    private final Learner.Options options;
    private final List<LayerMoments> moments = new ArrayList<>();
    /** Per worker, its own statistics of every tapped layer; merged into {@link #moments} in worker order. */
    private final List<List<LayerMoments>> partial = new ArrayList<>();
    /** Per kept held-out row, its activations at layers {@code 0 .. top} (tapped by the workers in the pass). */
    private final List<float[][]> heldActs = new ArrayList<>();
    private final Kept fit;
    private final Kept held;
    private String description = "";
    private String sha256 = "";
    private long rows;

    /** Rows kept in memory (capped): inputs, concept values per concept, task labels. */
    private static final class Kept {
        final int cap;
        final List<float[]> x = new ArrayList<>();
        final List<byte[]> concepts = new ArrayList<>();
        final List<Integer> labels = new ArrayList<>();

        Kept(int cap) {
            this.cap = cap;
        }

        boolean full() {
            return x.size() >= cap;
        }

        void add(float[] row, byte[] concept, int label) {
            x.add(row);
            concepts.add(concept);
            labels.add(label);
        }

        private float[][] rows;
        private int[] labelArray;

        /** Concept {@code k}'s view: the inputs and labels arrays are shared by every concept's view. */
        ConceptEvidence.Examples examples(String description, int k) {
            if (rows == null) {
                rows = x.toArray(new float[0][]);
                labelArray = labels.stream().mapToInt(Integer::intValue).toArray();
            }
            byte[] c = new byte[rows.length];
            for (int r = 0; r < c.length; r++) {
                c[r] = concepts.get(r)[k];
            }
            return new ConceptEvidence.Examples(description, rows, c, labelArray);
        }
    }

    private SourcePass(LayerTaps taps, Path file, List<ConceptSpec> specs, int[] layers, Learner.Options o) {
        this.taps = taps;
        this.file = file;
        this.specs = specs;
        this.layers = layers;
        this.options = o;
        this.fit = new Kept(o.fitCap());
        this.held = new Kept(o.heldOutCap());
        for (int l : layers) {
            moments.add(new LayerMoments(taps.width(l), specs.size()));
        }
        for (int w = 0; w < WORKERS; w++) {
            List<LayerMoments> mine = new ArrayList<>();
            for (int l : layers) {
                mine.add(new LayerMoments(taps.width(l), specs.size()));
            }
            partial.add(mine);
        }
    }

    /** Workers tapping and accumulating in parallel, each on its share of every chunk (deterministic results). */
    static final int WORKERS = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));

    /** Streams {@code file} once. */
    static SourcePass run(LayerTaps taps, Path file, DataLayout layout, List<ConceptSpec> specs, int[] layers,
                          Learner.Options o, boolean statistics) {
        SourcePass p = new SourcePass(taps, file, specs, layers, o);
        // the file's hash on a thread of its own, while the pass reads the file
        java.util.concurrent.CompletableFuture<String> sha = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> sha256(file, specs.get(0)), r -> {
                    Thread t = new Thread(r, "engram-dict-sha");
                    t.setDaemon(true);
                    t.start();
                });
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(WORKERS, r -> {
            Thread t = new Thread(r, "engram-dict-worker");
            t.setDaemon(true);
            return t;
        });
        try (ExampleStream s = new Prefetch(open(file, layout, specs.get(0)), CHUNK)) {
            p.description = s.description();
            Bound b = bind(s, specs, file);
            int top = layers.length == 0 ? 0 : layers[layers.length - 1];
            for (ExampleStream.Batch batch = s.next(CHUNK); batch != null; batch = s.next(CHUNK)) {
                p.accept(batch, b, s, statistics, top, pool);
            }
        } catch (Learner.Failure e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new Learner.Failure(specs.get(0), e.getMessage());
        } finally {
            pool.shutdownNow();
        }
        try {
            p.sha256 = sha.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
        for (List<LayerMoments> w : p.partial) {
            for (int j = 0; j < layers.length; j++) {
                p.moments.get(j).merge(w.get(j));
            }
        }
        if (statistics && p.rows > 0 && p.moments.stream().anyMatch(m -> m.count() == 0)) {
            throw new Learner.Failure(specs.get(0), file + ": no row fell in the fit split");
        }
        return p;
    }

    /** The selectors bound to their columns. */
    private record Bound(int[] columns, Selector.Test[] tests, Selector[] selectors) {
    }

    private static Bound bind(ExampleStream s, List<ConceptSpec> specs, Path file) {
        int[] cols = new int[specs.size()];
        Selector.Test[] tests = new Selector.Test[specs.size()];
        Selector[] sels = new Selector[specs.size()];
        for (int k = 0; k < specs.size(); k++) {
            ConceptSpec spec = specs.get(k);
            try {
                sels[k] = Selector.parse(spec.selectorText());
                cols[k] = s.columns().indexOf(sels[k].column());
                if (cols[k] < 0) {
                    throw new IllegalArgumentException("no column '" + sels[k].column() + "' in " + file.getFileName()
                            + " (columns: " + (s.columns().isEmpty() ? "none; an array file needs its labels file"
                            : String.join(", ", s.columns())) + ")");
                }
                tests[k] = sels[k].bind(s.levels(cols[k]));
            } catch (IllegalArgumentException e) {
                throw new Learner.Failure(spec, "concept '" + spec.name() + "': " + e.getMessage());
            }
        }
        return new Bound(cols, tests, sels);
    }

    private void accept(ExampleStream.Batch batch, Bound b, ExampleStream s, boolean statistics, int top,
                        java.util.concurrent.ExecutorService pool) {
        int n = batch.size();
        int k = specs.size();
        byte[][] rowConcepts = new byte[n][k];
        int[] task = new int[n];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < k; c++) {
                double v = batch.values()[b.columns()[c]][r];
                byte t = b.tests()[c].apply(v);
                if (t == -2) {
                    throw new Learner.Failure(specs.get(c), file.getFileName() + ": row " + (rows + r + 1)
                            + ": column '" + b.selectors()[c].column() + "' holds " + v + ", not 0/1: write column \""
                            + b.selectors()[c].column() + " = " + v + "\" or \"... in {...}\"");
                }
                rowConcepts[r][c] = t;
            }
            task[r] = s.taskColumn() >= 0 ? s.task(batch.values()[s.taskColumn()][r]) : -1;
        }
        List<Integer> fitRows = new ArrayList<>();
        List<Integer> heldRows = new ArrayList<>();
        List<Integer> heldSlots = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            if (heldOut(options.seed(), rows + r, options.heldOutFraction())) {
                if (!held.full()) {
                    held.add(batch.x()[r], rowConcepts[r], task[r]);
                    if (statistics) {
                        heldRows.add(r);
                        heldSlots.add(heldActs.size());
                        heldActs.add(null);
                    }
                }
            } else {
                fitRows.add(r);
                if (!fit.full()) {
                    fit.add(batch.x()[r], rowConcepts[r], task[r]);
                }
            }
        }
        if (statistics && fitRows.size() + heldRows.size() > 0 && layers.length > 0) {
            List<java.util.concurrent.Callable<Void>> work = new ArrayList<>();
            int m = fitRows.size();
            int h = heldRows.size();
            for (int w = 0; w < WORKERS; w++) {
                List<Integer> fitShare = fitRows.subList(m * w / WORKERS, m * (w + 1) / WORKERS);
                int hFrom = h * w / WORKERS;
                int hTo = h * (w + 1) / WORKERS;
                List<LayerMoments> mine = partial.get(w);
                work.add(() -> {
                    tapAndMerge(batch, rowConcepts, fitShare, heldRows.subList(hFrom, hTo),
                            heldSlots.subList(hFrom, hTo), top, mine);
                    return null;
                });
            }
            try {
                for (java.util.concurrent.Future<Void> f : pool.invokeAll(work)) {
                    f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while learning", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            }
        }
        rows += n;
    }

    /**
     * Taps fit rows {@code fit} and held-out rows {@code held} of the batch in one run: merges the fit rows'
     * activations into {@code into} (one per layer) and keeps the held-out rows' in their slots of the held-out
     * activations (for the probes' quality).
     */
    private void tapAndMerge(ExampleStream.Batch batch, byte[][] rowConcepts, List<Integer> fit,
                             List<Integer> held, List<Integer> slots, int top, List<LayerMoments> into) {
        int m = fit.size();
        int all = m + held.size();
        if (all == 0) {
            return;
        }
        int k = specs.size();
        int w0 = taps.width(0);
        float[] x = new float[all * w0];
        byte[][] lab = new byte[k][m];
        for (int i = 0; i < all; i++) {
            int row = i < m ? fit.get(i) : held.get(i - m);
            System.arraycopy(batch.x()[row], 0, x, i * w0, w0);
            for (int c = 0; c < k && i < m; c++) {
                lab[c][i] = rowConcepts[row][c];
            }
        }
        float[][] acts = taps.runFlat(x, all, top);
        for (int j = 0; j < layers.length && m > 0; j++) {
            into.get(j).add(acts[layers[j]], m, lab);
        }
        for (int i = 0; i < held.size(); i++) {
            float[][] per = new float[top + 1][];
            per[0] = batch.x()[held.get(i)];
            for (int l : layers) { // only the tapped layers: a CNN's untapped feature maps are wide
                if (l == 0) {
                    continue;
                }
                int w = taps.width(l);
                per[l] = java.util.Arrays.copyOfRange(acts[l], (m + i) * w, (m + i + 1) * w);
            }
            heldActs.set(slots.get(i), per);
        }
    }

    /** Whether row {@code row} is held out: a SplitMix64 hash of the seed and the row number, against the share. */
    static boolean heldOut(long seed, long row, double fraction) {
        long z = seed * 0x9E3779B97F4A7C15L + row + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53 < fraction;
    }

    Dictionary.Source source() {
        return new Dictionary.Source(file.toString(), sha256, rows, options.seed(), options.heldOutFraction(), layers,
                moments, specs.stream().map(ConceptSpec::name).toList());
    }

    /** Concept {@code k}'s probe and held-out quality at every tapped layer, and the chosen layer. */
    Dictionary.Concept concept(ConceptSpec spec, int k, int sourceIndex, double shrinkage) {
        ConceptEvidence.Examples h = held.examples("held out", k);
        List<Dictionary.LayerCode> codes = new ArrayList<>();
        for (int j = 0; j < layers.length; j++) {
            LayerMoments m = moments.get(j);
            if (m.positives(k) == 0 || m.negatives(k) == 0) {
                throw new Learner.Failure(spec, "concept '" + spec.name() + "' has " + m.positives(k)
                        + " positive and " + m.negatives(k) + " negative examples in " + file.getFileName()
                        + "; it needs both");
            }
            ConceptProbe p = ConceptProbe.fit(m, k, shrinkage, LinearAlgebra.plain());
            if (p == null) {
                throw new Learner.Failure(spec, "concept '" + spec.name() + "': no direction separates its examples"
                        + " at layer " + layers[j]);
            }
            double[] scores = new double[h.size()];
            for (int r = 0; r < scores.length; r++) {
                scores[r] = p.score(heldActs.get(r)[layers[j]]);
            }
            codes.add(new Dictionary.LayerCode(layers[j], p.direction(), p.threshold(),
                    ConceptProbe.auc(scores, h.concept()), ConceptProbe.accuracy(scores, h.concept()), h.count(1),
                    h.count(0), p.selective(), p.effect()));
        }
        Dictionary.Concept c = new Dictionary.Concept(spec.name(), sourceIndex, Selector.parse(spec.selectorText())
                .text(), spec.layer().orElse(-1), codes, -1);
        int chosen = spec.layer().isPresent() ? spec.layer().getAsInt() : c.bestLayer();
        return new Dictionary.Concept(c.name(), c.source(), c.selector(), c.declaredLayer(), codes, chosen);
    }

    /**
     * {@code k} unsupervised atoms of the {@code j}-th tapped layer, learned on (at most {@link #ATOM_ROWS} rows of)
     * the fit sample and named against this file's concepts on the held-out rows ({@link SparseAtoms#describe}).
     */
    Dictionary.Atoms atoms(int j, int sourceIndex, int k, int sparsity) {
        int layer = layers[j];
        float[][] x = fit.examples("", 0).inputs();
        x = java.util.Arrays.copyOf(x, Math.min(x.length, ATOM_ROWS));
        float[][] fitActs = x.length == 0 ? new float[0][] : taps.run(x, x.length, layer)[layer];
        float[][] heldAt = new float[heldActs.size()][];
        for (int r = 0; r < heldAt.length; r++) {
            heldAt[r] = heldActs.get(r)[layer];
        }
        byte[][] labels = new byte[specs.size()][];
        for (int c = 0; c < labels.length; c++) {
            labels[c] = held.examples("", c).concept();
        }
        if (fitActs.length == 0) {
            throw new Learner.Failure(specs.get(0), file + ": no fit rows to learn atoms from");
        }
        return SparseAtoms.describe(sourceIndex, layer, fitActs, heldAt, moments.get(j).mean(),
                specs.stream().map(ConceptSpec::name).toList(), labels, k, sparsity, options.seed());
    }

    ConceptEvidence evidence(int k, ConceptEvidence.Examples test) {
        String d = description;
        return new ConceptEvidence(fit.examples(d + ", fit split sample", k),
                held.examples(d + ", held-out split", k), test);
    }

    /** Reads up to {@code cap} rows of test data with the concepts' selectors (unknown where a column is missing). */
    static List<ConceptEvidence.Examples> test(Path file, DataLayout layout, List<ConceptSpec> specs, int cap) {
        try (ExampleStream s = open(file, layout, specs.get(0))) {
            int k = specs.size();
            int[] cols = new int[k];
            Selector.Test[] tests = new Selector.Test[k];
            for (int c = 0; c < k; c++) {
                Selector sel = Selector.parse(specs.get(c).selectorText());
                cols[c] = s.columns().indexOf(sel.column());
                tests[c] = cols[c] < 0 ? v -> (byte) -1 : sel.bind(s.levels(cols[c]));
            }
            Kept kept = new Kept(cap);
            for (ExampleStream.Batch b = s.next(CHUNK); b != null && !kept.full(); b = s.next(CHUNK)) {
                for (int r = 0; r < b.size() && !kept.full(); r++) {
                    byte[] cv = new byte[k];
                    for (int c = 0; c < k; c++) {
                        cv[c] = cols[c] < 0 ? -1 : tests[c].apply(b.values()[cols[c]][r]);
                        cv[c] = cv[c] < -1 ? -1 : cv[c];
                    }
                    kept.add(b.x()[r], cv, s.taskColumn() >= 0 ? s.task(b.values()[s.taskColumn()][r]) : -1);
                }
            }
            List<ConceptEvidence.Examples> out = new ArrayList<>();
            for (int c = 0; c < k; c++) {
                out.add(kept.examples(s.description() + ", test data", c));
            }
            return out;
        } catch (IllegalArgumentException e) {
            throw new Learner.Failure(specs.get(0), "test data " + file + ": " + e.getMessage());
        }
    }

    private static ExampleStream open(Path file, DataLayout layout, ConceptSpec spec) {
        try {
            return ExampleStream.open(file, layout);
        } catch (IllegalArgumentException e) {
            throw new Learner.Failure(spec, e.getMessage());
        }
    }

    /** SHA-256 of a file's bytes (hex). */
    static String sha256(Path file, ConceptSpec spec) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new Learner.Failure(spec, file + ": cannot read: " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
