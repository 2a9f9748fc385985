package dev.engram.dict;

import dev.engram.ir.ConceptEvidence;
import dev.engram.model.DenseNetwork;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Learns the dictionary: each data file is streamed once through the model, chunk by chunk. Every row is assigned to
 * the <em>fit</em> split or the <em>held-out</em> split by a hash of its row number and the seed (so the split does not
 * depend on the chunking, and the same file always splits the same way); fit rows are tapped at every hidden layer
 * (and any other layer asked for) and merged into the layer's {@link LayerMoments}; held-out rows are kept, up to a
 * cap, to measure each probe, and later to judge the edits made through it. Then, per concept and layer, the closed
 * form probe ({@link ConceptProbe}) and its held-out AUC and accuracy. Memory does not grow with the data: the
 * statistics are fixed-size and the kept rows capped.
 */
public final class Learner {
    private Learner() {
    }

    /**
     * How to learn.
     *
     * @param seed            the split's seed
     * @param heldOutFraction share of rows held out
     * @param heldOutCap      most held-out rows kept (for quality and for judging edits)
     * @param fitCap          most fit rows kept (for choosing edit targets and training fresh probes)
     * @param testCap         most test rows read
     * @param shrinkage       the probe's shrinkage {@code γ}
     * @param extraLayers     layers to tap besides the hidden ones (0 = the input)
     * @param testData        independent test data; empty: the conventional sibling of each concept's file, if any
     * @param atoms           unsupervised atoms to learn per tapped layer (0: none)
     */
    public record Options(long seed, double heldOutFraction, int heldOutCap, int fitCap, int testCap, double shrinkage,
                          java.util.Set<Integer> extraLayers, Optional<Path> testData, int atoms) {
        /** Most atoms per row of the unsupervised atoms. */
        public static final int ATOM_SPARSITY = 3;

        public Options {
            extraLayers = java.util.Set.copyOf(extraLayers);
            if (atoms < 0) {
                throw new IllegalArgumentException("atoms must be 0 or more: " + atoms);
            }
            if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
                throw new IllegalArgumentException("held-out fraction must be in (0, 1): " + heldOutFraction);
            }
        }

