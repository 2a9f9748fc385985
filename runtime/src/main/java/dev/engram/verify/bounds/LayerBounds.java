package dev.engram.verify.bounds;

import dev.engram.verify.Box;

import java.util.List;

/**
 * Sound bounds of every layer's pre-activation values over an input box; the last entry bounds the outputs.
 * They contain every value the network takes when executed in float32 (any summation order).
 */
public record LayerBounds(List<Box> preActivation) {
    public LayerBounds {
        preActivation = List.copyOf(preActivation);
    }

    public Box output() {
        return preActivation.get(preActivation.size() - 1);
    }
}
