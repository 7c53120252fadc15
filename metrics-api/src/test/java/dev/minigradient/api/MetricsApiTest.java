package dev.minigradient.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.Redundancy;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Topics;
import dev.minigradient.protocol.Verdict;
import dev.minigradient.protocol.testing.Promtool;
import dev.minigradient.protocol.testing.StreamLines;
import io.javalin.Javalin;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API on a real HTTP port while its state stores and feed are not ready (views not started):
 * 503 with Retry-After, never 500; input validation; the OpenAPI description; SSE and Prometheus
 * text.
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
  static final String MNIST_ID = "1".repeat(64);
  static final String FASHION_ID = "2".repeat(64);

  /** Two models the API knows by name, shared with {@link ModelCatalogTest}. */
  static final Map<String, MetricsApi.KnownModel> KNOWN =
      Map.of(
          MNIST_ID, new MetricsApi.KnownModel("mnist", List.of("0", "1")),
          FASHION_ID,
              new MetricsApi.KnownModel("fashion-mnist", List.of("T-shirt/top", "Trouser")));

  @BeforeEach
  void startApi() {
    KafkaSettings nowhere = new KafkaSettings("127.0.0.1:9", Map.of());
    views = new NetworkViews(nowhere, "api-test", stateDir);
    feed = new LiveFeed(nowhere, LiveFeed.Limits.DEFAULT);
    intake = new TaskIntake(nowhere, Duration.ofSeconds(1));
    metrics = new ApiMetrics(views.streams(), feed);
    events =
        new LiveEvents(
            feed, () -> NetworkStats.compute(views, feed, System.currentTimeMillis()).summary());
    app =
        MetricsApi.create(new MetricsApi.Backend(views, feed, intake, events, metrics, null, KNOWN))
            .start(0);
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
    return post(path, contentType, HttpRequest.BodyPublishers.ofByteArray(body));
  }

  private HttpResponse<String> post(String path, String contentType, HttpRequest.BodyPublisher body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + app.port() + path))
            .header("Content-Type", contentType)
            .POST(body)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + app.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String error(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    JsonNode body = ApiJson.MAPPER.readTree(r.body());
    assertThat(body.get("status").asInt()).isEqualTo(status);
    return body.get("error").asText();
  }

  @Test
  void routesAnswer503WithRetryAfterWhileTheStoresAreNotReady() throws Exception {
    for (String path :
        new String[] {
          "/metrics",
          "/api/consensus",
          "/api/tasks/x",
          "/api/summary",
          "/api/peers",
          "/api/peers/p1",
          "/api/models",
          "/api/dead-letters",
          "/api/tasks/x/input"
        }) {
      HttpResponse<String> r = get(path);
      assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(503);
      assertThat(r.headers().firstValue("Retry-After")).as(path).contains("1");
      JsonNode body = ApiJson.MAPPER.readTree(r.body());
      assertThat(body.get("status").asInt()).isEqualTo(503);
      assertThat(body.get("error").asText())
          .as(path)
          .containsAnyOf("state stores not ready", "live feed catching up");
    }
  }

  @Test
  void healthSaysDownWithTheStreamsState() throws Exception {
    HttpResponse<String> r = get("/health");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body())
        .contains("\"status\":\"DOWN\"")
        .contains("\"streams\":\"CREATED\"")
        .contains("\"feed\":\"CATCHING_UP\"");
  }

  @Test
  void aBadLimitIsA400WithAReadableJsonError() throws Exception {
    for (String q : new String[] {"abc", "0", "-3", "10001", "99999999999", "1.5", ""}) {
      assertThat(error(get("/api/consensus?limit=" + q), 400))
          .as(q)
          .isEqualTo("limit must be an integer 1..10000");
    }
    assertThat(TaskRoutes.limit(null)).isEqualTo(50);
    assertThat(TaskRoutes.limit("10000")).isEqualTo(10_000);
  }

  @Test
  void aModelIsNamedByItsIdOrByTheNameOfAKnownModel() throws Exception {
    // over HTTP, a known name gets past validation to the broker (unreachable here: 503)
    HttpResponse<String> named =
        post("/api/tasks?model=fashion-mnist", "image/png", new byte[] {1, 2, 3});
    assertThat(error(named, 503)).contains("broker");
    // an unknown name is a 400 that lists the known ones
    assertThat(error(post("/api/tasks?model=cifar", "image/png", new byte[] {1, 2, 3}), 400))
        .contains("unknown model 'cifar'")
        .contains("[fashion-mnist, mnist]");
  }

  @Test
  void anInputOverTheLimitIsRefusedWithOurMessageWhateverItsSizeOrFraming() throws Exception {
    String expected = "bytes > " + TaskIntake.MAX_INPUT_BYTES;
    // just over the limit, with Content-Length
    assertThat(
            error(post("/api/tasks", "image/png", new byte[TaskIntake.MAX_INPUT_BYTES + 1]), 413))
        .isEqualTo("input of " + (TaskIntake.MAX_INPUT_BYTES + 1) + " " + expected);
    // over Javalin's own 1,000,000-byte default, with Content-Length
    assertThat(error(post("/api/tasks", "image/png", new byte[1_200_000]), 413))
        .isEqualTo("input of 1200000 " + expected);
    // without Content-Length (chunked): counted as it is read
    HttpResponse<String> chunked =
        post(
            "/api/tasks",
            "image/png",
            HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(new byte[1_200_000])));
    assertThat(error(chunked, 413)).isEqualTo("input of 1200000 " + expected);
  }

  @Test
  void aKnownPathAskedWithAnotherMethodIsA405WithAllow() throws Exception {
    HttpResponse<String> get = get("/api/tasks");
    assertThat(error(get, 405)).contains("POST");
    assertThat(get.headers().firstValue("Allow")).contains("POST");
    HttpResponse<String> delete = send("DELETE", "/api/tasks/x");
    assertThat(error(delete, 405)).contains("GET");
    assertThat(delete.headers().firstValue("Allow")).contains("GET");
    // an unknown path is still a 404
    assertThat(error(get("/api/nothing-here"), 404)).isNotBlank();
  }

  @Test
  void badSubmissionsAre4xxWithAJsonError() throws Exception {
    // an empty body
    HttpResponse<String> empty = post("/api/tasks", "image/png", new byte[0]);
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(ApiJson.MAPPER.readTree(empty.body()).get("error").asText()).contains("empty input");
    // a model that is neither a model id nor a known name
    HttpResponse<String> model =
        post("/api/tasks?model=mnist-v9", "image/png", new byte[] {1, 2, 3});
    assertThat(error(model, 400)).contains("SHA-256");
    // JSON, a form or text instead of an image
    for (String type :
        new String[] {
          "application/json",
          "application/x-www-form-urlencoded",
          "text/plain",
          "text/html; charset=utf-8"
        }) {
      assertThat(error(post("/api/tasks", type, "{}".getBytes(StandardCharsets.UTF_8)), 415))
          .as(type)
          .contains("Content-Type");
    }
    // more than a task may carry
    HttpResponse<String> big =
        post(
            "/api/tasks?model=" + "a".repeat(64),
            "image/png",
            new byte[TaskIntake.MAX_INPUT_BYTES + 1]);
    assertThat(big.statusCode()).isEqualTo(413);
    // a multipart request without a file
    String boundary = "b0undary";
    byte[] form =
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--"
                + boundary
                + "--\r\n")
            .getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> noFile =
        post("/api/tasks", "multipart/form-data; boundary=" + boundary, form);
    assertThat(noFile.statusCode()).isEqualTo(400);
    assertThat(ApiJson.MAPPER.readTree(noFile.body()).get("error").asText())
        .contains("without a file");
  }

  @Test
  void aSubmissionNamesItsRedundancyAndThePublishedTaskCarriesIt() throws Exception {
    // given the API over a producer that acknowledges at once
    MockProducer<String, Task> producer =
        new MockProducer<>(
            true, null, new StringSerializer(), Topics.TASKS.valueSerde().serializer());
    TaskIntake acking = new TaskIntake(producer, Duration.ofSeconds(1));
    Javalin api =
        MetricsApi.create(new MetricsApi.Backend(views, feed, acking, events, metrics, null, KNOWN))
            .start(0);
    try {
      String tasks = "http://localhost:" + api.port() + "/api/tasks?model=mnist&redundancy=";

      // when an image is posted asking for 3 seats, for every peer, and for the default
      HttpResponse<String> three = post(URI.create(tasks + "3"), new byte[] {1, 2, 3});
      HttpResponse<String> all = post(URI.create(tasks + "all"), new byte[] {1, 2, 3});
      HttpResponse<String> byDefault =
          post(URI.create(tasks.replace("&redundancy=", "")), new byte[] {1, 2, 3});

      // then each is accepted, says what it asked for, and the task on the wire carries it
      assertThat(three.statusCode()).as(three.body()).isEqualTo(202);
      assertThat(ApiJson.MAPPER.readTree(three.body()).get("redundancy").asInt()).isEqualTo(3);
      assertThat(ApiJson.MAPPER.readTree(all.body()).get("redundancy").asText()).isEqualTo("all");
      assertThat(ApiJson.MAPPER.readTree(byDefault.body()).get("redundancy").isNull()).isTrue();
      List<ProducerRecord<String, Task>> sent = producer.history();
      assertThat(sent)
          .extracting(r -> r.value().redundancy())
          .containsExactly(3, Redundancy.ALL, null);
      assertThat(sent).allSatisfy(r -> assertThat(r.value().modelId()).isEqualTo(MNIST_ID));
      String wire =
          new String(
              Topics.TASKS.valueSerde().serializer().serialize("t", sent.get(1).value()),
              StandardCharsets.UTF_8);
      assertThat(wire).contains("\"redundancy\":\"all\"");
      assertThat(ApiJson.MAPPER.readTree(three.body()).get("taskId").asText())
          .isEqualTo(sent.get(0).key());

      // and a bad redundancy is a 400 that says why, with nothing published
      for (String bad : new String[] {"0", "-2", "many", "", "1001", "2.5"}) {
        assertThat(error(post(URI.create(tasks + bad), new byte[] {1, 2, 3}), 400))
            .as(bad)
            .isEqualTo(
                "redundancy must be a positive integer (at most "
                    + Redundancy.MAX
                    + ") or \"all\", got: "
                    + bad);
      }
      assertThat(producer.history()).hasSize(3);
    } finally {
      api.stop();
      acking.close();
    }
  }

  private HttpResponse<String> post(URI uri, byte[] body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri)
            .header("Content-Type", "image/png")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void nonFiniteNumbersAreWrittenAsNull() throws Exception {
    record Doc(double nan, Double inf, float negInf, double finite, List<Double> list) {}
    String json =
        ApiJson.MAPPER.writeValueAsString(
            new Doc(
                Double.NaN,
                Double.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY,
                0.5,
                Arrays.asList(Double.NaN, 1.0)));
    assertThat(json)
        .isEqualTo(
            "{\"nan\":null,\"inf\":null,\"negInf\":null,\"finite\":0.5,\"list\":[null,1.0]}");
    assertThat(ApiJson.MAPPER.writeValueAsString(Map.of("x", Double.NaN)))
        .isEqualTo("{\"x\":null}");
  }

  @Test
  void inputsAreServedAsRasterImagesOrAsBytesNeverAsPages() {
    assertThat(TaskRoutes.safeImageType("image/png")).isEqualTo("image/png");
    assertThat(TaskRoutes.safeImageType("Image/JPEG")).isEqualTo("image/jpeg");
    assertThat(TaskRoutes.safeImageType("image/svg+xml")).isEqualTo("application/octet-stream");
    assertThat(TaskRoutes.safeImageType("text/html")).isEqualTo("application/octet-stream");
    assertThat(TaskRoutes.safeImageType(null)).isEqualTo("application/octet-stream");
  }

  @Test
  void theOpenApiDescriptionListsEveryRoute() throws Exception {
    HttpResponse<String> r = get("/api/openapi.json");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode doc = ApiJson.MAPPER.readTree(r.body());
    assertThat(doc.get("openapi").asText()).startsWith("3.");
    // every route Javalin registered is described with its method, and nothing else is
    Set<String> registered = new TreeSet<>();
    MetricsApi.create(
        new MetricsApi.Backend(views, feed, intake, events, metrics, null, KNOWN),
        route -> {
          String method = route.getHttpMethod().name().toLowerCase(Locale.ROOT);
          if (!route.getHttpMethod().isHttpMethod() || route.getPath().equals("/")) {
            return; // before-handlers, and the dashboard's page
          }
          registered.add((method.equals("sse") ? "get" : method) + " " + route.getPath());
        });
    Set<String> described = new TreeSet<>();
    doc.get("paths")
        .fields()
        .forEachRemaining(
            path ->
                path.getValue()
                    .fieldNames()
                    .forEachRemaining(
                        method -> {
                          if (!method.equals("parameters")) {
                            described.add(method + " " + path.getKey());
                          }
                        }));
    assertThat(registered).as("routes Javalin registered").hasSizeGreaterThan(10);
    assertThat(described).isEqualTo(registered);
    assertThat(doc.at("/paths/~1api~1tasks/post/responses/202").isMissingNode()).isFalse();
    assertThat(doc.at("/paths/~1api~1tasks/post/parameters/0/description").asText())
        .contains("name of a model");
    List<String> submitParameters = new ArrayList<>();
    doc.at("/paths/~1api~1tasks/post/parameters")
        .forEach(p -> submitParameters.add(p.get("name").asText()));
    assertThat(submitParameters).containsExactly("model", "name", "redundancy");
    for (String field : new String[] {"committee", "escalation", "inferences"}) {
      assertThat(doc.at("/components/schemas/Consensus/properties/" + field).isMissingNode())
          .as(field)
          .isFalse();
    }
    List<String> verdicts = new ArrayList<>();
    doc.at("/components/schemas/Verdict/properties/verdict/enum")
        .forEach(v -> verdicts.add(v.asText()));
    assertThat(verdicts)
        .containsExactlyInAnyOrder(
            Arrays.stream(Verdict.values()).map(Enum::name).toArray(String[]::new));
    assertThat(
            doc.at("/components/schemas/Summary/properties/committees/properties/escalations")
                .isMissingNode())
        .isFalse();
    assertThat(doc.at("/paths/~1api~1events/get/responses/406").isMissingNode()).isFalse();
  }

  @Test
  void theEventStreamNeedsAcceptAndSaysWhenNotReady() throws Exception {
    // without Accept: text/event-stream, a 406 that says what to send
    assertThat(error(get("/api/events"), 406)).contains("Accept: text/event-stream");
    // with it, the stream opens and the summary event says the stores are not ready yet
    HttpResponse<InputStream> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + app.port() + "/api/events"))
                .header("Accept", "text/event-stream")
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    List<String> lines = StreamLines.follow(r.body());
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(String.join("\n", lines))
                    .contains("event: summary\ndata: {\"ready\":false}"));
    r.body().close();
  }

  @Test
  void prometheusTextPassesPromtool() throws Exception {
    HttpResponse<String> r = get("/prometheus");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
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
}
