package dev.engram.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Each bundled example's documented command, run as a user runs it ({@code examples/NAME/run}), when the shared data
 * is present. The examples are copied to a scratch repository whose {@code ./engram} runs the classes just built,
 * with {@code ../shared/data} linked beside it, so nothing in the source tree is written. The ACAS Xu repairs take
 * minutes and run with {@code -Dengram.examples=all}.
 */
class ExamplesTest {
    record Run(int exit, String output) {
    }

    /** A scratch repository: the examples, a launcher for this build, and ../shared beside it. */
    static Path scratch(Path tmp) throws IOException {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Path examples = root().resolve("examples");
        try (Stream<Path> s = Files.walk(examples)) {
            for (Path p : s.toList()) {
                String rel = examples.relativize(p).toString();
                if (rel.contains("out/") || rel.endsWith(".onnx") || rel.endsWith(".epatch")) {
                    continue;
                }
                Path to = repo.resolve("examples").resolve(rel);
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path launcher = repo.resolve("engram");
        Files.writeString(launcher, "#!/usr/bin/env bash\nexec '" + java + "' -Dai.djl.offline=true -cp '" + cp
                + "' dev.engram.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(tmp.resolve("shared"), ModelCommandsTest.shared().toAbsolutePath().normalize()
                .getParent());
        return repo;
    }

    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("examples"))) {
            p = p.getParent();
        }
        return p;
    }

    static Run run(Path repo, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.MINUTES), "finished");
        return new Run(p.exitValue(), out);
    }

    static void assumeData(String folder) {
        assumeTrue(Files.isDirectory(ModelCommandsTest.shared().resolve(folder)),
                "../shared/data/" + folder + " is absent: the example is not run");
    }

    @Test
    void credit(@TempDir Path tmp) throws Exception {
        assumeData("german-credit");
        Path repo = scratch(tmp);
        Run r = run(repo, "bash", "examples/credit/run");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("0 hold, 5 violated"), r.output());
        for (String rule : List.of("young_large_long", "small_safe_loans", "ignore personal_status",
                "ignore foreign_worker", "monotone class_good - class_bad decreasing in credit_amount")) {
            String line = "(?s).*\\n" + java.util.regex.Pattern.quote(rule) + " +\\S+ +\\S+ .* proved .*";
            assertTrue(r.output().matches(line), rule + "\n" + r.output());
        }
        assertTrue(r.output().contains("counterexample pair: "), "the monotonicity is broken by a pair before");
        assertTrue(r.output().contains("in float32 up to the error bound"), "its tolerance is printed");
        for (String f : List.of("credit-patched.onnx", "credit.epatch", "report.html", "report.json")) {
            assertTrue(Files.isRegularFile(repo.resolve("examples/credit/out").resolve(f)), f);
        }
        assertEquals(Files.readString(root().resolve("examples/credit/credit.engram")),
                Files.readString(repo.resolve("examples/credit/credit.engram")),
                "training is seeded: the regenerated declarations are the committed ones");
    }

    /** The small variant ({@code --quick}: 64x32, 2 epochs); the README shows the full run's figures. */
    @Test
    void fashionMnist(@TempDir Path tmp) throws Exception {
        assumeData("fashion-mnist");
        Path repo = scratch(tmp);
        Run r = run(repo, "bash", "examples/fashion-mnist/run", "--quick");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().matches("(?s).*\\nfootwear +label in \\{5, 7, 9} +0\\.9\\d+ .*"), r.output());
        assertTrue(r.output().contains("0 hold, 0 violated, 0 undecided, 0 not checked; 3 measured: "), r.output());
        for (String rule : List.of("footwear_not_bag", "footwear_not_tshirt", "upper_body_not_sandal")) {
            assertTrue(r.output().matches("(?s).*\\n" + rule + " +rule +concept edit .* measured .*"),
                    rule + "\n" + r.output());
        }
        assertTrue(r.output().matches("(?s).*\\nsteer toward footwear +steer +concept steering .* proved .*"),
                r.output());
        for (String f : List.of("fashion.ncd", "fashion-edited.onnx", "fashion.epatch", "report.html", "report.json",
                "fashion-steered.onnx", "steer-report.html")) {
            assertTrue(Files.isRegularFile(repo.resolve("examples/fashion-mnist/out").resolve(f)), f);
        }
        assertEquals(Files.readString(root().resolve("examples/fashion-mnist/fashion.engram")),
                Files.readString(repo.resolve("examples/fashion-mnist/fashion.engram")), "the rule file is not rewritten");
    }

    @Test
    void acasxuProperties(@TempDir Path tmp) throws Exception {
        assumeData("acasxu");
        Run r = run(scratch(tmp), "bash", "examples/acasxu/run", "properties");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("4 hold, 0 violated"), r.output());
    }

    @Test
    void acasxuRepairs(@TempDir Path tmp) throws Exception {
        assumeData("acasxu");
        assumeTrue("all".equals(System.getProperty("engram.examples")),
                "the ACAS Xu repairs take minutes: run them with -Dengram.examples=all");
        Path repo = scratch(tmp);
        for (String n : List.of("n19", "n29")) {
            Run r = run(repo, "bash", "examples/acasxu/run", n);
            assertEquals(0, r.exit(), r.output());
            assertTrue(Files.isRegularFile(repo.resolve("examples/acasxu/out/" + n + "-repaired.onnx")), n);
        }
    }
}
