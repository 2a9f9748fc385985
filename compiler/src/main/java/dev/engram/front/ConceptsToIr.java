package dev.engram.front;

import dev.engram.check.CheckedProgram;
import dev.engram.check.CheckedRule;
import dev.engram.check.PremiseCase;
import dev.engram.diag.Diagnostic;
import dev.engram.diag.DiagnosticCode;
import dev.engram.dict.ConceptSpec;
import dev.engram.dict.DataLayout;
import dev.engram.dict.Dictionary;
import dev.engram.dict.LayerTaps;
import dev.engram.dict.Learner;
import dev.engram.dict.NcdFile;
import dev.engram.ir.ConceptCode;
import dev.engram.ir.ConceptEvidence;
import dev.engram.ir.ConceptPolicy;
import dev.engram.ir.Obligation;
import dev.engram.ir.SampleDomain;
import dev.engram.model.LoadedModel;
import dev.engram.source.Span;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The stage {@code statements over learned concepts → IR}, through the neural-code dictionary: rules whose premise is a
 * learned concept, {@code erase} and {@code steer toward}. The dictionary is read from the policy's {@code .ncd} file
 * (bound to the model's SHA-256; the concepts' data must be the data it was learned from) or learned here from the
 * rule file's concept declarations; each statement gets its concept's code at its layer (the layer the statement or
 * the declaration names, else the best one) and the concept's examples; a rule whose premise also has input
 * conditions keeps them, one property per premise case, for the verifier. A statement the dictionary cannot serve — a
 * concept that cannot be learned, a layer that does not exist or was not tapped — is an error at its source position
 * (a code weaker than {@code --min-auc} is refused by the lowering, with the measured figures).
 */
final class ConceptsToIr {
    private ConceptsToIr() {
    }

    /** The obligations, and the errors of the statements that could not be translated. */
    record Result(List<Obligation> obligations, List<Diagnostic> diagnostics) {
    }

    /** A statement over a learned concept, before the dictionary answers it. */
    private record Use(String concept, int layer, Span span, String name, CheckedRule rule, Double strength,
                       boolean erase, List<dev.engram.verify.Property> formal) {
    }

    static Result translate(CheckedProgram p, LoadedModel model, ModelUnits mu, SampleDomain domain,
                            ConceptPolicy policy) {
        List<Diagnostic> diags = new ArrayList<>();
        List<Use> uses = uses(p, mu, domain, diags);
        if (uses.isEmpty()) {
            return new Result(List.of(), diags);
        }
        Set<String> names = new LinkedHashSet<>();
        uses.forEach(u -> names.add(u.concept()));
        List<ConceptSpec> specs = new ArrayList<>(ConceptSources.declared(p, Optional.empty()));
        specs.removeIf(s -> !names.contains(s.name()));
        for (ConceptSpec s : specs) {
            if (!Files.isRegularFile(s.file())) {
                diags.add(error(s.span(), "cannot learn concept '" + s.name() + "': no examples file " + s.file(),
                        "paths are relative to the rule file's folder"));
            }
        }
        if (!diags.isEmpty()) {
            return new Result(List.of(), diags);
        }
        Set<Integer> extra = new java.util.TreeSet<>();
        uses.forEach(u -> extra.add(u.layer()));
        Learner.Options options = Learner.Options.builder().optExtraLayers(extra)
                .optTestData(Optional.ofNullable(policy.testData())).build();
        LayerTaps taps = LayerTaps.of(model);
        DataLayout layout = ConceptSources.layout(p, taps.inputSize(), taps.outputSize());
        Dictionary dict;
        Map<String, ConceptEvidence> evidence;
        try {
            if (policy.dictionary() != null) {
                dict = NcdFile.read(policy.dictionary(), model.sha256());
                evidence = Learner.evidence(dict, taps, layout, specs, options);
            } else {
                Learner.Learned l = Learner.learn(taps, model.sha256(), layout, specs, options);
                dict = l.dictionary();
                evidence = l.evidence();
            }
        } catch (Learner.Failure f) {
            diags.add(error(f.concept().span(), f.getMessage(), "check the examples file and its column"));
            return new Result(List.of(), diags);
        } catch (NcdFile.Rejected r) {
            diags.add(error(uses.get(0).span(), "cannot use the dictionary: " + r.getMessage(),
                    "learn one for this model: engram learn --model MODEL --data DATA --concepts RULES --out M.ncd"));
            return new Result(List.of(), diags);
        }
        List<Obligation> obs = new ArrayList<>();
        for (Use u : uses) {
            obligation(u, dict, evidence.get(u.concept()), policy, mu, taps, diags).ifPresent(obs::add);
        }
        return new Result(obs, diags);
    }

