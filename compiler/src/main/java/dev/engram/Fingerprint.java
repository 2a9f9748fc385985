package dev.engram;

import dev.engram.check.CheckOptions;
import dev.engram.diag.Diagnosed;
import dev.engram.check.CheckedProgram;
import dev.engram.check.Checker;
import dev.engram.compile.CompileRequest;
import dev.engram.compile.Compiler;
import dev.engram.front.FrontEnd;
import dev.engram.source.SourceFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a compilation reads, as one SHA-256: the Engram version, the rule text, the bytes of the model (given, or
 * declared by the rule file), of every imported or enforced VNN-LIB file, and the request's options — never the
 * output paths. Equal fingerprints mean equal inputs, so a build tool may skip the work when the outputs it wrote
 * for the same fingerprint are still there. A file that cannot be read is hashed as missing (the compilation will
 * say why); a request with obligations built in Java is never equal to another.
 *
 * @param model  the model the compilation reads (given, or the rule file's declaration), empty when none is known
 * @param inputs every file hashed, in hashing order
 */
public record Fingerprint(String sha256, Optional<Path> model, List<Path> inputs) {
    public Fingerprint {
        inputs = List.copyOf(inputs);
    }

    /** The fingerprint of {@code req}; never throws for files that are missing or unreadable. */
    static Fingerprint of(CompileRequest req) {
        MessageDigest md = newDigest();
        update(md, Compiler.VERSION);
        Optional<Path> model = req.model();
        List<Path> files = new ArrayList<>();
        if (req.rules().isPresent()) {
            FrontEnd.RuleSource rs = req.rules().get();
            Optional<SourceFile> text = text(rs);
            update(md, "rules");
            update(md, text.map(SourceFile::text).orElse("<unreadable " + rs.path() + ">"));
            if (rs.text() == null) {
                files.add(rs.path());
            }
            Path base = baseDir(rs.path());
            Diagnosed<CheckedProgram> checked = text.map(t -> Checker.check(t, CheckOptions.builder().optBaseDir(base).build()))
                    .orElse(null);
            Optional<CheckedProgram> program = checked == null ? Optional.empty() : checked.value();
            if (model.isEmpty()) {
                model = program.flatMap(CheckedProgram::model).map(m -> base.resolve(m).normalize());
            }
            program.ifPresent(p -> p.imports().forEach(i -> files.add(Path.of(i.file()))));
        }
        model.ifPresent(m -> files.add(0, m));
        files.addAll(req.enforce());
        for (Path f : files) {
            update(md, "file");
            hashFile(md, f);
        }
        update(md, String.format(Locale.ROOT, "strategy=%s dilation=%s samples=%d timeout=%s seed=%d decision=%s "
                        + "domain=%s", req.strategy(), req.dilationFraction(), req.fidelitySamples(),
                req.timeoutSeconds(), req.seed(), req.decision(),
                req.domain() == null ? "" : java.util.Arrays.toString(req.domain().box().lo())
                        + java.util.Arrays.toString(req.domain().box().hi())));
        if (!req.obligations().isEmpty()) {
            // obligations built in Java have no stable text: such a request is never up to date
            update(md, "java obligations " + System.nanoTime() + " " + System.identityHashCode(req));
        }
        return new Fingerprint(HexFormat.of().formatHex(md.digest()), model, files);
    }

    private static Optional<SourceFile> text(FrontEnd.RuleSource rs) {
        if (rs.text() != null) {
            return Optional.of(rs.text());
        }
        try {
            return Optional.of(SourceFile.read(rs.path()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Path baseDir(Path rules) {
        Path parent = rules.toAbsolutePath().getParent();
        return parent == null ? rules.toAbsolutePath() : parent;
    }

    private static void hashFile(MessageDigest md, Path f) {
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(f)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            update(md, "end");
        } catch (IOException | RuntimeException e) {
            update(md, "<unreadable " + f + ">");
        }
    }

    private static void update(MessageDigest md, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        md.update(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
        md.update((byte) ':');
        md.update(b);
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
