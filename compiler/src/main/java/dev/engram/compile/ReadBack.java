package dev.engram.compile;

import dev.engram.model.LoadedModel;
import dev.engram.model.ModelException;
import dev.engram.model.ModelFormat;
import dev.engram.model.Models;
import dev.engram.model.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.UUID;

/**
 * A patched model written to a temporary file and read back with the normal loader, so that what is proved is the
 * file as written, not an in-memory copy. The file sits next to the output (same file system: publishing is an
 * atomic rename), or in a temporary folder when there is no output; it is deleted unless published.
 *
 * @param file  the written file
 * @param model the model as read back from it
 */
record ReadBack(Path file, LoadedModel model, Path tempDir) {

    /** Writes {@code patched} to a temporary file for {@code out} (null: none) and reads it back. */
    static ReadBack write(LoadedModel patched, Path out) {
        Path dir = null;
        Path file;
        try {
            String ext = extension(patched.format());
            if (out == null) {
                dir = Files.createTempDirectory("engram-compile");
                file = dir.resolve("patched." + ext);
            } else {
                Path abs = out.toAbsolutePath();
                Files.createDirectories(abs.getParent());
                file = abs.getParent().resolve("." + abs.getFileName() + "." + UUID.randomUUID() + ".engram." + ext);
            }
        } catch (IOException e) {
            throw new ModelException((out == null ? "temporary folder" : out.toString()) + ": cannot write: "
                    + e.getMessage(), e);
        }
        AtomicFiles.write(file, patched.toBytes());
        try {
            return new ReadBack(file, Models.load(file), dir);
        } catch (RuntimeException e) {
            new ReadBack(file, null, dir).discard();
            throw e;
        }
    }

    /** Renames the file into place as {@code out}. */
    void publish(Path out) {
        try {
            try {
                Files.move(file, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(file, out, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new ModelException(out + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Deletes what is left (the file when not published, the temporary folder). */
    void discard() {
        try {
            Files.deleteIfExists(file);
            if (tempDir != null) {
                Files.deleteIfExists(tempDir);
            }
        } catch (IOException ignored) {
            // best effort: a temporary file left behind is harmless
        }
    }

    private static String extension(ModelFormat f) {
        return f == ModelFormat.TORCHSCRIPT ? "pt" : f.name().toLowerCase(Locale.ROOT);
    }
}
