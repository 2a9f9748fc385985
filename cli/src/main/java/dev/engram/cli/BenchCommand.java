package dev.engram.cli;

import dev.engram.Engram;
import dev.engram.VerifyRequest;
import dev.engram.VerifyResult;
import dev.engram.model.io.AtomicFiles;
import dev.engram.verify.Verdict;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code engram bench ...}: benchmark runs. */
@Command(name = "bench", description = "Benchmarks.", subcommands = BenchCommand.Vnncomp.class)
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * {@code engram bench vnncomp --instances FILE.csv}: runs a VNN-COMP instance list (onnx,vnnlib,timeout; paths
     * relative to the list's folder), writes instance,verdict,seconds and, given expected results, counts right,
     * wrong and unsolved answers. Exit 0 unless an answer is wrong.
     */
    @Command(name = "vnncomp", description = "Run a VNN-COMP instance list with the verifier.")
    public static final class Vnncomp implements Callable<Integer> {
        @Option(names = "--instances", required = true, paramLabel = "FILE.csv", description = "onnx,vnnlib,timeout rows")
        Path instances;

        @Option(names = "--expected", paramLabel = "FILE.csv", description = "onnx,vnnlib,...,expected rows to score against")
        Path expected;

        @Option(names = "--out", paramLabel = "FILE.csv", defaultValue = "vnncomp-results.csv",
                description = "results CSV (default ${DEFAULT-VALUE})")
        Path out;

        @Option(names = "--timeout", paramLabel = "SECONDS", description = "override every instance's timeout")
        Double timeout;

        @Option(names = "--threads", paramLabel = "N", description = "worker threads (default: all cores)")
        Integer threads;

        @Option(names = "--no-progress", description = "no progress bar")
        boolean noProgress;

        @Override
        public Integer call() throws IOException {
            Path base = instances.toAbsolutePath().getParent();
            List<String[]> rows = readCsv(instances);
            if (!rows.isEmpty() && !rows.get(0)[0].endsWith(".onnx") && !rows.get(0)[0].endsWith(".nnet")) {
                rows = rows.subList(1, rows.size()); // header
            }
            Map<String, String> want = expected == null ? Map.of()
                    : expected(readCsv(expected), expected.toAbsolutePath().getParent());
            Score score = new Score();
            StringBuilder csv = new StringBuilder("onnx,vnnlib,verdict,seconds,expected,status,note\n");
            long t0 = System.nanoTime();
            ProgressBarBuilder pbb = new ProgressBarBuilder().setTaskName("vnncomp").setInitialMax(rows.size())
                    .setStyle(ProgressBarStyle.ASCII).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                    .setUpdateIntervalMillis(200);
            try (ProgressBar pb = noProgress ? null : pbb.build()) {
                for (String[] r : rows) {
                    String id = r[0] + "," + r[1];
                    double limit = timeout != null ? timeout : Double.parseDouble(r[2]);
                    long s0 = System.nanoTime();
                    Path onnx = locate(base, r[0], "onnx");
                    Path vnnlib = locate(base, r[1], "vnnlib");
                    Verdict v = verify(onnx, vnnlib, limit);
                    double secs = (System.nanoTime() - s0) / 1e9;
                    String exp = want.getOrDefault(id, want.get(fileKey(onnx, vnnlib)));
                    String status = score.add(id, v, exp, secs);
                    csv.append(id).append(',').append(v.word()).append(',')
                            .append(String.format(Locale.ROOT, "%.4f", secs)).append(',')
                            .append(exp == null ? "" : exp).append(',').append(status).append(',')
                            .append(v instanceof Verdict.Unknown u ? u.reason().replace(',', ';').replace('\n', ' ') : "")
                            .append('\n');
                    if (pb != null) {
                        pb.step();
                        pb.setExtraMessage(v.word() + " " + String.format(Locale.ROOT, "%.2fs", secs));
                    }
                    if (status.equals("WRONG")) {
                        System.err.println("WRONG: " + id + " gave " + v.word() + ", expected " + exp);
                    }
                }
            }
            AtomicFiles.write(out, csv.toString().getBytes(StandardCharsets.UTF_8));
            score.print(rows.size(), expected != null, (System.nanoTime() - t0) / 1e9, out);
            return score.wrong > 0 ? 1 : 0;
        }

        /** The verdict of one instance, through the same front door as {@code engram verify}. */
        private Verdict verify(Path model, Path vnnlib, double limit) {
            VerifyResult r = Engram.verify(VerifyRequest.builder().setModel(model).optVnnlib(vnnlib).optTimeout(limit)
                    .optThreads(threads).build());
            if (!r.checked().isEmpty()) {
                return r.checked().get(0).verdict();
            }
            String why = r.message().orElse(r.diagnostics().isEmpty() ? "not verified"
                    : r.diagnostics().get(0).message());
            return new Verdict.Unknown(why, 0);
        }

        /**
         * Expected verdicts from a CSV with an {@code expected} column (else column 3), by {@code onnx,vnnlib} as
         * written and by the files they name (resolved like an instance list's, against the CSV's folder), so that a
         * list written elsewhere or with absolute paths is scored too.
         */
        private static Map<String, String> expected(List<String[]> e, Path base) {
            Map<String, String> want = new HashMap<>();
            int col = Arrays.asList(e.get(0)).indexOf("expected");
            for (String[] r : e.subList(col >= 0 ? 1 : 0, e.size())) {
                String verdict = r[col >= 0 ? col : 2];
                want.put(r[0] + "," + r[1], verdict);
                want.putIfAbsent(fileKey(locate(base, r[0], "onnx"), locate(base, r[1], "vnnlib")), verdict);
            }
            return want;
        }

        /** The key of an instance by the files it names. */
        static String fileKey(Path onnx, Path vnnlib) {
            return onnx.toAbsolutePath().normalize() + "\u0000" + vnnlib.toAbsolutePath().normalize();
        }

        /** Right, wrong and unsolved answers against the expected verdicts, verdict counts and times. */
        private static final class Score {
            final List<Double> times = new ArrayList<>();
            final Map<String, Integer> counts = new java.util.TreeMap<>();
            int right;
            int wrong;
            int unsolved;
            String slowest = "";
            double slowestT = -1;

            String add(String id, Verdict v, String exp, double secs) {
                boolean definite = v instanceof Verdict.Sat || v instanceof Verdict.Unsat;
                String status;
                if (exp == null || !(exp.equals("sat") || exp.equals("unsat"))) {
                    status = definite ? "unscored" : "unsolved";
                } else if (!definite) {
                    status = "unsolved";
                    unsolved++;
                } else if (v.word().equals(exp)) {
                    status = "right";
                    right++;
                } else {
                    status = "WRONG";
                    wrong++;
                }
                counts.merge(v.word(), 1, Integer::sum);
                times.add(secs);
                if (secs > slowestT) {
                    slowestT = secs;
                    slowest = id;
                }
                return status;
            }

            void print(int instances, boolean scored, double total, Path out) {
                List<Double> sorted = new ArrayList<>(times);
                sorted.sort(null);
                double median = sorted.isEmpty() ? 0 : sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                        : 0.5 * (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2));
                double sum = times.stream().mapToDouble(Double::doubleValue).sum();
                System.out.println("instances  " + instances);
                counts.forEach((k, n) -> System.out.printf(Locale.ROOT, "  %-9s%d%n", k, n));
                if (scored) {
                    System.out.printf(Locale.ROOT, "right      %d%nwrong      %d%nunsolved   %d%n", right, wrong, unsolved);
                }
                System.out.printf(Locale.ROOT, "total      %.2f s (sum of instances %.2f s)%nmedian     %.3f s%n"
                        + "slowest    %.2f s (%s)%nresults    %s%n", total, sum, median, slowestT, slowest, out);
            }
        }

        /** A file named in an instance list: next to the list, or in its {@code onnx/} or {@code vnnlib/} folder. */
        static Path locate(Path base, String name, String folder) {
            Path direct = base.resolve(name);
            if (Files.exists(direct)) {
                return direct;
            }
            Path sub = base.resolve(folder).resolve(name);
            return Files.exists(sub) ? sub : direct;
        }

        private static List<String[]> readCsv(Path p) {
            try {
                List<String[]> rows = new ArrayList<>();
                for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        rows.add(Arrays.stream(line.split(",", -1)).map(String::trim).toArray(String[]::new));
                    }
                }
                return rows;
            } catch (IOException e) {
                throw new UncheckedIOException(p + ": " + e.getMessage(), e);
            }
        }
    }
}
