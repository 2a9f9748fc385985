package dev.engram.model.dag;

/** An operator that is a matrix {@link Product} ({@link Gemm}, {@link MatMul}): its shape, listing and forward pass. */
public abstract class ProductOp implements ReluEpilogue {
    final Product product;
    private final Shape shape;
    final String summary;

    ProductOp(Product product, Shape shape, String summary) {
        this.product = product;
        this.shape = shape;
        this.summary = summary;
    }

    /** This operator on another product of the same shapes (a fold into it). */
    abstract ProductOp with(Product p);

    @Override
    public final Shape shape() {
        return shape;
    }

    /** This product as affine terms of its data operand (for bound propagation), or null when both are data. */
    public final LinearTerms linearTerms() {
        return product.terms();
    }

    @Override
    public final String describe() {
        return summary + product.added();
    }

    @Override
    public final void forward(float[][] in, float[] out, int lanes, Scratch scratch, boolean relu) {
        product.forward(in, out, lanes, scratch, relu);
    }
}
