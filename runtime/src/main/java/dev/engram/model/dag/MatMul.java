package dev.engram.model.dag;

import java.util.Arrays;

/**
 * {@code MatMul} with numpy semantics: 1-D operands promoted and their dimension dropped, leading (batch)
 * dimensions broadcast. A constant 1-D or 2-D operand on either side runs on the packed matrix kernel; any other
 * pair is multiplied as data (a constant with batch dimensions as well).
 */
public final class MatMul extends ProductOp {
    private MatMul(Product product, Shape shape, String summary) {
        super(product, shape, summary);
    }

    static Op read(OpReader r) {
        r.inputs(2, 2);
        Shape sa = r.shape(0);
        Shape sb = r.shape(1);
        if (sa.rank() < 1 || sb.rank() < 1) {
            throw r.error("MatMul of a scalar (" + sa + ", " + sb + ") is not defined");
        }
        boolean a1 = sa.rank() == 1;
        boolean b1 = sb.rank() == 1;
        int m = a1 ? 1 : sa.dim(sa.rank() - 2);
        int k = sa.dim(sa.rank() - 1);
        int n = b1 ? 1 : sb.dim(sb.rank() - 1);
        if ((b1 ? sb.dim(0) : sb.dim(sb.rank() - 2)) != k) {
            throw r.error("operands " + sa + " and " + sb + " do not multiply");
        }
        Shape leadA = lead(sa);
        Shape leadB = lead(sb);
        Shape lead = Binary.broadcast(r, leadA, leadB);
        int[] dims = Arrays.copyOf(lead.dims(), lead.rank() + (a1 ? 0 : 1) + (b1 ? 0 : 1));
        if (!a1) {
            dims[lead.rank()] = m;
        }
        if (!b1) {
            dims[dims.length - 1] = n;
        }
        Shape out = r.checked("result", Shape.of(dims).longs());
        int batch = lead.size();
        int[] aOff = offsets(leadA, lead, m * k);
        int[] bOff = offsets(leadB, lead, k * n);
        String summary = k + "->" + n;
        Product p;
        if (r.isConstant(1) && leadB.size() == 1) {
            r.data(0);
            p = new Product(Product.Constant.B, batch, m, k, n, aOff, k, 1, null, 0, 0, 1f, r.floats(1), null);
        } else if (r.isConstant(0) && !r.isConstant(1) && leadA.size() == 1) {
            r.data(1);
            p = new Product(Product.Constant.A, batch, m, k, n, null, 0, 0, bOff, n, 1, 1f, r.floats(0), null);
            summary = "constant A, " + summary;
        } else {
            r.data(0);
            r.data(1);
            p = new Product(Product.Constant.NONE, batch, m, k, n, aOff, k, 1, bOff, n, 1, 1f, null, null);
            summary = "data x data, " + summary;
        }
        return new MatMul(p, out, summary);
    }

    /** The batch dimensions of a MatMul operand (none for 1-D and 2-D ones). */
    private static Shape lead(Shape s) {
        return s.rank() <= 2 ? Shape.of() : Shape.of(Arrays.copyOf(s.dims(), s.rank() - 2));
    }

    /** Per batch index of the result, the offset of the operand's matrix (broadcast where its dimension is 1). */
    private static int[] offsets(Shape own, Shape lead, int matrix) {
        int[] map = Binary.map(Shape.of(pad(own.dims(), lead.rank())), lead);
        int[] off = new int[lead.size()];
        for (int b = 0; b < off.length; b++) {
            off[b] = (map == null ? b : map[b]) * matrix;
        }
        return off;
    }

    private static int[] pad(int[] d, int rank) {
        int[] p = new int[rank];
        Arrays.fill(p, 1);
        System.arraycopy(d, 0, p, rank - d.length, d.length);
        return p;
    }

    @Override
    MatMul with(Product p) {
        return new MatMul(p, shape(), summary);
    }

    @Override
    public String type() {
        return "MatMul";
    }
}
