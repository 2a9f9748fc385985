package dev.engram.dict;

import dev.engram.ir.ConceptCode;
import dev.engram.ir.ConceptEvidence;
import dev.engram.model.Models;
import dev.engram.source.Span;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Learning a dictionary on generated images, and its {@code .ncd} container: the concepts are located (high held-out
 * AUC, the chosen layer the best one), the split is disjoint and seeded, the file reads back to the same dictionary,
 * and truncated, foreign, corrupt, future and mismatched files are refused with a message saying which.
 */
class NcdFileTest {
    @TempDir
    static Path dir;
    static ConceptFixtures fx;
    static String sha;
    static Learner.Learned learned;

    @BeforeAll
    static void learn() {
        fx = ConceptFixtures.create(dir);
        sha = Models.load(fx.model()).sha256();
        List<ConceptSpec> specs = List.of(
                new ConceptSpec("horizontal", fx.train(), "label in {0, 1}", OptionalInt.empty(), Span.NONE),
                new ConceptSpec("lefty", fx.train(), "label = 2", OptionalInt.of(1), Span.NONE));
        learned = Learner.learn(fx.network(), sha, DataLayout.none(64, 4), specs,
                Learner.Options.builder().optExtraLayers(java.util.Set.of(0)).optAtoms(6).build());
    }

    @Test
    void learnsNamedUnsupervisedAtomsAtEveryTappedLayer() {
        Dictionary d = learned.dictionary();
        assertEquals(List.of(0, 1, 2), d.atoms().stream().map(Dictionary.Atoms::layer).toList());
        for (Dictionary.Atoms a : d.atoms()) {
            assertEquals(6, a.atoms().size());
            assertTrue(a.explained() > 0 && a.explained() <= 1, "explained " + a.explained());
            for (Dictionary.Atom t : a.atoms()) {
                assertEquals(d.widths()[a.layer()], t.direction().length);
                assertTrue(List.of("horizontal", "lefty", "").contains(t.concept()), t.concept());
                assertEquals(t.concept().isEmpty(), !(t.auc() > 0.5), "named exactly when better than chance");
                assertTrue(t.auc() >= 0 && t.auc() <= 1, "held-out AUC " + t.auc());
            }
        }
        String table = DictionaryTable.text(d, 0.9);
        assertTrue(table.contains("unsupervised atoms of layer 2"), table);
    }

    @Test
    void locatesTheConceptsOnHeldOutData() {
        Dictionary d = learned.dictionary();
        assertArrayEquals(new int[] {64, 24, 12, 4}, d.widths());
        Dictionary.Concept h = d.concept("horizontal").orElseThrow();
        assertEquals(3, h.layers().size(), "input and both hidden layers");
        assertEquals(h.bestLayer(), h.chosenLayer());
        assertTrue(h.at(h.chosenLayer()).orElseThrow().auc() > 0.97, h.toString());
        assertEquals(1, d.concept("lefty").orElseThrow().chosenLayer(), "the declared layer wins");
        ConceptEvidence ev = learned.evidence().get("horizontal");
        int held = ev.heldOut().size();
        assertTrue(held > 0.15 * 1600 && held < 0.25 * 1600, "held out " + held);
        assertEquals(600, ev.test().size(), "the t10k sibling is the test data");
        assertEquals(1600 - held, d.sources().get(0).moments().get(0).count(), "fit rows feed the statistics");
        for (float[] x : ev.heldOut().inputs()) {
            assertTrue(Arrays.stream(ev.fit().inputs()).noneMatch(f -> f == x), "held-out rows are never fit rows");
        }
    }

    @Test
    void roundTripsThroughTheContainer() throws Exception {
        Path f = dir.resolve("rt.ncd");
        NcdFile.write(learned.dictionary(), f);
        Dictionary back = NcdFile.read(f, sha);
        assertEquals(NcdFile.metadataJson(learned.dictionary()), NcdFile.metadataJson(back));
        ConceptCode a = learned.dictionary().code("horizontal", 2).orElseThrow();
        ConceptCode b = back.code("horizontal", 2).orElseThrow();
        assertArrayEquals(a.covariance(), b.covariance());
        assertArrayEquals(a.direction(), b.direction());
        assertArrayEquals(a.positiveMean(), b.positiveMean());
        assertEquals(a.auc(), b.auc());
        byte[] bytes = Files.readAllBytes(f);
        assertEquals(0, bytes.length % 8, "arrays are 8-aligned to the end");
    }

