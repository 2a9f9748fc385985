package dev.engram.report;

import dev.engram.Engram;
import dev.engram.TinyLoan;
import dev.engram.compile.CompileRequest;
import dev.engram.compile.CompileResult;
import dev.engram.dict.ConceptFixtures;
import dev.engram.ir.ConceptPolicy;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTML report: written with the JSON beside it when the report path ends in {@code .html}; self-contained (no
 * URL to fetch, a content security policy that forbids fetching); per rule its source, verdict and slices, with
 * well-formed SVG; and, where Debian's chromium is installed, rendered headless to a PNG without console errors.
 */
class HtmlReportTest {
    static final String RULES = "model \"loan.onnx\"\n" + TinyLoan.DECLARATIONS + """
            /// Hard rule: no approval for minors & no <tricks>.
            rule no_minors: when age < 18 then approve is not the decision
            ignore sex
            """;

    static CompileResult compile(Path dir) throws Exception {
        TinyLoan.writeModel(dir.resolve("loan.onnx"));
        Path rules = dir.resolve("loan.engram");
        Files.writeString(rules, RULES);
        return Engram.compile(CompileRequest.builder().optRules(rules).optOut(dir.resolve("patched.onnx"))
                .optReport(dir.resolve("report.html")).optFidelitySamples(500).build());
    }

    @Test
    void aSelfContainedPageWithTheJsonBesideIt(@TempDir Path dir) throws Exception {
        CompileResult r = compile(dir);
        assertTrue(r.proved(), r.diagnostics().toString());
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(Files.readString(dir.resolve("report.json")).contains("\"no_minors\""));
        assertTrue(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
        assertFalse(Pattern.compile("(src|href)=\"(?!#)").matcher(html).find(), "nothing is loaded from anywhere");
        assertFalse(html.contains("<script"), "no script");
        assertTrue(html.contains("/// Hard rule: no approval for minors &amp; no &lt;tricks&gt;."), "escaped source");
        assertTrue(html.contains("id=\"rule-no_minors\""));
        assertTrue(html.contains("Concept rules: the neural-code map"));
        Matcher svg = Pattern.compile("<svg .*?</svg>", Pattern.DOTALL).matcher(html);
        int n = 0;
        while (svg.find()) {
            Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(svg.group().getBytes(StandardCharsets.UTF_8)));
            assertEquals("svg", d.getDocumentElement().getNodeName());
            n++;
        }
        assertEquals(3, n, "before, after and changed panels for the one rule with a region");
        assertTrue(html.contains("the rule's region") && html.contains("the guard's reach"));
    }

    @Test
    void chromiumRendersItWithoutConsoleErrors(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Chromium.find().isPresent(),
                "chromium is not installed (apt-get install -y chromium): the report is not rendered");
        compile(dir);
        Path png = dir.resolve("report.png");
        Chromium.Rendering r = Chromium.render(dir.resolve("report.html"), png, 1200, 1600);
        assertEquals(List.of(), r.errors());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1200, img.getWidth());
        assertEquals(1600, img.getHeight());

        // the check can fail: a page that fetches and throws logs both
        Path bad = dir.resolve("bad.html");
        String html = Files.readString(dir.resolve("report.html"));
        Files.writeString(bad, html.replace("<body>", "<body><img src=\"http://example.invalid/x.png\">"
                + "<script>undefinedFunction()</script>"));
        List<String> errors = Chromium.render(bad, dir.resolve("bad.png"), 400, 300).errors();
        assertEquals(2, errors.size(), errors.toString());
    }

    /** A rule and an erasure over a learned concept, on generated 8x8 images. */
    static CompileResult compileConcepts(Path dir) throws Exception {
        ConceptFixtures fx = ConceptFixtures.create(dir);
        Path rules = dir.resolve("shapes.engram");
        Files.writeString(rules, fx.declarations()
                + "concept horizontal from \"" + fx.trainRef() + "\" column \"label in {0, 1}\"\n"
                + "rule no_left: when horizontal then left is not the decision margin 3\n"
                + "erase horizontal at layer 1\n");
        return Engram.compile(CompileRequest.builder().optRules(rules).optOut(dir.resolve("shapes-edited.onnx"))
                .optReport(dir.resolve("concepts.html")).optFidelitySamples(200)
                .optConcepts(ConceptPolicy.builder().optMaxDrawdown(0.5).build()).build());
    }

    @Test
    void conceptStatementsGetTheNeuralCodeMapAndTheirMeasuredFigures(@TempDir Path dir) throws Exception {
        CompileResult r = compileConcepts(dir);
        assertTrue(r.proved(), r.diagnostics() + " " + r.rules());
        String html = Files.readString(dir.resolve("concepts.html"));
        assertTrue(html.contains("measured, not proved"), "stated as measured");
        assertTrue(html.contains("held-out AUC of each concept's probe at each layer"), "the heatmap");
        Matcher used = Pattern.compile("<rect class=\"used\"").matcher(html);
        int outlined = 0;
        while (used.find()) {
            outlined++;
        }
        assertEquals(2, outlined, "the rule's layer and the erasure's layer are outlined");
        for (String figure : List.of(">efficacy<", ">generalisation<", ">locality<", ">drawdown<",
                ">fresh linear probe<", ">majority rate<", ">small MLP probe<")) {
            assertTrue(html.contains(figure), figure);
        }
        Matcher svg = Pattern.compile("<svg .*?</svg>", Pattern.DOTALL).matcher(html);
        while (svg.find()) {
            DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(svg.group().getBytes(StandardCharsets.UTF_8)));
        }
        String json = Files.readString(dir.resolve("concepts.json"));
        assertTrue(json.contains("\"figures\"") && json.contains("\"map\"") && json.contains("\"auc\""), json);
        if (Chromium.find().isPresent()) {
            assertEquals(List.of(), Chromium.render(dir.resolve("concepts.html"), dir.resolve("concepts.png"), 1000,
                    1400).errors());
        }
    }
}
