package dev.engram.parse;

import dev.engram.diag.Diagnosed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.engram.ast.RuleFile;
import dev.engram.source.SourceFile;
import org.junit.jupiter.api.Test;

/** {@code parse(print(ast)) == ast} (spans aside) over generated ASTs covering every statement form. */
class RoundTripProperties {

    @Test
    void parseOfPrintIsIdentity() {
        qt().withExamples(3000).withFixedSeed(20261123L).forAll(longs().all()).checkAssert(seed -> {
            RuleFile ast = new AstGen(seed).file();
            String text = AstPrinter.print(ast);
            Diagnosed<RuleFile> r = RuleParser.parse(new SourceFile("gen.engram", text));
            assertEquals(java.util.List.of(), r.diagnostics(), text);
            assertEquals(SpanStripper.strip(ast), SpanStripper.strip(r.value().orElseThrow()), text);
        });
    }

    @Test
    void printingIsIdempotent() {
        qt().withExamples(500).forAll(longs().all()).checkAssert(seed -> {
            String once = AstPrinter.print(new AstGen(seed).file());
            String twice = AstPrinter.print(RuleParser.parse(new SourceFile("g", once)).value().orElseThrow());
            assertEquals(once, twice);
        });
    }
}
