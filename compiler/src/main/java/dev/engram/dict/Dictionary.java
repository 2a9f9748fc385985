package dev.engram.dict;

import dev.engram.ir.ConceptCode;

import java.util.List;
import java.util.Optional;

/**
 * The neural-code dictionary of one model: for every declared concept and every tapped layer, where and how the
 * model's neurons encode it (a closed-form probe with its held-out quality), the best layer, and the mergeable
 * statistics of each layer over each data file the concepts were learned from. Bound to the model by its SHA-256.
 * Stored in the {@code .ncd} container ({@link NcdFile}); queried as IR values ({@link #code}).
 *
 * @param version     the format version it was written in
 * @param modelSha256 the model it describes
 * @param widths      the model's layer widths: {@code widths[0]} inputs, {@code widths[L]} layer L
 * @param sources     the data files, with their layer statistics
 * @param concepts    the concepts, in declaration order
 * @param atoms       unsupervised atoms of tapped layers (when asked for; {@code engram learn --atoms K})
 */
public record Dictionary(int version, String modelSha256, int[] widths, List<Source> sources, List<Concept> concepts,
                         List<Atoms> atoms) {
    public Dictionary {
        widths = widths.clone();
        sources = List.copyOf(sources);
        concepts = List.copyOf(concepts);
        atoms = List.copyOf(atoms);
    }

    /** A dictionary without unsupervised atoms. */
    public Dictionary(int version, String modelSha256, int[] widths, List<Source> sources, List<Concept> concepts) {
        this(version, modelSha256, widths, sources, concepts, List.of());
    }

    /**
     * The unsupervised atoms of one layer over one source's data ({@link SparseAtoms}): a sparse, nonnegative
     * dictionary of the layer's centred activations, learned on the fit sample, each atom named by the declared
     * concept its codes separate best on the held-out rows.
     *
     * @param source    index into {@link #sources}
     * @param sparsity  most atoms per row
     * @param explained share of the held-out rows' centred energy the atoms reconstruct
     */
    public record Atoms(int source, int layer, int sparsity, double explained, List<Atom> atoms) {
        public Atoms {
            atoms = List.copyOf(atoms);
        }
    }

    /**
     * One atom: its unit direction in the layer's units, the share of held-out rows that use it, and its best-matching
     * concept with the held-out AUC of the atom's code for that concept (empty name when no concept's AUC is above
     * 0.5; NaN AUC when no concept has both classes held out).
     */
    public record Atom(double[] direction, double usage, String concept, double auc) {
        public Atom {
            direction = direction.clone();
        }
    }

    /**
     * One data file and the statistics of the tapped layers over its fit split: {@code moments.get(k)} is layer
     * {@code layers[k]}, with one concept slot per name in {@code concepts}.
     *
     * @param file            the file as the rule file resolved it (reports only; identity is the SHA-256)
     * @param heldOutFraction the share of rows held out (chosen by a hash of the row number and {@code seed})
     */
    public record Source(String file, String sha256, long rows, long seed, double heldOutFraction, int[] layers,
                         List<LayerMoments> moments, List<String> concepts) {
        public Source {
            layers = layers.clone();
            moments = List.copyOf(moments);
            concepts = List.copyOf(concepts);
        }

        /** The statistics of layer {@code layer}, if tapped. */
        public Optional<LayerMoments> at(int layer) {
            for (int k = 0; k < layers.length; k++) {
                if (layers[k] == layer) {
                    return Optional.of(moments.get(k));
                }
            }
            return Optional.empty();
        }
    }

    /**
     * A concept: its source (index into {@link #sources}), its selector, the layer its declaration named (-1 none),
     * its quality at every tapped layer and the layer chosen for it (the declared one, else the best).
     */
    public record Concept(String name, int source, String selector, int declaredLayer, List<LayerCode> layers,
                          int chosenLayer) {
        public Concept {
            layers = List.copyOf(layers);
        }

        public Optional<LayerCode> at(int layer) {
            return layers.stream().filter(l -> l.layer() == layer).findFirst();
        }

        /** The layer with the best held-out AUC (then accuracy, then the later layer). */
        public int bestLayer() {
            LayerCode best = null;
            for (LayerCode l : layers) {
                if (best == null || better(l, best)) {
                    best = l;
                }
            }
            return best == null ? -1 : best.layer();
        }

        private static boolean better(LayerCode a, LayerCode b) {
            double da = Double.isNaN(a.auc()) ? -1 : a.auc();
            double db = Double.isNaN(b.auc()) ? -1 : b.auc();
            if (Math.abs(da - db) > 1e-9) {
                return da > db;
            }
            if (Math.abs(a.accuracy() - b.accuracy()) > 1e-9) {
                return a.accuracy() > b.accuracy();
            }
            return a.layer() > b.layer();
        }
    }

    /**
     * A concept's code at one layer: the probe's unit direction and threshold, its held-out AUC and accuracy (NaN when
     * a class had no held-out example), the held-out counts, and the most selective units with their standardised
     * mean differences.
     */
    public record LayerCode(int layer, double[] direction, double threshold, double auc, double accuracy,
                            long heldOutPositives, long heldOutNegatives, int[] selective, double[] effect) {
        public LayerCode {
            direction = direction.clone();
            selective = selective.clone();
            effect = effect.clone();
        }
    }

    /** The concept called {@code name}. */
    public Optional<Concept> concept(String name) {
        return concepts.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** The hidden layers and the input layer tapped for {@code c} (as learned). */
    public int[] layersOf(Concept c) {
        return c.layers().stream().mapToInt(LayerCode::layer).toArray();
    }

    /** What the dictionary knows about {@code concept} at {@code layer}, as an IR value; empty if not tapped. */
    public Optional<ConceptCode> code(String concept, int layer) {
        Optional<Concept> c = concept(concept);
        if (c.isEmpty()) {
            return Optional.empty();
        }
        Source s = sources.get(c.get().source());
        Optional<LayerCode> lc = c.get().at(layer);
        Optional<LayerMoments> m = s.at(layer);
        if (lc.isEmpty() || m.isEmpty()) {
            return Optional.empty();
        }
        int k = s.concepts().indexOf(concept);
        LayerMoments lm = m.get();
        LayerCode code = lc.get();
        int best = c.get().bestLayer();
        double bestAuc = c.get().at(best).map(LayerCode::auc).orElse(Double.NaN);
        return Optional.of(new ConceptCode(concept, layer, code.direction(), code.threshold(), lm.positiveMean(k),
                lm.negativeMean(k), lm.mean(), lm.covariance(), lm.count(), lm.positives(k), lm.negatives(k),
                code.auc(), code.accuracy(), code.heldOutPositives() + code.heldOutNegatives(), best, bestAuc,
                c.get().layers().stream().map(l -> new ConceptCode.Quality(l.layer(), l.auc(), l.accuracy())).toList()));
    }
}
