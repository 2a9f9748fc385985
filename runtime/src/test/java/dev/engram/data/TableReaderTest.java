package dev.engram.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading CSV and ARFF into typed tables, encoding them, and the UCI test-label convention. */
class TableReaderTest {

    @Test
    void csvInfersTypesSortsLevelsAndMarksMissing(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("t.csv");
        Files.writeString(f, "age, job, \"pay, yearly\", y\n"
                + "30, b, 1.5, no\n"
                + "?, a, 2, yes\n"
                + "50, ?, \"3\", no\n"
                + "40, 'c, d', 4e1, yes.\n");
        Table t = TableReader.read(f);
        assertEquals(List.of("age", "job", "pay, yearly", "y"), t.names());
        Column.Numeric age = (Column.Numeric) t.column("age");
        assertEquals(30, age.values()[0]);
        assertTrue(age.missing(1));
        Column.Categorical job = (Column.Categorical) t.column("job");
        assertEquals(List.of("a", "b", "c, d"), job.levels());
        assertArrayEquals(new int[] {1, 0, -1, 2}, job.codes());
        assertArrayEquals(new double[] {1.5, 2, 3, 40}, ((Column.Numeric) t.column("pay, yearly")).values());
        Table fixed = t.withoutSuffix("y", ".");
        assertEquals(List.of("no", "yes"), ((Column.Categorical) fixed.column("y")).levels());
        assertArrayEquals(new int[] {0, 1, 0, 1}, ((Column.Categorical) fixed.column("y")).codes());
        assertThrows(IllegalArgumentException.class, () -> t.column("nope"));
    }

    @Test
    void arffKeepsDeclaredOrderAndQuotedValues(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("c.arff");
        Files.writeString(f, """
                % comment
                @relation test
                @attribute status { '<0', '0<=X<200', 'no checking'}
                @attribute 'the amount' numeric
                @attribute class { good, bad}
                @data
                'no checking',12,good
                '<0' , ?,bad
                """);
        Table t = TableReader.read(f);
        Column.Categorical s = (Column.Categorical) t.column("status");
        assertEquals(List.of("<0", "0<=X<200", "no checking"), s.levels());
        assertArrayEquals(new int[] {2, 0}, s.codes());
        assertTrue(t.column("the amount").missing(1));
        assertEquals(List.of("good", "bad"), ((Column.Categorical) t.column("class")).levels());

        Path bad = tmp.resolve("bad.arff");
        Files.writeString(bad, "@attribute a {x, y}\n@data\nz\n");
        assertThrows(IllegalArgumentException.class, () -> TableReader.read(bad));
    }

    @Test
    void encodingIsOneHotAndNormalisedAndReappliesToTestData(@TempDir Path tmp) throws Exception {
        Path train = tmp.resolve("d.data");
        Files.writeString(train, "x, c, y\n0, a, <=50K\n10, b, >50K\n5, a, <=50K\n?, b, >50K\n");
        Path test = tmp.resolve("d.test");
        Files.writeString(test, "x, c, y\n20, z, >50K.\n5, ?, <=50K.\n");
        TrainTest tt = TrainTest.load(train, Optional.empty(), 1);
        assertEquals("y", tt.label());
        Encoding enc = Encoding.fit(tt.train(), tt.label());
        assertEquals(3, enc.width());
        Encoding.Numeric x = (Encoding.Numeric) enc.feature("x");
        assertEquals(5, x.mean());
        assertEquals(10, x.range());
        assertEquals(List.of("<=50K", ">50K"), enc.label().classes());
        assertEquals(List.of("y_le_50K", "y_gt_50K"), enc.label().ids());
        Dataset d = enc.encode(tt.train());
        assertArrayEquals(new float[] {-0.5f, 1, 0}, d.x()[0]);
        assertArrayEquals(new float[] {0.5f, 0, 1}, d.x()[1]);
        assertArrayEquals(new float[] {0f, 0, 1}, d.x()[3], "missing number -> the mean");
        assertArrayEquals(new int[] {0, 1, 0, 1}, d.y());
        Dataset e = enc.encode(tt.test());
        assertArrayEquals(new float[] {1.5f, 0, 0}, e.x()[0], "unseen category -> all-zero block");
        assertArrayEquals(new float[] {0f, 0, 0}, e.x()[1], "missing category -> all-zero block");
        assertArrayEquals(new int[] {1, 0}, e.y(), "test labels with a trailing period");
        assertArrayEquals(new int[] {1, 2}, enc.slots("c"));
    }

    @Test
    void numericLabelsBecomeClassesInNumericalOrder(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("n.csv");
        Files.writeString(f, "a,label\n1,1\n2,0\n3,?\n4,1\n");
        Table t = TableReader.read(f);
        Encoding enc = Encoding.fit(t, "label");
        assertEquals(List.of("0", "1"), enc.label().classes());
        assertEquals(List.of("label_0", "label_1"), enc.label().ids());
        Dataset d = enc.encode(t);
        assertArrayEquals(new int[] {1, 0, 1}, d.y(), "the row with a missing label is dropped");
    }

    @Test
    void identifiersAreValidNames() {
        assertEquals("le_50K", Encoding.identifier("<=50K"));
        assertEquals("v_0_le_X_lt_200", Encoding.identifier("0<=X<200"));
        assertEquals("Self_emp_not_inc", Encoding.identifier("Self-emp-not-inc"));
        assertEquals("in_", Encoding.identifier("in"));
        assertEquals("v", Encoding.identifier("?!"));
        assertEquals("radio_tv", Encoding.identifier("radio/tv"));
    }
}
