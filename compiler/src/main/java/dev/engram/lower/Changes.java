package dev.engram.lower;

import dev.engram.model.DenseLayer;
import dev.engram.model.DenseNetwork;

import java.util.ArrayList;
import java.util.List;

/**
 * What a lowering did to the network: hidden units added, parameters changed (existing scalars whose value
 * differs) and added (scalars of new rows or columns), the layers touched, and the largest absolute change of an
 * existing parameter. Computed by comparing the networks before and after, so every lowering is measured alike.
 */
public record Changes(int unitsAdded, long parametersChanged, long parametersAdded, List<String> layers,
                      double maxAbsChange) {
    public Changes {
        layers = List.copyOf(layers);
    }

    /** Nothing changed. */
    public static Changes none() {
        return new Changes(0, 0, 0, List.of(), 0);
    }

    /** The difference between {@code before} and {@code after} (same depth; layers may only grow). */
    public static Changes between(DenseNetwork before, DenseNetwork after) {
        if (before.layers().size() != after.layers().size()) {
            throw new IllegalArgumentException("a lowering changed the number of layers");
        }
        int units = 0;
        long changed = 0;
        long added = 0;
        double max = 0;
        List<String> touched = new ArrayList<>();
        int last = before.layers().size() - 1;
        for (int l = 0; l <= last; l++) {
            DenseLayer a = before.layers().get(l);
            DenseLayer b = after.layers().get(l);
            if (b.outputSize() < a.outputSize() || b.inputSize() < a.inputSize()) {
                throw new IllegalArgumentException("a lowering shrank layer " + a.name());
            }
            if (l < last) {
                units += b.outputSize() - a.outputSize();
            }
            long c = 0;
            long n = 0;
            for (int o = 0; o < b.outputSize(); o++) {
                for (int i = 0; i < b.inputSize(); i++) {
                    float vb = b.weight()[o][i];
                    if (o < a.outputSize() && i < a.inputSize()) {
                        float va = a.weight()[o][i];
                        if (Float.floatToRawIntBits(va) != Float.floatToRawIntBits(vb)) {
                            c++;
                            max = Math.max(max, Math.abs((double) vb - va));
                        }
                    } else {
                        n++;
                    }
                }
                if (o < a.outputSize()) {
                    if (Float.floatToRawIntBits(a.bias()[o]) != Float.floatToRawIntBits(b.bias()[o])) {
                        c++;
                        max = Math.max(max, Math.abs((double) b.bias()[o] - a.bias()[o]));
                    }
                } else {
                    n++;
                }
            }
            if (c + n > 0) {
                touched.add(a.name());
            }
            changed += c;
            added += n;
        }
        return new Changes(units, changed, added, touched, max);
    }
}
