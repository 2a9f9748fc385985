package dev.engram.verify.bounds;

import dev.engram.verify.Box;

import java.util.List;

/**
 * Sound bounds of every layer's pre-activation values over an input box; the last entry bounds the outputs.
 * Already widened by the rounding allowance, so float32 execution stays inside.
 */
public record LayerBounds(List<Box> preActivation) {
    public LayerBounds {
        preActivation = List.copyOf(preActivation);
    }

    public Box output() {
        return preActivation.get(preActivation.size() - 1);
    }
}
