package dev.engram.model.onnx;

import com.google.protobuf.UnsafeByteOperations;
import dev.engram.model.ModelException;
import dev.engram.model.ModelLimits;
import dev.engram.model.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.engram.model.onnx.proto.OnnxProto.TensorProto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Resolves a tensor's external data ({@code data_location = EXTERNAL}) and inlines it as raw data. Only files
 * inside the model's folder are read (no absolute paths, no {@code ..}, no links leading out), and only the byte
 * range the tensor's dims need. The byte budget for all of a model's external data is reserved before the first
 * range is read ({@link OnnxValidator}): several tensors may point into the same file, so the file sizes alone do
 * not bound the memory.
 */
final class ExternalData {

    /** The {@code location}, {@code offset} and {@code length} entries of a tensor ({@code length} -1: to the end). */
    private record Ref(String location, long offset, long length) {
    }

    private ExternalData() {
    }

    /** The tensor with its external data read from {@code dir} and stored inline. */
    static TensorProto inline(TensorProto t, Path dir, ModelLimits.Budget budget, String label) {
        String what = label + ": tensor '" + t.getName() + "'";
        if (dir == null) {
            throw new ModelException(what + ": external data but no model folder to read it from");
        }
        Ref ref = ref(t, what);
        try {
            Path base = dir.toRealPath();
            Path real = resolve(base, ref.location(), what);
            long size = Files.size(real);
            long offset = ref.offset();
            if (offset < 0 || offset > size) {
                throw new ModelException(what + ": external data offset " + offset + " outside the file");
            }
            long length = ref.length() < 0 ? size - offset : ref.length();
            if (length > size - offset) {
                throw new ModelException(what + ": external data length " + length + " exceeds the file");
            }
            long[] dims = OnnxTensors.dims(t);
            long n = budget.limits().checkDims(what, dims);
            int es = OnnxTensors.elementSize(t.getDataType());
            if (es < 0 || n * es != length) {
                throw new ModelException(what + ": external data has " + length + " bytes but dims "
                        + Arrays.toString(dims) + " need " + (es < 0 ? "?" : n * es));
            }
            byte[] data = read(real, offset, (int) length, what);
            return t.toBuilder().clearExternalData().clearDataLocation()
                    .setRawData(UnsafeByteOperations.unsafeWrap(data)).build();
        } catch (IOException e) {
            throw new ModelException(what + ": cannot read external data: " + e.getMessage());
        } catch (InvalidPathException e) {
            throw new ModelException(what + ": invalid external data path '" + ref.location() + "'");
        }
    }

    private static Ref ref(TensorProto t, String what) {
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            try {
                switch (e.getKey()) {
                    case "location" -> location = e.getValue();
                    case "offset" -> offset = Long.parseLong(e.getValue());
                    case "length" -> length = Long.parseLong(e.getValue());
                    default -> { }
                }
            } catch (NumberFormatException ex) {
                throw new ModelException(what + ": bad external data " + e.getKey() + " '" + e.getValue() + "'");
            }
        }
        if (location == null || location.isEmpty()) {
            throw new ModelException(what + ": external data without a location");
        }
        return new Ref(location, offset, length);
    }

    /** The real path of {@code location} under {@code base}; refuses anything that leads outside it. */
    private static Path resolve(Path base, String location, String what) throws IOException {
        Path rel = Path.of(location);
        if (rel.isAbsolute() || location.startsWith("/") || location.startsWith("\\")) {
            throw new ModelException(what + ": external data path '" + location + "' is absolute");
        }
        Path p = base.resolve(rel).normalize();
        if (!p.startsWith(base)) {
            throw new ModelException(what + ": external data path '" + location + "' escapes the model folder");
        }
        if (!Files.isRegularFile(p)) {
            throw new ModelException(what + ": external data file '" + location + "' not found");
        }
        Path real = p.toRealPath();
        if (!real.startsWith(base)) {
            throw new ModelException(what + ": external data path '" + location
                    + "' escapes the model folder through a link");
        }
        return real;
    }

    private static byte[] read(Path real, long offset, int length, String what) throws IOException {
        byte[] data = new byte[length];
        try (FileChannel ch = FileChannel.open(real, StandardOpenOption.READ)) {
            ByteBuffer bb = ByteBuffer.wrap(data);
            long pos = offset;
            while (bb.hasRemaining()) {
                int r = ch.read(bb, pos);
                if (r < 0) {
                    throw new ModelException(what + ": external data file ends early");
                }
                pos += r;
            }
        }
        return data;
    }
}
