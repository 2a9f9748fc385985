package dev.engram.verify.bounds;

import dev.engram.model.kernel.Kernels;
import dev.engram.model.kernel.RowProducts;

/**
 * The batched backward pass's weight products with the rows' coefficients laid out unit by unit on both sides:
 * {@code out[i * rows + k] = Σ_j z[j * rows + k] · w[units[j] * in + i]}, the sum over j in order from +0, each product
 * rounded and then added (no fused multiply-add): the sums of {@link RowProducts}, bit for
 * bit, transposed, so that the next layer's relaxation reads each unit's rows contiguously. On the Vector API
 * ({@link VectorColumns}) when {@link Kernels#vector()} and there are at least as many rows as vector lanes, else
 * {@link RowProducts} row by row, transposed.
 */
final class UnitMajorProducts {
    private UnitMajorProducts() {
    }

    /**
     * Writes the products into {@code out} (at least {@code in * rows} entries, which need not be 0). {@code z} holds
     * each of the {@code n} units' coefficients for every row ({@code z[j * rows + k]}); {@code units[j]} is its row
     * of the weights {@code w[o * in + i]}.
     */
    static void products(double[] z, int rows, int[] units, int n, double[] w, int in, double[] out) {
        if (Kernels.vector() && VectorColumns.fits(rows, in)) {
            VectorColumns.products(z, rows, units, n, w, in, out);
            return;
        }
        double[][] prev = new double[rows][];
        for (int k = 0; k < rows; k++) {
            prev[k] = new double[in];
        }
        RowProducts.products(z, rows, units, n, w, in, prev);
        for (int k = 0; k < rows; k++) {
            double[] pk = prev[k];
            for (int i = 0; i < in; i++) {
                out[i * rows + k] = pk[i];
            }
        }
    }
}
