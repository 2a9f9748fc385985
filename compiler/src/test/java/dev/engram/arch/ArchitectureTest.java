package dev.engram.arch;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The package map of {@code docs/architecture.md}, enforced: every main source file names only the Engram packages
 * its package may use (imports and fully qualified names alike), the grammar and the runtime know nothing of each
 * other, and every package says which stage it is in a {@code package-info.java}.
 */
class ArchitectureTest {
    static final Set<String> GRAMMAR = Set.of("source", "diag", "ast", "parse", "vnnlib");
    static final Set<String> RUNTIME = Set.of("model", "verify", "patch", "data", "train");

    /**
     * Per compiler package, the Engram packages it must not use. Nothing below the facade uses the facade
     * ({@code ""}), the Java rule API ({@code api}) or the demo ({@code demo}), which sit beside it on top.
     */
    static final Map<String, Set<String>> FORBIDDEN = Map.of(
            "check", union(RUNTIME, Set.of("front", "ir", "lower", "validate", "compile", "report", "dict", "", "api",
                    "demo")),
            "ir", union(Set.of("model", "patch", "data", "train"),
                    Set.of("check", "front", "lower", "validate", "compile", "report", "dict", "", "api", "demo")),
            "front", Set.of("lower", "validate", "compile", "report", "", "api", "demo"),
            "validate", Set.of("check", "front", "lower", "compile", "report", "", "api", "demo"),
            "lower", Set.of("check", "front", "compile", "report", "", "api", "demo"),
            "compile", Set.of("report", "", "api", "demo"),
            "report", Set.of("", "api", "demo"),
            "dict", Set.of("check", "front", "lower", "validate", "compile", "report", "", "api", "demo"),
            "demo", Set.of("check", "front", "lower", "validate", "report", "dict"),
            "api", union(RUNTIME, Set.of("check", "front", "ir", "lower", "validate", "compile", "report", "dict",
                    "", "demo")));

    private static final Pattern NAME = Pattern.compile("\\bdev\\.engram\\.([a-z]+)\\b(\\.)?");

    static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> s = new TreeSet<>(a);
        s.addAll(b);
        return s;
    }

    static Path root() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("compiler")) ? here : here.getParent();
    }

    /** The Engram packages a file uses: {@code ""} for the root package ({@code dev.engram.Engram}). */
    static Set<String> uses(Path file) throws IOException {
        Set<String> out = new TreeSet<>();
        for (String line : Files.readAllLines(file)) {
            String t = line.trim();
            if (t.startsWith("*") || t.startsWith("/*") || t.startsWith("//") || t.startsWith("package ")) {
                continue;
            }
            Matcher m = NAME.matcher(t.replaceAll("//.*", ""));
            while (m.find()) {
                // dev.engram.Engram (a class in the root package) has an upper-case next segment
                boolean root = m.group(2) == null && t.length() > m.end() && Character.isUpperCase(t.charAt(m.end()));
                out.add(root ? "" : m.group(1));
            }
            Matcher r = Pattern.compile("\\bdev\\.engram\\.([A-Z]\\w*)").matcher(t);
            if (r.find()) {
                out.add("");
            }
        }
        return out;
    }

    static List<Path> sources(String module, String pkg) throws IOException {
        Path dir = root().resolve(module).resolve("src/main/java/dev/engram").resolve(pkg);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).toList();
        }
    }

    @Test
    void compilerPackagesUseOnlyWhatTheirStageMay() throws IOException {
        List<String> bad = new ArrayList<>();
        for (var e : FORBIDDEN.entrySet()) {
            for (Path f : sources("compiler", e.getKey())) {
                for (String used : uses(f)) {
                    if (e.getValue().contains(used)) {
                        bad.add(root().relativize(f) + " uses dev.engram." + (used.isEmpty() ? "<root>" : used));
                    }
                }
            }
        }
        assertEquals(List.of(), bad);
    }

    @Test
    void grammarAndRuntimeKnowNothingOfEachOther() throws IOException {
        List<String> bad = new ArrayList<>();
        for (String pkg : GRAMMAR) {
            for (Path f : sources("grammar", pkg)) {
                uses(f).stream().filter(u -> !GRAMMAR.contains(u)).forEach(u -> bad.add(f + " uses " + u));
            }
        }
        for (String pkg : RUNTIME) {
            for (Path f : sources("runtime", pkg)) {
                uses(f).stream().filter(u -> !RUNTIME.contains(u)).forEach(u -> bad.add(f + " uses " + u));
            }
        }
        assertEquals(List.of(), bad);
    }

    /** The Maven plugin is a thin adapter: it sees the facade and the values it returns, nothing deeper. */
    @Test
    void theMavenPluginUsesOnlyTheFacadeAndItsValues() throws IOException {
        Set<String> allowed = Set.of("", "maven", "compile", "diag", "source");
        List<String> bad = new ArrayList<>();
        assertTrue(sources("maven-plugin", "maven").size() > 3, "the plugin's sources are where this test looks");
        for (Path f : sources("maven-plugin", "maven")) {
            uses(f).stream().filter(u -> !allowed.contains(u)).forEach(u -> bad.add(f + " uses dev.engram." + u));
        }
        assertEquals(List.of(), bad);
    }

    @Test
    void everyPackageSaysWhichStageItIs() throws IOException {
        List<String> missing = new ArrayList<>();
        for (String module : List.of("grammar", "compiler", "cli", "maven-plugin")) {
            Path base = root().resolve(module).resolve("src/main/java");
            try (Stream<Path> s = Files.walk(base)) {
                for (Path dir : s.filter(Files::isDirectory).toList()) {
                    boolean hasJava;
                    try (Stream<Path> fs = Files.list(dir)) {
                        hasJava = fs.anyMatch(p -> p.toString().endsWith(".java"));
                    }
                    if (hasJava && !Files.exists(dir.resolve("package-info.java"))) {
                        missing.add(root().relativize(dir).toString());
                    }
                }
            }
        }
        assertTrue(missing.isEmpty(), "packages without package-info.java: " + missing);
    }
}
