package dev.engram.demo;

import dev.engram.check.CheckOptions;
import dev.engram.diag.Diagnosed;
import dev.engram.check.CheckedProgram;
import dev.engram.check.Checker;
import dev.engram.source.SourceFile;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo's data: deterministic, biased as documented, and laid out as its rule file declares. */
class LoanDataTest {
    @Test
    void sameSeedSameApplicants() {
        LoanData a = LoanData.generate(500, 7);
        LoanData b = LoanData.generate(500, 7);
        assertArrayEquals(a.income(), b.income());
        assertArrayEquals(a.approved(), b.approved());
        assertTrue(!Arrays.equals(a.income(), LoanData.generate(500, 8).income()));
    }

    @Test
    void theHistoryFavoursMenAndNobodyUnder18Applied() {
        LoanData d = LoanData.generate(20000, 7);
        int[] decisions = new int[d.rows()];
        for (int i = 0; i < d.rows(); i++) {
            decisions[i] = d.approved()[i] ? 0 : 1;
            assertTrue(d.age()[i] >= 18 && d.age()[i] <= 80);
        }
        double men = d.approvalRate(decisions, 0, true);
        double women = d.approvalRate(decisions, 0, false);
        assertTrue(men - women > 0.1, "men " + men + ", women " + women);
    }

    @Test
    void theRuleFileDeclaresTheEncodingTheDataUses() {
        Diagnosed<CheckedProgram> r = Checker.check(new SourceFile("loan.engram", Demo.ruleText()), CheckOptions.none());
        assertTrue(r.value().isPresent(), r.diagnostics().toString());
        CheckedProgram p = r.value().get();
        assertEquals(LoanData.INPUTS, p.inputWidth());
        float[] x = LoanData.encode(30, 70000, 4000, true);
        double[] real = {30, 70000, 4000};
        for (int k = 0; k < 3; k++) {
            CheckedProgram.Input in = p.inputs().get(k);
            assertEquals(k, in.index());
            assertEquals(x[k], (float) (real[k] * in.scale() + in.offset()), 1e-6, in.name());
        }
        CheckedProgram.Input sex = p.inputs().get(3);
        assertEquals(java.util.List.of("female", "male"), sex.values());
        assertEquals(1f, x[sex.index() + 1]);
        assertEquals(LoanData.CLASSES, p.outputs().stream().map(CheckedProgram.Output::name).toList());
    }
}
