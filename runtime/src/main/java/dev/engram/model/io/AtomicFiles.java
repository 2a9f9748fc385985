package dev.engram.model.io;

import dev.engram.model.ModelException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/** File helpers: atomic writes (temporary file in the same folder, fsync, then rename), bounded reads, SHA-256. */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Something that writes its content to a channel. */
    @FunctionalInterface
    public interface Writer {
        void write(FileChannel out) throws IOException;
    }

    /**
     * Writes {@code target} atomically: the content goes to a new temporary sibling, is forced to disk, and the
     * sibling then replaces the target by a rename (the folder is synced too, where the platform allows). The file
     * gets the permissions an ordinary {@code Files.newOutputStream} would give it: a new file those of the umask,
     * a replaced file the permissions it had.
     */
    public static void write(Path target, Writer writer) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = createSibling(dir, abs.getFileName().toString());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writer.write(ch);
                ch.force(false);
            }
            keepPermissions(abs, tmp);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            syncFolder(dir);
        } catch (IOException e) {
            throw new ModelException(target + ": cannot write: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    /**
     * A new empty file {@code .<name>.<random>.tmp} in {@code dir}, created like {@code Files.newOutputStream}
     * creates files (mode 0666 less the umask), not with {@code Files.createTempFile}'s owner-only 0600.
     */
    private static Path createSibling(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path p = dir.resolve("." + name + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
            try {
                Files.newByteChannel(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return p;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }

    /** A file being replaced keeps its permissions, as it would when overwritten in place. */
    private static void keepPermissions(Path target, Path tmp) {
        try {
            if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS));
            }
        } catch (IOException | UnsupportedOperationException ignored) {
            // not a POSIX file system, or not ours to read: the new file keeps the default permissions
        }
    }

    /** Forces the folder entry of a rename to disk; not every platform can open a folder, so best effort. */
    private static void syncFolder(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    /** Writes bytes atomically. */
    public static void write(Path target, byte[] bytes) {
        write(target, ch -> {
            try (OutputStream os = stream(ch)) {
                os.write(bytes, 0, bytes.length);
            }
        });
    }

    /** Chunk size of the direct buffer used to move bytes between heap arrays and file channels. */
    private static final int CHUNK = 1 << 20;

    /**
     * An output stream onto {@code ch} through one reused 1 MB direct buffer. Writing a large heap array straight
     * to a channel makes the JDK allocate (and zero) a temporary direct buffer as large as the array; copying
     * through a small, cache-resident buffer is several times faster for big models. Closing flushes but leaves
     * the channel open.
     */
    public static OutputStream stream(FileChannel ch) {
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                if (!buf.hasRemaining()) {
                    drain();
                }
                buf.put((byte) b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                java.util.Objects.checkFromIndexSize(off, len, b.length);
                while (len > 0) {
                    int k = Math.min(len, buf.remaining());
                    buf.put(b, off, k);
                    off += k;
                    len -= k;
                    if (!buf.hasRemaining()) {
                        drain();
                    }
                }
            }

            @Override
            public void flush() throws IOException {
                drain();
            }

            @Override
            public void close() throws IOException {
                drain();
            }

            private void drain() throws IOException {
                buf.flip();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                buf.clear();
            }
        };
    }

    /** Reads a whole file, refusing files larger than {@code maxBytes} before allocating. */
    public static byte[] read(Path path, long maxBytes) {
        try {
            if (!Files.isRegularFile(path)) {
                throw new ModelException(path + ": no such file");
            }
            long size = Files.size(path);
            if (size > maxBytes) {
                throw new ModelException(path + ": " + size + " bytes exceed the cap of " + maxBytes);
            }
            byte[] b = new byte[(int) size];
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                // through a small direct buffer: reading into a large heap buffer directly would make the JDK
                // allocate a temporary direct buffer as large as the file
                ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(CHUNK, Math.max(size, 1)));
                int at = 0;
                while (at < b.length) {
                    buf.clear().limit(Math.min(buf.capacity(), b.length - at));
                    while (buf.hasRemaining()) {
                        if (ch.read(buf) < 0) {
                            throw new ModelException(path + ": file shrank while reading");
                        }
                    }
                    buf.flip();
                    buf.get(b, at, buf.remaining());
                    at += buf.limit();
                }
            }
            return b;
        } catch (IOException e) {
            throw new ModelException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
