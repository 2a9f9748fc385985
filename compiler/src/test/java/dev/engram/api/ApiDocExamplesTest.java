package dev.engram.api;

import dev.engram.TinyLoan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The examples in the API's javadoc ({@code dev/engram/api/package-info.java}) are compiled and run, in order, as
 * one program, on a small loan model ({@code model}, {@link TinyLoan}) with a scratch folder ({@code dir}); every
 * {@code System.out.println(X);  // V ...} in them must print {@code V}. So the documentation stays true.
 */
class ApiDocExamplesTest {
    static final Pattern BLOCK = Pattern.compile("<pre>\\{@code\\n(.*?)\\n \\* }</pre>", Pattern.DOTALL);
    static final Pattern PRINT = Pattern.compile("^(\\s*)System\\.out\\.println\\((.*)\\);\\s*//\\s*(\\S+?):?(\\s.*)?$");

    /** The examples as one method body, each print turned into a check against its comment. */
    static String body(String javadocSource, List<String> expectations) {
        StringBuilder b = new StringBuilder();
        Matcher m = BLOCK.matcher(javadocSource);
        while (m.find()) {
            for (String line : m.group(1).split("\n")) {
                String code = line.replaceFirst("^ \\* ?", "");
                Matcher p = PRINT.matcher(code);
                if (p.matches()) {
                    expectations.add(p.group(3));
                    code = p.group(1) + "expect(String.valueOf(" + p.group(2) + "), \"" + p.group(3) + "\", \""
                            + p.group(2).replace("\\", "\\\\").replace("\"", "\\\"") + "\");";
                }
                b.append("        ").append(code).append('\n');
            }
        }
        return b.toString();
    }

    @Test
    void javadocExamplesCompileRunAndPrintWhatTheySay(@TempDir Path dir) throws Exception {
        Path model = TinyLoan.writeModel(dir.resolve("loan.onnx"));
        String doc = Files.readString(Path.of("src/main/java/dev/engram/api/package-info.java"));
        List<String> expectations = new ArrayList<>();
        String program = """
                package docexamples;

                import dev.engram.*;
                import dev.engram.api.*;
                import dev.engram.compile.*;
                import dev.engram.diag.*;
                import java.nio.file.*;
                import static dev.engram.api.Conditions.*;

                public class Examples {
                    public static final java.util.List<String> failures = new java.util.ArrayList<>();

                    static void expect(String printed, String documented, String what) {
                        if (!printed.equals(documented)) {
                            failures.add(what + " printed " + printed + ", the javadoc says " + documented);
                        }
                    }

                    public static void run(Path model, Path dir) throws Exception {
                %s    }
                }
                """.formatted(body(doc, expectations));
        assertTrue(expectations.size() >= 6, "the examples state what they print: " + expectations);

        Path src = Files.createDirectories(dir.resolve("src/docexamples")).resolve("Examples.java");
        Files.writeString(src, program);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, null, err, "-classpath", cp, "-d", classes.toString(), src.toString());
        assertEquals(0, rc, "the javadoc examples compile:\n" + err.toString(StandardCharsets.UTF_8) + "\n" + program);

        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                getClass().getClassLoader())) {
            Class<?> examples = loader.loadClass("docexamples.Examples");
            examples.getMethod("run", Path.class, Path.class).invoke(null, model, dir);
            @SuppressWarnings("unchecked")
            List<String> failures = (List<String>) examples.getField("failures").get(null);
            assertEquals(List.of(), failures);
        }
    }
}
