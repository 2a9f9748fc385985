package dev.engram.model.dag;

/**
 * {@code Gemm}: {@code Y = alpha * A' B' + beta * C} with {@code A' = transA ? A^T : A}, likewise B, for any alpha,
 * beta and transposes; one of A and B may be constant (the usual dense layer has a constant B), or both data. C is
 * a constant broadcast to {@code [M, N]}; {@code beta * C} is rounded once, then added to {@code alpha * sum}.
 */
public final class Gemm extends ProductOp {
    private Gemm(Product product, String summary) {
        super(product, Shape.of(product.m, product.n), summary);
    }

    /**
     * A dense layer on a {@code [1, in]} value: {@code Y = X W^T + bias}, with {@code weight} row-major
     * {@code [out][in]} and {@code bias} {@code [out]} or null.
     */
    public static Gemm dense(float[] weight, int out, int in, float[] bias) {
        float[] wt = new float[in * out]; // B = W^T, [in][out]
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                wt[i * out + o] = weight[o * in + i];
            }
        }
        Product p = new Product(Product.Constant.B, 1, 1, in, out, new int[] {0}, in, 1, null, 0, 0, 1f, wt, bias);
        return new Gemm(p, in + "->" + out);
    }

    static Op read(OpReader r) {
        r.inputs(2, 3);
        float alpha = r.floatAttr("alpha", 1f);
        float beta = r.floatAttr("beta", 1f);
        boolean ta = r.intAttrIn("transA", 0, 0, 1) == 1;
        boolean tb = r.intAttrIn("transB", 0, 0, 1) == 1;
        Shape sa = r.shape(0);
        Shape sb = r.shape(1);
        if (sa.rank() != 2 || sb.rank() != 2) {
            throw r.error("Gemm needs 2-D operands, found " + sa + " and " + sb);
        }
        int m = ta ? sa.dim(1) : sa.dim(0);
        int k = ta ? sa.dim(0) : sa.dim(1);
        int n = tb ? sb.dim(0) : sb.dim(1);
        if ((tb ? sb.dim(1) : sb.dim(0)) != k) {
            throw r.error("operands " + sa + (ta ? "^T" : "") + " and " + sb + (tb ? "^T" : "") + " do not multiply");
        }
        float[] c = r.has(2) ? bias(r, m, n, beta) : null;
        String summary = k + "->" + n + (alpha != 1f ? " alpha " + alpha : "") + (beta != 1f ? " beta " + beta : "")
                + (ta ? " transA" : "") + (tb ? " transB" : "");
        Product p;
        if (r.isConstant(1) || !r.isConstant(0)) {
            r.data(0);
            int aI = ta ? 1 : k;
            int aK = ta ? m : 1;
            if (r.isConstant(1)) {
                p = new Product(Product.Constant.B, 1, m, k, n, new int[] {0}, aI, aK, null, 0, 0, alpha,
                        transposedIf(tb, r.floats(1), n, k), c);
            } else {
                r.data(1);
                p = new Product(Product.Constant.NONE, 1, m, k, n, new int[] {0}, aI, aK, new int[] {0},
                        tb ? 1 : n, tb ? k : 1, alpha, null, c);
            }
        } else {
            r.data(1);
            p = new Product(Product.Constant.A, 1, m, k, n, null, 0, 0, new int[] {0}, tb ? 1 : n, tb ? k : 1, alpha,
                    transposedIf(ta, r.floats(0), k, m), c);
            summary = "constant A, " + summary;
        }
        return new Gemm(p, summary);
    }

    /** {@code beta * C} broadcast to {@code [m][n]}. */
    private static float[] bias(OpReader r, int m, int n, float beta) {
        Shape cs = r.shape(2);
        float[] cv = r.floats(2);
        Shape mn = Shape.of(m, n);
        if (cs.rank() > 2 || !Binary.broadcast(r, cs, mn).equals(mn)) {
            throw r.error("C " + cs + " does not broadcast to [" + m + "," + n + "]");
        }
        int[] map = Binary.map(cs, mn);
        float[] out = new float[m * n];
        for (int e = 0; e < out.length; e++) {
            out[e] = beta * cv[map == null ? e : map[e]];
        }
        return out;
    }

    /** Row-major {@code [rows][cols]} of a matrix stored {@code [cols][rows]} when {@code transposed}, else as is. */
    static float[] transposedIf(boolean transposed, float[] v, int storedRows, int storedCols) {
        if (!transposed) {
            return v;
        }
        float[] t = new float[v.length];
        for (int i = 0; i < storedRows; i++) {
            for (int j = 0; j < storedCols; j++) {
                t[j * storedRows + i] = v[i * storedCols + j];
            }
        }
        return t;
    }

    @Override
    Gemm with(Product p) {
        return new Gemm(p, summary);
    }

    @Override
    public String type() {
        return "Gemm";
    }
}
