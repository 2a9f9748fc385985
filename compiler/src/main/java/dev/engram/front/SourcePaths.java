package dev.engram.front;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Paths named by a user, expanded: folders become their {@code *.engram} (and {@code *.vnnlib}) files, sorted. */
public final class SourcePaths {
    private SourcePaths() {
    }

    /** The files of {@code paths}; an {@link IOException} names a path that does not exist or cannot be listed. */
    public static List<Path> expand(List<Path> paths, boolean withVnnlib) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path a : paths) {
            if (Files.isDirectory(a)) {
                try (Stream<Path> s = Files.walk(a)) {
                    s.filter(Files::isRegularFile)
                            .filter(p -> p.toString().endsWith(".engram")
                                    || withVnnlib && p.toString().endsWith(".vnnlib"))
                            .sorted()
                            .forEach(out::add);
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                }
            } else if (Files.isRegularFile(a)) {
                out.add(a);
            } else {
                throw new IOException(a + ": no such file or directory");
            }
        }
        return out;
    }
}
