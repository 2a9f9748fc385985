package dev.engram.ir;

/** How a model's decision follows from its outputs: the index of the largest or of the smallest score. */
public enum Decision {
    ARGMAX, ARGMIN;

    /** The decided output index (the first one on ties). */
    public int of(float[] y) {
        int k = 0;
        for (int j = 1; j < y.length; j++) {
            if (this == ARGMAX ? y[j] > y[k] : y[j] < y[k]) {
                k = j;
            }
        }
        return k;
    }
}
