package dev.engram.verify;

import java.util.List;

/**
 * An input region: the union of {@code boxes}, each intersected with every one of {@code constraints}
 * (linear constraints over the inputs, in model units). VNN-LIB input disjunctions become several boxes.
 */
public record InputRegion(List<Box> boxes, List<LinearConstraint> constraints) {
    public InputRegion {
        boxes = List.copyOf(boxes);
        constraints = List.copyOf(constraints);
        if (boxes.isEmpty()) {
            throw new IllegalArgumentException("an input region needs at least one box");
        }
    }

    public static InputRegion of(Box box) {
        return new InputRegion(List.of(box), List.of());
    }
}
