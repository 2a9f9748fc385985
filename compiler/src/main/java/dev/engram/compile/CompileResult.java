package dev.engram.compile;

import dev.engram.model.LoadedModel;
import dev.engram.patch.Patch;

import java.util.List;

/**
 * The outcome of a compilation: the patched model and its patch, one report per rule, whole-domain fidelity,
 * and whether every rule was proved on the patched model.
 */
public record CompileResult(LoadedModel patched, Patch patch, List<RuleReport> rules, Fidelity wholeDomain,
                            double seconds) {
    public CompileResult {
        rules = List.copyOf(rules);
    }

    public boolean proved() {
        return rules.stream().allMatch(RuleReport::proved);
    }
}
