package dev.engram.maven;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

/**
 * The record of one successful compilation: the fingerprint of its inputs and the SHA-256 of every file it wrote.
 * A rule file is up to date when its fingerprint is the recorded one and every output is still there, unchanged.
 */
record Stamp(String fingerprint, List<Path> outputs, List<String> sha256) {

    /** The stamp of outputs just written. */
    static Stamp of(String fingerprint, List<Path> outputs) throws IOException {
        List<String> shas = new java.util.ArrayList<>();
        for (Path p : outputs) {
            shas.add(sha256(p));
        }
        return new Stamp(fingerprint, outputs, shas);
    }

    /** True when {@code file} holds a stamp for {@code fingerprint} whose outputs are all unchanged. */
    static boolean upToDate(Path file, String fingerprint) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
            if (!fingerprint.equals(p.getProperty("fingerprint"))) {
                return false;
            }
            int n = Integer.parseInt(p.getProperty("outputs", "-1"));
            if (n < 1) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                Path out = Path.of(p.getProperty("output." + i));
                if (!Files.isRegularFile(out) || !sha256(out).equals(p.getProperty("sha256." + i))) {
                    return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    void write(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("fingerprint", fingerprint);
        p.setProperty("outputs", Integer.toString(outputs.size()));
        for (int i = 0; i < outputs.size(); i++) {
            p.setProperty("output." + i, outputs.get(i).toAbsolutePath().toString());
            p.setProperty("sha256." + i, sha256.get(i));
        }
        StringWriter w = new StringWriter();
        p.store(w, "engram:compile up-to-date record; delete to force a rebuild");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, w.toString(), StandardCharsets.UTF_8);
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
