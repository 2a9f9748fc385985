package dev.engram.model.onnx;

import com.google.protobuf.UnsafeByteOperations;
import dev.engram.model.ModelException;
import dev.engram.model.graph.TensorValue;
import dev.engram.model.onnx.proto.OnnxProto.TensorProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.LongBuffer;

/** The ONNX tensor codec: element sizes, decoding FLOAT/DOUBLE/INT tensors, encoding float32 as raw data. */
final class OnnxTensors {

    static final int FLOAT = 1;
    static final int DOUBLE = 11;
    static final int INT32 = 6;
    static final int INT64 = 7;

    private OnnxTensors() {
    }

    /** Bytes per element of an ONNX data type, or -1 when it has no fixed size (strings, unknown types). */
    static int elementSize(int dataType) {
        return switch (dataType) {
            case 1, 6, 12 -> 4; // float, int32, uint32
            case 7, 11, 13 -> 8; // int64, double, uint64
            case 2, 3, 9 -> 1; // uint8, int8, bool
            case 4, 5, 10, 16 -> 2; // uint16, int16, float16, bfloat16
            default -> -1;
        };
    }

    static long[] dims(TensorProto t) {
        return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    private static int count(TensorProto t) {
        int n = 1;
        for (long d : t.getDimsList()) {
            n = Math.multiplyExact(n, (int) d);
        }
        return n;
    }

    /** Decodes a FLOAT (or DOUBLE) tensor's values. */
    static float[] floats(TensorProto t) {
        int n = count(t);
        float[] out = new float[n];
        if (t.getDataType() == FLOAT) {
            if (t.hasRawData()) {
                t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            } else {
                for (int i = 0; i < n; i++) {
                    out[i] = t.getFloatData(i);
                }
            }
        } else if (t.getDataType() == DOUBLE) {
            if (t.hasRawData()) {
                DoubleBuffer db = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN)
                        .asDoubleBuffer();
                for (int i = 0; i < n; i++) {
                    out[i] = (float) db.get(i);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) t.getDoubleData(i);
                }
            }
        } else {
            throw new ModelException("tensor '" + t.getName() + "' is not float (data type " + t.getDataType() + ")");
        }
        return out;
    }

    private static long[] longs(TensorProto t) {
        int n = count(t);
        long[] out = new long[n];
        if (t.hasRawData()) {
            ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                out[i] = t.getDataType() == INT64 ? b.getLong(i * 8) : b.getInt(i * 4);
            }
        } else {
            for (int i = 0; i < n; i++) {
                out[i] = t.getDataType() == INT64 ? t.getInt64Data(i) : t.getInt32Data(i);
            }
        }
        return out;
    }

    /** The typed value of a tensor: floats for FLOAT/DOUBLE, longs for INT32/INT64, no values otherwise. */
    static TensorValue decode(TensorProto t) {
        long[] dims = dims(t);
        int dt = t.getDataType();
        if (dt == FLOAT || dt == DOUBLE) {
            return new TensorValue(t.getName(), dt, dims, floats(t), null);
        }
        if (dt == INT32 || dt == INT64) {
            return new TensorValue(t.getName(), dt, dims, null, longs(t));
        }
        return new TensorValue(t.getName(), dt, dims, null, null);
    }

    /** Replaces the builder's values by float32 {@code data} of {@code dims}, stored as raw little-endian data. */
    static TensorProto encodeInto(TensorProto.Builder b, float[] data, long[] dims) {
        byte[] raw = new byte[data.length * 4];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(data);
        b.clearDims();
        for (long d : dims) {
            b.addDims(d);
        }
        return b.setDataType(FLOAT).clearFloatData().clearDoubleData().clearInt32Data().clearInt64Data()
                .clearUint64Data().clearExternalData().clearDataLocation()
                .setRawData(UnsafeByteOperations.unsafeWrap(raw)).build();
    }

    /**
     * Counts the NaN/Inf floats in little-endian raw data (from its position), two per 64-bit word without
     * branches: masking the exponents and adding one to each exponent field carries into a half's top bit exactly
     * when that exponent was all ones (no carry crosses the halves).
     */
    static int nonFiniteRaw(ByteBuffer raw) {
        final long exps = 0x7f8000007f800000L;
        final long one = 0x0080000000800000L;
        final long tops = 0x8000000080000000L;
        LongBuffer lb = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
        // bulk copies of 64 KB into a long[] (a memcpy while the byte order is native), then a tight loop:
        // several times faster than reading the buffer view one element at a time
        long[] chunk = new long[Math.min(8192, lb.remaining())];
        long bad = 0;
        while (lb.hasRemaining()) {
            int n = Math.min(chunk.length, lb.remaining());
            lb.get(chunk, 0, n);
            long any = 0;
            for (int i = 0; i < n; i++) { // vectorisable: no NaN/Inf in the chunk is the common case
                any |= (chunk[i] & exps) + one;
            }
            if ((any & tops) != 0) {
                for (int i = 0; i < n; i++) {
                    bad += Long.bitCount(((chunk[i] & exps) + one) & tops);
                }
            }
        }
        int ints = raw.remaining() / 4;
        if ((ints & 1) != 0) {
            int last = raw.order(ByteOrder.LITTLE_ENDIAN).getInt(raw.position() + (ints - 1) * 4);
            if ((last & 0x7f800000) == 0x7f800000) {
                bad++;
            }
        }
        return (int) bad;
    }
}