    /**
     * The statements over learned concepts; E060 for the forms this version cannot lower (a premise that negates the
     * concept, combines two, or has a case without it).
     */
    private static List<Use> uses(CheckedProgram p, ModelUnits mu, SampleDomain domain, List<Diagnostic> diags) {
        Set<String> learned = new LinkedHashSet<>();
        p.learnedConcepts().forEach(c -> learned.add(c.name()));
        List<Use> out = new ArrayList<>();
        for (CheckedRule r : p.rules()) {
            if (!r.usesLearnedConcept()) {
                continue;
            }
            String concept = null;
            String why = null;
            List<dev.engram.verify.Property> formal = new ArrayList<>();
            List<dev.engram.verify.Property> cases = mu.properties(r);
            for (int i = 0; i < r.premise().size() && why == null; i++) {
                PremiseCase c = r.premise().get(i);
                if (c.learned().size() != 1 || c.learned().get(0).negated()) {
                    why = c.learned().isEmpty() ? "one case of its premise has no learned concept"
                            : c.learned().size() > 1 ? "it combines two learned concepts" : "it negates the concept";
                } else if (concept != null && !concept.equals(c.learned().get(0).concept())) {
                    why = "its premise cases use different learned concepts";
                } else {
                    concept = c.learned().get(0).concept();
                    if (!c.constraints().isEmpty() || !whole(mu.box(c), domain.box())) {
                        formal.add(cases.get(i));
                    }
                }
            }
            if (why != null) {
                diags.add(ProgramToIr.notYet(r.span(), "rule " + r.name(), "a rule over a learned concept needs "
                        + "that one concept, not negated, in every case of its premise (input conditions beside it "
                        + "are fine); " + why));
                continue;
            }
            out.add(new Use(concept, -1, r.span(), r.name(), r, null, false, formal));
        }
        for (CheckedProgram.Erasure e : p.erasures()) {
            if (learned.contains(e.concept())) {
                out.add(new Use(e.concept(), e.layer(), e.span(), "erase " + e.concept(), null, null, true,
                        List.of()));
            } else {
                diags.add(ProgramToIr.notYet(e.span(), "erase " + e.concept(), "only a concept learned from examples"
                        + " ('concept C from \"FILE\"') has a code to erase"));
            }
        }
        for (CheckedProgram.Steering s : p.steerings()) {
            if (learned.contains(s.concept())) {
                out.add(new Use(s.concept(), s.layer(), s.span(), "steer toward " + s.concept(), null, s.strength(),
                        false, List.of()));
            } else {
                diags.add(ProgramToIr.notYet(s.span(), "steer toward " + s.concept(), "only a concept learned from "
                        + "examples ('concept C from \"FILE\"') has a direction to steer along"));
            }
        }
        return out;
    }

