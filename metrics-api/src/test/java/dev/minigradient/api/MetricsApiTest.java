package dev.minigradient.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minigradient.protocol.KafkaSettings;
import io.javalin.Javalin;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API on a real HTTP port while its state stores and feed are not ready (views not
 * started): 503 with Retry-After, never 500; input validation; the OpenAPI description; SSE and
 * Prometheus text.
 */
class MetricsApiTest {
  @TempDir Path stateDir;

  private NetworkViews views;
  private LiveFeed feed;
  private TaskIntake intake;
  private ApiMetrics metrics;
  private LiveEvents events;
  private Javalin app;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void startApi() {
    KafkaSettings nowhere = new KafkaSettings("127.0.0.1:9", Map.of());
    views = new NetworkViews(nowhere, "api-test", stateDir);
    feed = new LiveFeed(nowhere, LiveFeed.Limits.DEFAULT);
    intake = new TaskIntake(nowhere, Duration.ofSeconds(1));
    metrics = new ApiMetrics(views.streams(), feed);
    events = new LiveEvents(feed, () -> NetworkStats.compute(views, feed, System.currentTimeMillis()).summary());
    app = MetricsApi.create(new MetricsApi.Backend(views, feed, intake, events, metrics, null, Map.of())).start(0);
  }

  @AfterEach
  void stopApi() {
    events.close();
    app.stop();
    intake.close();
    metrics.close();
    views.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + app.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String contentType, byte[] body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + app.port() + path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void routesAnswer503WithRetryAfterWhileTheStoresAreNotReady() throws Exception {
    for (String path :
        new String[] {
          "/metrics", "/api/consensus", "/api/tasks/x", "/api/summary", "/api/peers", "/api/peers/p1",
          "/api/models", "/api/dead-letters", "/api/tasks/x/input"
        }) {
      HttpResponse<String> r = get(path);
      assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(503);
      assertThat(r.headers().firstValue("Retry-After")).as(path).contains("1");
      JsonNode body = ApiJson.MAPPER.readTree(r.body());
      assertThat(body.get("status").asInt()).isEqualTo(503);
      assertThat(body.get("error").asText()).as(path).containsAnyOf("state stores not ready", "live feed catching up");
    }
  }

  @Test
  void healthSaysDownWithTheStreamsState() throws Exception {
    HttpResponse<String> r = get("/health");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("\"status\":\"DOWN\"").contains("\"streams\":\"CREATED\"").contains("\"feed\":\"CATCHING_UP\"");
  }

  @Test
  void aBadLimitIsA400WithAJsonErrorNotA500() throws Exception {
    for (String q : new String[] {"abc", "0"}) {
      HttpResponse<String> r = get("/api/consensus?limit=" + q);
      assertThat(r.statusCode()).isEqualTo(400);
      JsonNode body = ApiJson.MAPPER.readTree(r.body());
      assertThat(body.get("status").asInt()).isEqualTo(400);
      assertThat(body.get("error").asText()).contains("limit");
    }
  }

  @Test
  void badSubmissionsAre4xxWithAJsonError() throws Exception {
    // an empty body
    HttpResponse<String> empty = post("/api/tasks", "image/png", new byte[0]);
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(ApiJson.MAPPER.readTree(empty.body()).get("error").asText()).contains("empty input");
    // a model that is not a model id
    HttpResponse<String> model = post("/api/tasks?model=mnist", "image/png", new byte[] {1, 2, 3});
    assertThat(model.statusCode()).isEqualTo(400);
    assertThat(ApiJson.MAPPER.readTree(model.body()).get("error").asText()).contains("SHA-256");
    // JSON instead of an image
    HttpResponse<String> json = post("/api/tasks", "application/json", "{}".getBytes(StandardCharsets.UTF_8));
    assertThat(json.statusCode()).isEqualTo(415);
    assertThat(ApiJson.MAPPER.readTree(json.body()).get("status").asInt()).isEqualTo(415);
    // more than a task may carry
    HttpResponse<String> big = post("/api/tasks?model=" + "a".repeat(64), "image/png", new byte[TaskIntake.MAX_INPUT_BYTES + 1]);
    assertThat(big.statusCode()).isEqualTo(413);
    // a multipart request without a file
    String boundary = "b0undary";
    byte[] form = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--" + boundary + "--\r\n")
        .getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> noFile = post("/api/tasks", "multipart/form-data; boundary=" + boundary, form);
    assertThat(noFile.statusCode()).isEqualTo(400);
    assertThat(ApiJson.MAPPER.readTree(noFile.body()).get("error").asText()).contains("without a file");
  }

  @Test
  void nonFiniteNumbersAreWrittenAsNull() throws Exception {
    record Doc(double nan, Double inf, float negInf, double finite, List<Double> list) {}
    String json = ApiJson.MAPPER.writeValueAsString(
        new Doc(Double.NaN, Double.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0.5, java.util.Arrays.asList(Double.NaN, 1.0)));
    assertThat(json).isEqualTo("{\"nan\":null,\"inf\":null,\"negInf\":null,\"finite\":0.5,\"list\":[null,1.0]}");
    assertThat(ApiJson.MAPPER.writeValueAsString(Map.of("x", Double.NaN))).isEqualTo("{\"x\":null}");
  }

  @Test
  void inputsAreServedAsRasterImagesOrAsBytesNeverAsPages() {
    assertThat(MetricsApi.safeImageType("image/png")).isEqualTo("image/png");
    assertThat(MetricsApi.safeImageType("Image/JPEG")).isEqualTo("image/jpeg");
    assertThat(MetricsApi.safeImageType("image/svg+xml")).isEqualTo("application/octet-stream");
    assertThat(MetricsApi.safeImageType("text/html")).isEqualTo("application/octet-stream");
    assertThat(MetricsApi.safeImageType(null)).isEqualTo("application/octet-stream");
  }

  @Test
  void theOpenApiDescriptionListsEveryRoute() throws Exception {
    HttpResponse<String> r = get("/api/openapi.json");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode doc = ApiJson.MAPPER.readTree(r.body());
    assertThat(doc.get("openapi").asText()).startsWith("3.");
    List<String> paths = new ArrayList<>();
    doc.get("paths").fieldNames().forEachRemaining(paths::add);
    assertThat(paths).contains(
        "/metrics", "/health", "/api/summary", "/api/consensus", "/api/tasks", "/api/tasks/{id}",
        "/api/tasks/{id}/input", "/api/peers", "/api/peers/{id}", "/api/models", "/api/dead-letters",
        "/api/events", "/prometheus");
    assertThat(doc.at("/paths/~1api~1tasks/post/responses/202")).isNotNull();
  }

  @Test
  void theEventStreamNeedsAcceptAndSaysWhenNotReady() throws Exception {
    // without Accept: text/event-stream, Javalin answers an empty text/plain
    HttpResponse<String> plain = get("/api/events");
    assertThat(plain.body()).isEmpty();
    // with it, the stream opens and the summary event says the stores are not ready yet
    HttpResponse<InputStream> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + app.port() + "/api/events"))
                .header("Accept", "text/event-stream")
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          lines.add(line);
        }
      } catch (java.io.IOException e) {
        // closed by the test
      }
    });
    reader.setDaemon(true);
    reader.start();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(String.join("\n", lines)).contains("event: summary\ndata: {\"ready\":false}"));
    r.body().close();
  }

  @Test
  void prometheusTextPassesPromtool() throws Exception {
    HttpResponse<String> r = get("/prometheus");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    assertThat(r.body())
        .contains("# TYPE mg_decisions_total counter")
        .contains("mg_decisions_total{status=\"DECIDED\"} 0")
        .contains("mg_verdicts_total{verdict=\"AGREED\"} 0")
        .contains("mg_tasks_submitted_total 0")
        .contains("mg_decision_latency_seconds_count 0")
        .contains("jvm_memory_used_bytes");
    Promtool.assertValid(r.body(), stateDir);
  }

  @Test
  void theRootServesTheDashboardOrSaysItIsNotBuilt() throws Exception {
    HttpResponse<String> r = get("/");
    assertThat(r.statusCode()).isEqualTo(200);
    if (MetricsApi.class.getResource("/dashboard/index.html") != null) {
      assertThat(r.body()).contains("<div id=\"root\"></div>");
    } else {
      assertThat(r.body()).contains("not in this build");
    }
  }

  /**
   * Runs {@code promtool check metrics} on text: the exposition must parse (exit 1 is a parse
   * error) and the network's own {@code mg_*} metrics must pass promtool's naming lint (exit 3
   * lists lint problems; Kafka's and the JVM binders' own names, such as {@code *_time_ns_total},
   * are theirs to keep).
   */
  static final class Promtool {
    private Promtool() {}

    static void assertValid(String text, Path dir) throws Exception {
      Path file = Files.writeString(dir.resolve("metrics.prom"), text);
      Process p =
          new ProcessBuilder("promtool", "check", "metrics")
              .redirectInput(file.toFile())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int code = p.waitFor();
      assertThat(code).as("promtool check metrics:\n" + out).isIn(0, 3);
      assertThat(out.lines().filter(l -> l.startsWith("mg_")).toList()).as(out).isEmpty();
    }
  }
}