        public static Options defaults() {
            return builder().build();
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Builder in the DJL style: {@code opt*} for optional values, then {@link #build()}. */
        public static final class Builder {
            private long seed = 0x5EED;
            private double heldOutFraction = 0.2;
            private int heldOutCap = 20_000;
            private int fitCap = 6_000;
            private int testCap = 20_000;
            private double shrinkage = ConceptProbe.SHRINKAGE;
            private java.util.Set<Integer> extraLayers = java.util.Set.of();
            private Optional<Path> testData = Optional.empty();
            private int atoms;

            private Builder() {
            }

            public Builder optSeed(long seed) {
                this.seed = seed;
                return this;
            }

            /** The share of rows held out from fitting, for the probes' quality (in (0, 1)). */
            public Builder optHeldOutFraction(double fraction) {
                this.heldOutFraction = fraction;
                return this;
            }

            /** Layers tapped beyond the ones the rules name. */
            public Builder optExtraLayers(java.util.Set<Integer> layers) {
                this.extraLayers = layers;
                return this;
            }

            /** A separate test file the edits are measured on. */
            public Builder optTestData(Optional<Path> test) {
                this.testData = test;
                return this;
            }

            /** {@code k} unsupervised atoms learned per tapped layer (0: none). */
            public Builder optAtoms(int k) {
                this.atoms = k;
                return this;
            }

            public Options build() {
                return new Options(seed, heldOutFraction, heldOutCap, fitCap, testCap, shrinkage, extraLayers,
                        testData, atoms);
            }
        }

    }

    /** A concept that cannot be learned, and why (bad data, no examples of one class, a column that is not there). */
    public static final class Failure extends RuntimeException {
        private final transient ConceptSpec concept;

        public Failure(ConceptSpec concept, String message) {
            super(message);
            this.concept = concept;
        }

        public ConceptSpec concept() {
            return concept;
        }
    }

    /** The dictionary and, per concept, its examples (fit sample, held-out split, test data). */
    public record Learned(Dictionary dictionary, Map<String, ConceptEvidence> evidence) {
        public Learned {
            evidence = Map.copyOf(evidence);
        }
    }

    /** Learns {@code specs} on {@code net} (the model whose SHA-256 is {@code modelSha256}). */
    public static Learned learn(DenseNetwork net, String modelSha256, DataLayout layout, List<ConceptSpec> specs,
                                Options o) {
        return learn(new LayerTaps(net), modelSha256, layout, specs, o);
    }

    /** Learns {@code specs} at the layers of {@code taps} (a dense chain or a split graph such as a CNN). */
    public static Learned learn(LayerTaps taps, String modelSha256, DataLayout layout, List<ConceptSpec> specs,
                                Options o) {
        int[] widths = new int[taps.depth() + 1];
        for (int l = 0; l <= taps.depth(); l++) {
            widths[l] = taps.width(l);
        }
        int[] layers = tapped(taps, specs, o);
        List<Dictionary.Source> sources = new ArrayList<>();
        List<Dictionary.Concept> concepts = new ArrayList<>();
        Map<String, ConceptEvidence> evidence = new LinkedHashMap<>();
        List<Dictionary.Atoms> atoms = new ArrayList<>();
        for (Map.Entry<Path, List<ConceptSpec>> e : byFile(specs).entrySet()) {
            SourcePass pass = SourcePass.run(taps, e.getKey(), layout, e.getValue(), layers, o, true);
            int index = sources.size();
            sources.add(pass.source());
            for (int j = 0; j < layers.length && o.atoms() > 0; j++) {
                atoms.add(pass.atoms(j, index, o.atoms(), Options.ATOM_SPARSITY));
            }
            List<ConceptEvidence.Examples> tests = test(e.getKey(), layout, e.getValue(), o);
            for (int k = 0; k < e.getValue().size(); k++) {
                ConceptSpec spec = e.getValue().get(k);
                concepts.add(pass.concept(spec, k, index, o.shrinkage()));
                evidence.put(spec.name(), pass.evidence(k, tests.get(k)));
            }
        }
        List<Dictionary.Concept> ordered = new ArrayList<>();
        for (ConceptSpec s : specs) {
            concepts.stream().filter(c -> c.name().equals(s.name())).findFirst().ifPresent(ordered::add);
        }
        return new Learned(new Dictionary(NcdFile.VERSION, modelSha256, widths, sources, ordered, atoms), evidence);
    }

    /**
     * The examples of {@code specs} for a dictionary read from a file: each data file is read again (no statistics)
     * and must have the SHA-256 the dictionary was learned from, so the held-out split is the one the dictionary
     * never saw.
     */
    public static Map<String, ConceptEvidence> evidence(Dictionary dict, DenseNetwork net, DataLayout layout,
                                                        List<ConceptSpec> specs, Options o) {
        return evidence(dict, new LayerTaps(net), layout, specs, o);
    }

    /** {@link #evidence(Dictionary, DenseNetwork, DataLayout, List, Options)} through any taps. */
    public static Map<String, ConceptEvidence> evidence(Dictionary dict, LayerTaps taps, DataLayout layout,
                                                        List<ConceptSpec> specs, Options o) {
        Map<String, ConceptEvidence> out = new LinkedHashMap<>();
        for (Map.Entry<Path, List<ConceptSpec>> e : byFile(specs).entrySet()) {
            ConceptSpec first = e.getValue().get(0);
            Dictionary.Concept c = dict.concept(first.name()).orElseThrow(() -> new Failure(first, "the dictionary "
                    + "has no concept '" + first.name() + "'; learn it again with engram learn"));
            Dictionary.Source src = dict.sources().get(c.source());
            Options same = new Options(src.seed(), src.heldOutFraction(), o.heldOutCap(), o.fitCap(), o.testCap(),
                    o.shrinkage(), o.extraLayers(), o.testData(), o.atoms());
            SourcePass pass = SourcePass.run(taps, e.getKey(), layout, e.getValue(), new int[0], same, false);
            if (!pass.source().sha256().equals(src.sha256())) {
                throw new Failure(first, e.getKey() + " is not the data the dictionary was learned from (SHA-256 "
                        + abbrev(pass.source().sha256()) + ", the dictionary's " + abbrev(src.sha256()) + ")");
            }
            List<ConceptEvidence.Examples> tests = test(e.getKey(), layout, e.getValue(), same);
            for (int k = 0; k < e.getValue().size(); k++) {
                out.put(e.getValue().get(k).name(), pass.evidence(k, tests.get(k)));
            }
        }
        return out;
    }

    static String abbrev(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) + "…" : sha;
    }

