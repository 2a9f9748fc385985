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

    /**
     * The difference between {@code before} and {@code after}: the same layers, which may only grow, plus any
     * {@link DenseLayer#isInserted() inserted} layers, all of whose units and parameters count as added.
     */
    public static Changes between(DenseNetwork before, DenseNetwork after) {
        int units = 0;
        long changed = 0;
        long added = 0;
        double max = 0;
        List<String> touched = new ArrayList<>();
        int last = after.layers().size() - 1;
        int l = 0;
        for (int j = 0; j <= last; j++) {
            DenseLayer b = after.layers().get(j);
            if (b.isInserted()) {
                units += b.outputSize();
                added += (long) b.outputSize() * (b.inputSize() + 1);
                touched.add(b.name());
                continue;
            }
            if (l >= before.layers().size()) {
                throw new IllegalArgumentException("a lowering added layer " + b.name() + " without marking it inserted");
            }
            DenseLayer a = before.layers().get(l++);
            if (b.outputSize() < a.outputSize() || b.inputSize() < a.inputSize()) {
                throw new IllegalArgumentException("a lowering shrank layer " + a.name());
            }
            if (j < last) {
                units += b.outputSize() - a.outputSize();
            }
            long[] cn = new long[2];
            max = Math.max(max, compare(a, b, cn));
            if (cn[0] + cn[1] > 0) {
                touched.add(a.name());
            }
            changed += cn[0];
            added += cn[1];
        }
        if (l != before.layers().size()) {
            throw new IllegalArgumentException("a lowering removed layers");
        }
        return new Changes(units, changed, added, touched, max);
    }

    /** Counts into {@code cn} the existing parameters of {@code a} that changed and the new ones; the largest change. */
    private static double compare(DenseLayer a, DenseLayer b, long[] cn) {
        double max = 0;
        for (int o = 0; o < b.outputSize(); o++) {
            for (int i = 0; i < b.inputSize(); i++) {
                float vb = b.weight()[o][i];
                if (o < a.outputSize() && i < a.inputSize()) {
                    float va = a.weight()[o][i];
                    if (Float.floatToRawIntBits(va) != Float.floatToRawIntBits(vb)) {
                        cn[0]++;
                        max = Math.max(max, Math.abs((double) vb - va));
                    }
                } else {
                    cn[1]++;
                }
            }
            if (o < a.outputSize()) {
                if (Float.floatToRawIntBits(a.bias()[o]) != Float.floatToRawIntBits(b.bias()[o])) {
                    cn[0]++;
                    max = Math.max(max, Math.abs((double) b.bias()[o] - a.bias()[o]));
                }
            } else {
                cn[1]++;
            }
        }
        return max;
    }
}
