package dev.engram;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the benchmark material lives for the compiler's tests: the {@code engram.shared.data} system property
 * (set by the build), else the nearest {@code shared/data} folder above the working directory. Tests skip with a
 * message when what they need is not there.
 */
public final class SharedData {
    private SharedData() {
    }

    public static Path path() {
        String p = System.getProperty("engram.shared.data");
        if (p != null && Files.isDirectory(Path.of(p))) {
            return Path.of(p);
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("shared/data"))) {
                return d.resolve("shared/data");
            }
        }
        return Path.of(p == null ? "../shared/data" : p);
    }
}
