package dev.engram.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Debian's chromium, headless, driven over the DevTools protocol (a JDK WebSocket): loads a page, collects every
 * console error, uncaught exception and error log entry (a blocked fetch is one), and captures a PNG. New headless
 * chromium no longer prints console messages to stderr, so the protocol is the way to see them.
 *
 * <p>{@code bench/run compiler dev.engram.report.Chromium REPORT.html OUT.png [WIDTH HEIGHT]} (or
 * {@code docs/tools/report-screenshot.sh}) renders a report and exits 1 when the page logged errors.
 */
final class Chromium {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the page did: the errors it logged, in order. */
    record Rendering(List<String> errors) {
    }

    private Chromium() {
    }

    /** The chromium binary, if installed. */
    static Optional<Path> find() {
        for (String p : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium")) {
            if (Files.isExecutable(Path.of(p))) {
                return Optional.of(Path.of(p));
            }
        }
        return Optional.empty();
    }

    /** Loads {@code html} in a {@code width}×{@code height} viewport, writes the screenshot to {@code png}. */
    static Rendering render(Path html, Path png, int width, int height) throws Exception {
        Path browser = find().orElseThrow(() -> new IllegalStateException("chromium is not installed"));
        Path profile = Files.createTempDirectory("engram-chromium");
        Process p = new ProcessBuilder(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile, "--remote-debugging-port=0",
                "about:blank").redirectErrorStream(true).start();
        try {
            String ws = devtoolsUrl(p);
            try (Session s = new Session(ws)) {
                String target = s.call(null, "Target.createTarget", Map.of("url", "about:blank")).get("targetId")
                        .asText();
                String session = s.call(null, "Target.attachToTarget", Map.of("targetId", target, "flatten", true))
                        .get("sessionId").asText();
                for (String domain : List.of("Runtime.enable", "Log.enable", "Page.enable")) {
                    s.call(session, domain, Map.of());
                }
                s.call(session, "Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height,
                        "deviceScaleFactor", 1, "mobile", false));
                s.call(session, "Page.navigate", Map.of("url", html.toAbsolutePath().toUri().toString()));
                if (!s.loaded.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the page did not load within 60 s");
                }
                Thread.sleep(300);
                String data = s.call(session, "Page.captureScreenshot", Map.of("format", "png")).get("data").asText();
                Files.write(png, Base64.getDecoder().decode(data));
                return new Rendering(List.copyOf(s.errors));
            }
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** Reads chromium's output up to "DevTools listening on ws://…", then keeps draining it. */
    private static String devtoolsUrl(Process p) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = r.readLine()) != null; ) {
            int at = line.indexOf("DevTools listening on ");
            if (at >= 0) {
                Thread drain = new Thread(() -> {
                    try {
                        while (r.readLine() != null) {
                            // chromium's own log (dbus and the like): not the page's
                        }
                    } catch (IOException ignored) {
                        // the browser is gone
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return line.substring(at + "DevTools listening on ".length()).trim();
            }
        }
        throw new IOException("chromium exited before opening the DevTools port");
    }

    /** One DevTools connection: calls by id, events collected. */
    private static final class Session implements WebSocket.Listener, AutoCloseable {
        final WebSocket socket;
        final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch loaded = new CountDownLatch(1);
        final AtomicInteger ids = new AtomicInteger();
        final StringBuilder partial = new StringBuilder();

        Session(String url) {
            socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(url), this).join();
        }

        JsonNode call(String session, String method, Map<String, Object> params) throws Exception {
            int id = ids.incrementAndGet();
            ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
            msg.set("params", JSON.valueToTree(params));
            if (session != null) {
                msg.put("sessionId", session);
            }
            CompletableFuture<JsonNode> f = new CompletableFuture<>();
            pending.put(id, f);
            socket.sendText(JSON.writeValueAsString(msg), true).join();
            JsonNode reply = f.get(60, TimeUnit.SECONDS);
            if (reply.has("error")) {
                throw new IllegalStateException(method + ": " + reply.get("error"));
            }
            return reply.get("result");
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    handle(JSON.readTree(partial.toString()));
                } catch (IOException e) {
                    errors.add("unreadable DevTools message: " + e.getMessage());
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        private void handle(JsonNode m) {
            if (m.has("id")) {
                CompletableFuture<JsonNode> f = pending.remove(m.get("id").asInt());
                if (f != null) {
                    f.complete(m);
                }
                return;
            }
            String method = m.path("method").asText();
            JsonNode params = m.path("params");
            switch (method) {
                case "Page.loadEventFired" -> loaded.countDown();
                case "Runtime.exceptionThrown" -> errors.add("exception: "
                        + params.path("exceptionDetails").path("exception").path("description").asText(
                        params.path("exceptionDetails").path("text").asText()));
                case "Runtime.consoleAPICalled" -> {
                    String type = params.path("type").asText();
                    if (type.equals("error") || type.equals("assert")) {
                        errors.add("console." + type + ": " + params.path("args"));
                    }
                }
                case "Log.entryAdded" -> {
                    JsonNode e = params.path("entry");
                    if (e.path("level").asText().equals("error")) {
                        errors.add(e.path("source").asText() + ": " + e.path("text").asText());
                    }
                }
                default -> {
                }
            }
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Chromium REPORT.html OUT.png [WIDTH HEIGHT]");
            System.exit(2);
        }
        int w = args.length > 2 ? Integer.parseInt(args[2]) : 1280;
        int h = args.length > 3 ? Integer.parseInt(args[3]) : 2600;
        Rendering r = render(Path.of(args[0]), Path.of(args[1]), w, h);
        r.errors().forEach(e -> System.err.println("page error: " + e));
        System.out.println("wrote " + args[1] + " (" + w + "x" + h + "), " + r.errors().size() + " console error(s)");
        System.exit(r.errors().isEmpty() ? 0 : 1);
    }
}