    private static Optional<Obligation> obligation(Use u, Dictionary dict, ConceptEvidence ev, ConceptPolicy policy,
                                                   ModelUnits mu, LayerTaps taps, List<Diagnostic> diags) {
        int depth = taps.depth();
        Dictionary.Concept c = dict.concept(u.concept()).orElse(null);
        if (c == null || ev == null) {
            diags.add(error(u.span(), "the dictionary has no concept '" + u.concept() + "'",
                    "learn it again with engram learn --concepts RULES"));
            return Optional.empty();
        }
        int layer = u.layer() >= 0 ? u.layer() : editable(c, taps.offset());
        if (layer < 0 || layer >= depth) {
            diags.add(error(u.span(), "layer " + layer + " does not exist for this: the model has layers 0 (the "
                    + "input) to " + depth + " (the outputs); a concept lives in layers 0 to " + (depth - 1)
                    + " (hidden layers 1 to " + (depth - 1) + ")", "name a hidden layer"));
            return Optional.empty();
        }
        Optional<ConceptCode> code = dict.code(u.concept(), layer);
        if (code.isEmpty()) {
            diags.add(error(u.span(), "the dictionary has no code of '" + u.concept() + "' at layer " + layer
                    + " (it has layers " + java.util.Arrays.toString(dict.layersOf(c)) + ")",
                    "learn it with that layer tapped, or name one of those layers"));
            return Optional.empty();
        }
        if (layer < taps.offset()) {
            diags.add(error(u.span(), "layer " + layer + " (" + taps.describe(layer) + ") is in the convolutional part"
                    + " of the model: concept rules, erasure and steering edit the dense layer that reads the concept's"
                    + " layer, and only layers " + taps.offset() + " (" + taps.describe(taps.offset()) + ") to "
                    + (depth - 1) + " are read by dense layers", "name one of layers " + taps.offset() + " to "
                    + (depth - 1) + ", or no layer (the best of them is chosen)"));
            return Optional.empty();
        }
        ConceptCode cc = taps.offset() == 0 ? code.get() : onTail(code.get(), taps.offset());
        ev = taps.offset() == 0 ? ev : onTail(ev, taps);
        if (u.rule() != null) {
            return Optional.of(new Obligation.ConceptRule(u.name(), u.span(), cc, mu.properties(u.rule()).get(0), ev,
                    policy, u.formal()));
        }
        if (u.erase()) {
            return Optional.of(new Obligation.Erase(u.name(), u.span(), cc, ev, policy));
        }
        return Optional.of(new Obligation.ConceptSteer(u.name(), u.span(), cc, u.strength(), ev, policy));
    }

    /** The concept's chosen layer, or for a CNN ({@code offset > 0}) the best of the layers dense layers read. */
    private static int editable(Dictionary.Concept c, int offset) {
        if (offset == 0 || c.chosenLayer() >= offset) {
            return c.chosenLayer();
        }
        List<Dictionary.LayerCode> read = c.layers().stream().filter(l -> l.layer() >= offset).toList();
        return read.isEmpty() ? c.chosenLayer() : new Dictionary.Concept(c.name(), c.source(), c.selector(),
                c.declaredLayer(), read, -1).bestLayer();
    }

    /** A CNN's code renumbered to its dense tail's layers (the tail's input, layer 0, is layer {@code offset}). */
    private static ConceptCode onTail(ConceptCode c, int offset) {
        return new ConceptCode(c.concept(), c.layer() - offset, c.direction(), c.threshold(), c.positiveMean(),
                c.negativeMean(), c.mean(), c.covariance(), c.count(), c.positives(), c.negatives(), c.auc(),
                c.accuracy(), c.heldOut(), c.bestLayer() - offset, c.bestAuc(), c.map().stream()
                .map(q -> new ConceptCode.Quality(q.layer() - offset, q.auc(), q.accuracy())).toList());
    }

    /** A CNN's examples as its dense tail reads them: every input through the convolutional part to the flatten. */
    private static ConceptEvidence onTail(ConceptEvidence ev, LayerTaps taps) {
        return new ConceptEvidence(onTail(ev.fit(), taps), onTail(ev.heldOut(), taps), onTail(ev.test(), taps));
    }

    private static ConceptEvidence.Examples onTail(ConceptEvidence.Examples e, LayerTaps taps) {
        if (e.size() == 0) {
            return e;
        }
        float[][] x = taps.run(e.inputs(), e.size(), taps.offset())[taps.offset()];
        return new ConceptEvidence.Examples(e.description(), x, e.concept(), e.labels());
    }

    /** True when the premise case's box is the whole declared domain (no input condition besides the concept). */
    private static boolean whole(dev.engram.verify.Box box, dev.engram.verify.Box domain) {
        for (int i = 0; i < box.dimension() && i < domain.dimension(); i++) {
            if (Math.abs(box.lo()[i] - domain.lo()[i]) > 1e-9 * (1 + Math.abs(domain.lo()[i]))
                    || Math.abs(box.hi()[i] - domain.hi()[i]) > 1e-9 * (1 + Math.abs(domain.hi()[i]))) {
                return false;
            }
        }
        return true;
    }

    private static Diagnostic error(Span span, String message, String hint) {
        return Diagnostic.error(DiagnosticCode.E062, span, message, hint);
    }
}
