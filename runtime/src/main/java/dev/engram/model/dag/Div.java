package dev.engram.model.dag;

/** {@code Div}: {@code a / b} in float32, with broadcasting (a constant may be on either side). */
public final class Div extends Binary {

    Div(Operands o) {
        super(o);
    }

    static Op read(OpReader r) {
        return new Div(operands(r));
    }

    @Override
    public String type() {
        return "Div";
    }

    @Override
    void both(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] = a[ao + i] / b[bo + i];
        }
    }

    @Override
    void withConstant(float[] x, int xo, float c, boolean constantFirst, float[] y, int yo, int n) {
        if (constantFirst) {
            for (int i = 0; i < n; i++) {
                y[yo + i] = c / x[xo + i];
            }
        } else {
            for (int i = 0; i < n; i++) {
                y[yo + i] = x[xo + i] / c;
            }
        }
    }
}