    @Test
    void refusesTruncatedForeignCorruptFutureAndMismatchedFiles() throws Exception {
        Path f = dir.resolve("ok.ncd");
        NcdFile.write(learned.dictionary(), f);
        byte[] ok = Files.readAllBytes(f);
        assertTrue(rejected(Arrays.copyOf(ok, ok.length - 8)).contains("truncated"));
        assertTrue(rejected(Arrays.copyOf(ok, 40)).contains("truncated"));
        assertTrue(rejected(new byte[0]).contains("not an Engram neural-code dictionary"));
        assertTrue(rejected(Files.readAllBytes(fx.model())).contains("not an Engram neural-code dictionary"));
        byte[] longer = Arrays.copyOf(ok, ok.length + 3);
        assertTrue(rejected(longer).contains("after the end"));
        byte[] flipped = ok.clone();
        flipped[100] ^= 1;
        assertTrue(rejected(flipped).contains("checksum"));
        byte[] future = ok.clone();
        future[8] = 9;
        assertTrue(rejected(future).contains("version 9"));
        byte[] huge = ok.clone();
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(16, Long.MAX_VALUE / 2);
        assertTrue(rejected(huge).contains("corrupt header"));
        String other = assertThrows(NcdFile.Rejected.class, () -> NcdFile.read(f, "ab".repeat(32))).getMessage();
        assertTrue(other.contains("learned for another model"), other);
        // a well-formed container whose metadata does not fit the arrays
        String json = new String(ok, 64, (int) ByteBuffer.wrap(ok).order(ByteOrder.LITTLE_ENDIAN).getLong(16),
                StandardCharsets.UTF_8);
        assertTrue(rejected(resealed(ok, json.replace("\"widths\" : [ 64, 24,", "\"widths\" : [ 64, 25,")))
                .contains("inconsistent"));
    }

    @Test
    void hostileMetadataWithAValidChecksumIsRefusedNeverCrashes() throws Exception {
        Path f = dir.resolve("fuzz.ncd");
        NcdFile.write(learned.dictionary(), f);
        byte[] ok = Files.readAllBytes(f);
        String json = new String(ok, 64, (int) ByteBuffer.wrap(ok).order(ByteOrder.LITTLE_ENDIAN).getLong(16),
                StandardCharsets.UTF_8);
        java.util.Random r = new java.util.Random(17);
        String[] swaps = {"64", "-1", "999999999", "null", "[]", "\"x\"", "1e308", "0"};
        int refused = 0;
        for (int k = 0; k < 300; k++) {
            StringBuilder mutated = new StringBuilder(json);
            int at = r.nextInt(mutated.length());
            if (r.nextBoolean()) {
                mutated.delete(at, Math.min(mutated.length(), at + 1 + r.nextInt(8)));
            } else {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("-?\\d+").matcher(json);
                int n = 0;
                while (m.find() && n++ < r.nextInt(400)) {
                    at = m.start();
                }
                int end = at;
                while (end < mutated.length() && (Character.isDigit(mutated.charAt(end)) || mutated.charAt(end) == '-')) {
                    end++;
                }
                mutated.replace(at, end, swaps[r.nextInt(swaps.length)]);
            }
            Path bad = Files.write(dir.resolve("fuzzed.ncd"), resealed(ok, mutated.toString()));
            try {
                NcdFile.read(bad);
            } catch (NcdFile.Rejected e) {
                refused++;
            }
        }
        assertTrue(refused > 100, refused + " of 300 mutations refused (the rest happen to stay consistent)");
    }

    /** {@code ok} with its metadata replaced by {@code json} and a matching checksum. */
    private static byte[] resealed(byte[] ok, String json) throws Exception {
        ByteBuffer h = ByteBuffer.wrap(ok).order(ByteOrder.LITTLE_ENDIAN);
        long j = h.getLong(16);
        long d = h.getLong(24);
        byte[] arrays = Arrays.copyOfRange(ok, (int) (ok.length - d), ok.length);
        byte[] meta = json.getBytes(StandardCharsets.UTF_8);
        int pad = (8 - meta.length % 8) % 8;
        ByteBuffer out = ByteBuffer.allocate(64 + meta.length + pad + arrays.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(Arrays.copyOf(ok, 16)).putLong(meta.length).putLong(d);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(meta);
        md.update(arrays);
        out.put(md.digest()).put(meta).put(new byte[pad]).put(arrays);
        assertTrue(j > 0);
        return out.array();
    }

    private static String rejected(byte[] bytes) throws Exception {
        Path f = Files.write(dir.resolve("bad.ncd"), bytes);
        return assertThrows(NcdFile.Rejected.class, () -> NcdFile.read(f)).getMessage();
    }
}
