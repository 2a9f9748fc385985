package dev.engram.model.dag;

/** {@code Add}: {@code a + b} in float32, with broadcasting (commutative: the side of a constant does not matter). */
public final class Add extends Binary {

    Add(Operands o) {
        super(o);
    }

    static Op read(OpReader r) {
        return new Add(operands(r));
    }

    @Override
    public String type() {
        return "Add";
    }

    @Override
    void both(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] = a[ao + i] + b[bo + i];
        }
    }

    @Override
    void withConstant(float[] x, int xo, float c, boolean constantFirst, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] = x[xo + i] + c;
        }
    }
}
