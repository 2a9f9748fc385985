package dev.engram.ir;

import dev.engram.source.Span;
import dev.engram.verify.Property;

/**
 * One rule in the compiler's IR: over {@code property.region()} (model units) the outputs must stay out of
 * {@code property.unsafe()}. Built from rule text, a VNN-LIB file, or directly by the Java API.
 *
 * @param name     the rule's name (for reports and diagnostics)
 * @param span     where the rule was written ({@link Span#NONE} for API-built rules)
 * @param property the region and the unsafe set
 * @param strategy how to lower it
 * @param delta    guard margin per input, in model units: outputs are unchanged outside the region dilated by it
 */
public record Obligation(String name, Span span, Property property, Strategy strategy, double[] delta) {
    public Obligation {
        delta = delta == null ? null : delta.clone();
    }

    /** Lowering strategies. */
    public enum Strategy {
        /** Exact guard units (KBANN-style) on a widened network. */
        GUARD
    }
}
