package dev.engram.model.onnx;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The two-floats-per-read NaN/Inf count equals a plain per-float count, for odd and even lengths. */
class NonFiniteScanTest {

    @Test
    void countsEqualPlainScan() {
        Random rnd = new Random(5);
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE,
            -Float.MAX_VALUE, Float.MIN_VALUE, -0f, 0f, Float.intBitsToFloat(0x7fc00001), Float.intBitsToFloat(0xff800001)};
        for (int n : new int[] {0, 1, 2, 3, 17, 1000, 1001}) {
            for (int offset : new int[] {0, 4, 8}) {
                ByteBuffer raw = ByteBuffer.allocate(offset + 4 * n).order(ByteOrder.LITTLE_ENDIAN);
                int expected = 0;
                for (int i = 0; i < n; i++) {
                    float v = rnd.nextInt(4) == 0 ? specials[rnd.nextInt(specials.length)] : rnd.nextFloat() * 1e30f;
                    raw.putFloat(offset + 4 * i, v);
                    if (!Float.isFinite(v)) {
                        expected++;
                    }
                }
                raw.position(offset);
                assertEquals(expected, OnnxTensors.nonFiniteRaw(raw.slice().order(ByteOrder.LITTLE_ENDIAN)),
                        n + " floats, slice at offset " + offset);
                // as protobuf hands out aliased raw data: a read-only view whose position is the offset
                assertEquals(expected, OnnxTensors.nonFiniteRaw(raw.asReadOnlyBuffer().position(offset)
                        .order(ByteOrder.LITTLE_ENDIAN)), n + " floats, positioned at offset " + offset);
            }
        }
    }
}
