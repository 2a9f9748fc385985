package dev.engram.model.kernel;

/** Whether the Vector API kernel can run here: the module is present, the CPU's vectors are wide enough, and the
 * kernel runs (checked once). {@code -Dengram.noVector=true} turns it off (results are the same either way). */
public final class Kernels {

    private static final boolean VECTOR = probe();

    private Kernels() {
    }

    /** Whether {@link VectorKernel} is usable (JVM started with {@code --add-modules jdk.incubator.vector}). */
    public static boolean vector() {
        return VECTOR;
    }

    private static boolean probe() {
        if (Boolean.getBoolean("engram.noVector") || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        try {
            if (!VectorKernel.nativeWidth()) {
                return false;
            }
            int n = VectorKernel.CHUNK;
            float[] y = new float[VectorKernel.OB * n];
            VectorKernel.gemm(new float[VectorKernel.OB], new float[VectorKernel.OB], 1, VectorKernel.OB, new float[n],
                    0, n, y, 0, n, n, VectorKernel.ACT_RELU, new float[VectorKernel.OB * n]);
            return true;
        } catch (Throwable e) {
            return false;
        }
    }
}
