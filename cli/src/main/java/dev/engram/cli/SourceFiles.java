package dev.engram.cli;

import dev.engram.source.SourceFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads rule and VNN-LIB files for the front-end commands: lenient UTF-8, a size cap, directory expansion. */
final class SourceFiles {
    /** Larger files are refused (rule files are text written by people). */
    static final long MAX_BYTES = 64L << 20;

    private SourceFiles() {
    }

    /** Reads {@code p}; invalid UTF-8 becomes U+FFFD so the lexer reports it at its position. */
    static SourceFile read(Path p) throws IOException {
        long size = Files.size(p);
        if (size > MAX_BYTES) {
            throw new IOException("file is " + size + " bytes; the limit is " + MAX_BYTES);
        }
        return SourceFile.fromBytes(p.toString(), Files.readAllBytes(p));
    }

    /** Files named on the command line, with directories expanded to their *.engram (and *.vnnlib) files, sorted. */
    static List<Path> expand(List<Path> args, boolean withVnnlib) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path a : args) {
            if (Files.isDirectory(a)) {
                try (Stream<Path> s = Files.walk(a)) {
                    s.filter(Files::isRegularFile)
                            .filter(p -> p.toString().endsWith(".engram") || withVnnlib && p.toString().endsWith(".vnnlib"))
                            .sorted()
                            .forEach(out::add);
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