    /** Widest layer of a convolutional prefix tapped by default (a covariance is width² values per worker). */
    public static final int WIDEST_DEFAULT_TAP = 2_048;

    /**
     * The hidden layers (of a CNN: the taps of its convolutional prefix no wider than {@value #WIDEST_DEFAULT_TAP},
     * the flatten and the dense hidden layers), and whatever else is asked for (declared layers, extra layers).
     */
    private static int[] tapped(LayerTaps taps, List<ConceptSpec> specs, Options o) {
        int depth = taps.depth();
        TreeSet<Integer> layers = new TreeSet<>();
        for (int l = 1; l < depth; l++) {
            if (l >= taps.offset() || taps.width(l) <= WIDEST_DEFAULT_TAP) {
                layers.add(l);
            }
        }
        for (int l : o.extraLayers()) {
            if (l >= 0 && l < depth) {
                layers.add(l);
            }
        }
        for (ConceptSpec s : specs) {
            if (s.layer().isPresent() && s.layer().getAsInt() >= 0 && s.layer().getAsInt() < depth) {
                layers.add(s.layer().getAsInt());
            }
        }
        return layers.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Map<Path, List<ConceptSpec>> byFile(List<ConceptSpec> specs) {
        Map<Path, List<ConceptSpec>> m = new LinkedHashMap<>();
        for (ConceptSpec s : specs) {
            m.computeIfAbsent(s.file().toAbsolutePath().normalize(), k -> new ArrayList<>()).add(s);
        }
        return m;
    }

    /** The test examples of a file's concepts: the given test data, else the conventional sibling, else none. */
    private static List<ConceptEvidence.Examples> test(Path file, DataLayout layout, List<ConceptSpec> specs,
                                                       Options o) {
        Optional<Path> t = o.testData().isPresent() ? o.testData() : sibling(file);
        if (t.isEmpty() || t.get().toAbsolutePath().normalize().equals(file.toAbsolutePath().normalize())) {
            return java.util.Collections.nCopies(specs.size(), ConceptEvidence.Examples.none("no test data"));
        }
        return SourcePass.test(t.get(), layout, specs, o.testCap());
    }

    /**
     * The test file beside a training file, by the usual names: {@code train-images-idx3-ubyte[.gz]} →
     * {@code t10k-images-idx3-ubyte[.gz]}, {@code X.data} → {@code X.test}, {@code *train*.npy} → {@code *test*.npy}.
     */
    public static Optional<Path> sibling(Path file) {
        String n = file.getFileName().toString();
        String t = n.startsWith("train-") ? "t10k-" + n.substring(6) : n.endsWith(".data")
                ? n.substring(0, n.length() - 5) + ".test" : n.contains("train") ? n.replace("train", "test") : null;
        if (t == null) {
            return Optional.empty();
        }
        Path p = file.resolveSibling(t);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }
}
