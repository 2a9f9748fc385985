package dev.engram.maven;

import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The goals without Maven around them: parameters set as Maven would, outcomes mapped to exceptions (the real
 * Maven builds are the invoker projects under {@code src/it}).
 */
class CompileMojoTest {
    static final String DECLARATIONS = """
            input age at 0 in [0, 100] years
            input income at 1 in [0, 200000] EUR
            input sex at 2 one of {female, male}
            normalize age mean 50 range 100
            normalize income mean 100000 range 200000
            output approve at 0
            output reject at 1
            decide argmax
            """;

    /** Log lines, by level. */
    static final class Lines extends SystemStreamLog {
        final List<String> info = new ArrayList<>();
        final List<String> warn = new ArrayList<>();
        final List<String> error = new ArrayList<>();

        @Override
        public void info(CharSequence s) {
            info.add(s.toString());
        }

        @Override
        public void warn(CharSequence s) {
            warn.add(s.toString());
        }

        @Override
        public void error(CharSequence s) {
            error.add(s.toString());
        }
    }

    static <M extends EngramMojo> M setUp(M mojo, Path project, Lines log) {
        mojo.sourceDirectory = project.resolve("src/main/engram").toFile();
        mojo.model = project.resolve("loan.onnx").toFile();
        mojo.timeout = 30;
        mojo.setLog(log);
        return mojo;
    }

    static CompileMojo compileMojo(Path project, Lines log) {
        CompileMojo m = setUp(new CompileMojo(), project, log);
        m.outputDirectory = project.resolve("target/classes/engram").toFile();
        m.patchDirectory = project.resolve("target/engram").toFile();
        m.report = "html";
        m.samples = 500;
        return m;
    }

    static Path project(Path dir, String rules) throws Exception {
        ItModels.write(dir.resolve("loan.onnx"));
        Path src = Files.createDirectories(dir.resolve("src/main/engram/credit"));
        Files.writeString(src.resolve("loan.engram"), rules);
        return dir;
    }

    @Test
    void compilesWritesAndThenSkipsWhatIsUpToDate(@TempDir Path dir) throws Exception {
        Path project = project(dir, DECLARATIONS + "rule no_minors: when age < 18 then approve is not the decision\n");
        Lines log = new Lines();
        compileMojo(project, log).execute();
        Path out = project.resolve("target/classes/engram/credit/loan.onnx");
        assertTrue(Files.isRegularFile(out));
        assertTrue(Files.isRegularFile(project.resolve("target/classes/engram/credit/loan.report.html")));
        assertTrue(Files.isRegularFile(project.resolve("target/classes/engram/credit/loan.report.json")));
        assertTrue(Files.isRegularFile(project.resolve("target/engram/credit/loan.epatch")));
        assertTrue(log.info.stream().anyMatch(l -> l.contains("every rule proved")), log.info.toString());

        Lines again = new Lines();
        compileMojo(project, again).execute();
        assertTrue(again.info.stream().anyMatch(l -> l.contains("credit/loan.engram is up to date")), again.info.toString());

        Files.writeString(project.resolve("src/main/engram/credit/loan.engram"), DECLARATIONS
                + "rule no_minors: when age < 16 then approve is not the decision\n");
        Lines changed = new Lines();
        compileMojo(project, changed).execute();
        assertTrue(changed.info.stream().anyMatch(l -> l.contains("compiling credit/loan.engram")), changed.info.toString());

        Files.delete(out);
        Lines deleted = new Lines();
        compileMojo(project, deleted).execute();
        assertTrue(Files.isRegularFile(out), "a missing output is compiled again");
    }

    @Test
    void errorsFailTheBuildWithPositionedDiagnostics(@TempDir Path dir) throws Exception {
        Path project = project(dir, DECLARATIONS + "rule no_minors: when agee < 18 then approve is not the decision\n");
        Lines log = new Lines();
        MojoFailureException e = assertThrows(MojoFailureException.class, () -> compileMojo(project, log).execute());
        assertTrue(e.getMessage().contains("credit/loan.engram"), e.getMessage());
        assertTrue(log.error.get(0).matches(".*loan\\.engram:9:22: error\\[E010\\]: .*'agee'.*"), log.error.get(0));
        assertFalse(Files.exists(project.resolve("target/engram/credit/loan.stamp")));
    }

    @Test
    void warningsAreMavenWarningsAndFailOnlyWhenAsked(@TempDir Path dir) throws Exception {
        Path project = project(dir, DECLARATIONS + "rule no_minors: when age < 18 then approve is not the decision\n"
                + "concept unused := age > 90\n");
        Lines log = new Lines();
        compileMojo(project, log).execute();
        assertTrue(log.warn.get(0).contains("warning[W103]"), log.warn.toString());

        Lines strict = new Lines();
        CompileMojo m = compileMojo(project, strict);
        m.failOnWarning = true;
        m.force = true;
        assertThrows(MojoFailureException.class, m::execute);
    }

    @Test
    void anUnreadableModelIsABrokenEnvironment(@TempDir Path dir) throws Exception {
        Path project = project(dir, DECLARATIONS + "rule no_minors: when age < 18 then approve is not the decision\n");
        Files.writeString(project.resolve("loan.onnx"), "not a model");
        assertThrows(MojoExecutionException.class, () -> compileMojo(project, new Lines()).execute());
    }

    @Test
    void skipAndNoRuleFilesDoNothing(@TempDir Path dir) throws Exception {
        Path project = project(dir, "this is not even parsed");
        CompileMojo m = compileMojo(project, new Lines());
        m.skip = true;
        m.execute();
        assertFalse(Files.exists(project.resolve("target")));
        Lines log = new Lines();
        CompileMojo none = compileMojo(project, log);
        none.includes = List.of("**/*.rules");
        none.execute();
        assertTrue(log.info.get(0).contains("no rule files"), log.info.toString());
    }

    @Test
    void verifyFailsOnViolationsOrWarnsWhenConfigured(@TempDir Path dir) throws Exception {
        Path project = project(dir, DECLARATIONS + "rule no_minors: when age < 18 then approve is not the decision\n");
        Lines log = new Lines();
        VerifyMojo v = setUp(new VerifyMojo(), project, log);
        v.failOnViolation = true;
        assertThrows(MojoFailureException.class, v::execute);
        assertTrue(log.error.stream().anyMatch(l -> l.contains("error[E061]: 'no_minors' does not hold")),
                log.error.toString());

        Lines lenient = new Lines();
        VerifyMojo w = setUp(new VerifyMojo(), project, lenient);
        w.failOnViolation = false;
        w.execute();
        assertEquals(1, lenient.warn.size(), lenient.warn.toString());
    }

    @Test
    void patternsMatchAtAnyDepth(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("a/b"));
        for (String f : List.of("top.engram", "a/mid.engram", "a/b/deep.engram", "a/b/skip.engram", "a/note.txt")) {
            Files.writeString(dir.resolve(f), "");
        }
        List<String> found = RuleFiles.find(dir, List.of("**/*.engram"), List.of("**/skip.engram")).stream()
                .map(p -> RuleFiles.relative(dir, p)).toList();
        assertEquals(List.of("a/b/deep.engram", "a/mid.engram", "top.engram"), found);
    }
}
