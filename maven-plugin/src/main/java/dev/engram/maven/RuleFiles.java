package dev.engram.maven;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The rule files of a source directory selected by Ant-style patterns ({@code **}{@code /*.engram}; a leading
 * {@code **}{@code /} also matches no folder at all), sorted by relative path.
 */
final class RuleFiles {
    private RuleFiles() {
    }

    /** The files under {@code dir} matching one of {@code includes} and none of {@code excludes}. */
    static List<Path> find(Path dir, List<String> includes, List<String> excludes) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<PathMatcher> in = matchers(includes);
        List<PathMatcher> ex = matchers(excludes);
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                Path rel = Path.of(relative(dir, p));
                if (in.stream().anyMatch(m -> m.matches(rel)) && ex.stream().noneMatch(m -> m.matches(rel))) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** {@code file} relative to {@code dir} with {@code /} separators. */
    static String relative(Path dir, Path file) {
        return dir.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    private static List<PathMatcher> matchers(List<String> patterns) {
        List<PathMatcher> out = new ArrayList<>();
        for (String p : patterns) {
            String glob = p.replace('\\', '/');
            out.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
            while (glob.startsWith("**/")) {
                glob = glob.substring(3);
                out.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
            }
        }
        return out;
    }
}
