package dev.engram.ir;

import java.util.List;

/**
 * The IR of one compilation, in model units: the obligations in source order, where fidelity is sampled, how the
 * model decides, and how model units read in the rule file's real units. Built by the front end from a rule file
 * and VNN-LIB files, or directly by the Java API; every later stage consumes it.
 */
public record Ir(List<Obligation> obligations, SampleDomain domain, Decision decision, Units units) {
    public Ir {
        obligations = List.copyOf(obligations);
        units = units == null ? Units.none() : units;
        decision = decision == null ? Decision.ARGMIN : decision;
    }
}
