package dev.minigradient.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minigradient.protocol.JsonSerde;
import dev.minigradient.protocol.testing.Promtool;
import dev.minigradient.protocol.testing.StreamLines;
import dev.minigradient.protocol.testing.TestKafka;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP interfaces and the dashboard on the whole network (its broker from {@link TestKafka}),
 * serving image models (MNIST, the default, and Fashion-MNIST) and tensor ones (wine by class,
 * diabetes by value): tasks submitted over HTTP, their inputs, peers with reputation history, dead
 * letters by reason, Server-Sent Events, Prometheus text checked by {@code promtool}, and the
 * dashboard in headless Chromium.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardIT {
  private static final Path SAMPLES = TestNetwork.MNIST.resolve("samples");
  private static final Path FASHION = TestNetwork.FASHION;
  private static final Path DASHBOARD = Path.of("..", "dashboard");

  @RegisterExtension
  static final TestNetwork.PerClass running =
      new TestNetwork.PerClass(TestNetwork.MNIST, FASHION, TestNetwork.WINE, TestNetwork.DIABETES);

  private static final HttpClient http = HttpClient.newHttpClient();

  @TempDir static Path tmp;

  @BeforeAll
  static void awaitApi() {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> send(get("/api/summary")).statusCode() == 200);
  }

  private static EmbeddedNetwork network() {
    return running.network();
  }

  private static HttpRequest get(String path) {
    return HttpRequest.newBuilder(running.uri(path)).build();
  }

  private static HttpResponse<String> send(HttpRequest r) throws Exception {
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  private static Path sample(int i) throws Exception {
    try (Stream<Path> s = Files.list(SAMPLES)) {
      return s.filter(p -> p.toString().endsWith(".png"))
          .sorted()
          .skip(i)
          .findFirst()
          .orElseThrow();
    }
  }

  private static String post(byte[] body, String contentType, String query) throws Exception {
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(running.uri("/api/tasks" + query))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    String taskId = JsonSerde.MAPPER.readTree(r.body()).get("taskId").asText();
    assertThat(r.headers().firstValue("Location")).contains("/api/tasks/" + taskId);
    return taskId;
  }

  private static JsonNode awaitConsensus(String taskId) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              HttpResponse<String> r = send(get("/api/tasks/" + taskId));
              return r.statusCode() == 200 ? JsonSerde.MAPPER.readTree(r.body()) : null;
            },
            c -> c != null);
  }

  @Test
  @Order(1)
  void anImagePostedOverHttpIsDecidedAndItsInputServedBack() throws Exception {
    // given a real digit
    Path digit = sample(0);
    byte[] bytes = Files.readAllBytes(digit);

    // when it is posted as the raw body
    String taskId = post(bytes, "image/png", "?name=" + digit.getFileName());

    // then its consensus is decided with the file's name, and its input is the same bytes
    JsonNode c = awaitConsensus(taskId);
    assertThat(c.get("status").asText()).isEqualTo("DECIDED");
    assertThat(c.get("name").asText()).isEqualTo(digit.getFileName().toString());
    assertThat(c.get("verdicts").size()).isEqualTo(3);
    HttpResponse<byte[]> input =
        http.send(get("/api/tasks/" + taskId + "/input"), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(input.statusCode()).isEqualTo(200);
    assertThat(input.headers().firstValue("Content-Type")).contains("image/png");
    assertThat(input.body()).isEqualTo(bytes);
    // and an unknown task is a 404 with a JSON error
    HttpResponse<String> unknown = send(get("/api/tasks/no-such-task"));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(JsonSerde.MAPPER.readTree(unknown.body()).get("error").asText())
        .contains("no-such-task");
    assertThat(send(get("/api/tasks/no-such-task/input")).statusCode()).isEqualTo(404);
  }

  @Test
  @Order(2)
  void aMultipartUploadIsDecidedUnderItsFileName() throws Exception {
    Path digit = sample(1);
    String boundary = "mg-" + System.nanoTime();
    byte[] head =
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\""
                + digit.getFileName()
                + "\"\r\nContent-Type: image/png\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8);
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
    byte[] file = Files.readAllBytes(digit);
    byte[] body = new byte[head.length + file.length + tail.length];
    System.arraycopy(head, 0, body, 0, head.length);
    System.arraycopy(file, 0, body, head.length, file.length);
    System.arraycopy(tail, 0, body, head.length + file.length, tail.length);

    String taskId = post(body, "multipart/form-data; boundary=" + boundary, "");

    JsonNode c = awaitConsensus(taskId);
    assertThat(c.get("status").asText()).isEqualTo("DECIDED");
    assertThat(c.get("name").asText()).isEqualTo(digit.getFileName().toString());
  }

  @Test
  @Order(2)
  void aModelNamedByNameDecidesTheTask() throws Exception {
    // given an ankle boot (label 9) that the Fashion-MNIST model classifies right
    Path boot = FASHION.resolve("samples").resolve("fashion-00242-label-9.png");

    // when it is posted to the model by its name, as GET /api/models lists it
    String taskId =
        post(Files.readAllBytes(boot), "image/png", "?model=fashion-mnist&name=boot.png");

    // then that model decided it
    JsonNode c = awaitConsensus(taskId);
    assertThat(c.get("status").asText()).isEqualTo("DECIDED");
    JsonNode fashion = model("fashion-mnist");
    assertThat(c.get("modelId").asText())
        .isEqualTo(fashion.get("modelId").asText())
        .isNotEqualTo(network().modelId());
    assertThat(c.get("label").asInt()).isEqualTo(9);
    // and an unknown name is a 400 that lists the known ones
    HttpResponse<String> unknown =
        send(
            HttpRequest.newBuilder(running.uri("/api/tasks?model=cifar"))
                .header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(boot)))
                .build());
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(JsonSerde.MAPPER.readTree(unknown.body()).get("error").asText())
        .contains("[diabetes, fashion-mnist, mnist, wine]");
  }

  /** A model as {@code GET /api/models} lists it, by name. */
  private static JsonNode model(String name) throws Exception {
    for (JsonNode m : running.json("/api/models")) {
      if (name.equals(m.path("name").asText())) {
        return m;
      }
    }
    throw new AssertionError("GET /api/models lists no " + name);
  }

  /** Posts a V2 inference request as the dashboard does: a multipart file part of JSON. */
  private static String postRequest(Path request, String model) throws Exception {
    String boundary = "mg-" + System.nanoTime();
    String body =
        "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"request\"; filename=\""
            + request.getFileName()
            + "\"\r\nContent-Type: application/json\r\n\r\n"
            + Files.readString(request)
            + "\r\n--"
            + boundary
            + "--\r\n";
    return post(
        body.getBytes(StandardCharsets.UTF_8),
        "multipart/form-data; boundary=" + boundary,
        "?model=" + model);
  }

  @Test
  @Order(2)
  void aV2RequestUploadedAsJsonIsDecidedByItsTensorModel() throws Exception {
    // given a wine sample and a diabetes one, and what their models answer (predictions.csv)
    Path wine = TestNetwork.WINE.resolve("samples").resolve("wine-007.json");
    Path diabetes = TestNetwork.DIABETES.resolve("samples").resolve("diabetes-009.json");

    // when each is uploaded to its model by name
    String wineTask = postRequest(wine, "wine");
    String diabetesTask = postRequest(diabetes, "diabetes");

    // then wine decides its class, diabetes its values, and each input is served back as bytes
    JsonNode w = awaitConsensus(wineTask);
    assertThat(w.get("status").asText()).isEqualTo("DECIDED");
    assertThat(w.get("name").asText()).isEqualTo("wine-007.json");
    assertThat(w.get("modelId").asText()).isEqualTo(model("wine").get("modelId").asText());
    assertThat(w.get("label").asInt()).isZero();
    assertThat(w.has("values")).isFalse();
    JsonNode d = awaitConsensus(diabetesTask);
    assertThat(d.get("status").asText()).isEqualTo("DECIDED");
    assertThat(d.get("values").get(1).asDouble()).isCloseTo(209.09045, within(0.01));
    assertThat(model("diabetes").get("elements").toString()).isEqualTo("[\"p10\",\"p50\",\"p90\"]");
    HttpResponse<byte[]> input =
        http.send(
            get("/api/tasks/" + wineTask + "/input"), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(input.statusCode()).isEqualTo(200);
    assertThat(input.headers().firstValue("Content-Type")).contains("application/octet-stream");
    assertThat(input.body()).isEqualTo(Files.readAllBytes(wine));
  }

  @Test
  @Order(3)
  void peersCarryTheirReputationAndItsHistory() throws Exception {
    running.awaitJson(
        "/api/peers",
        Duration.ofSeconds(20),
        peers -> {
          assertThat(peers.size()).isEqualTo(3);
          for (JsonNode p : peers) {
            assertThat(p.get("status").asText()).isEqualTo("active");
            assertThat(p.at("/reputation/agreed").asLong()).isGreaterThanOrEqualTo(2);
          }
        });
    JsonNode one = running.json("/api/peers/peer-1");
    assertThat(one.get("registry").get("models").get(0).asText()).isEqualTo(network().modelId());
    assertThat(one.get("history").size()).isGreaterThanOrEqualTo(1);
    JsonNode last = one.get("history").get(one.get("history").size() - 1);
    assertThat(last.get("peerId").asText()).isEqualTo("peer-1");
    assertThat(last.get("t").asLong()).isPositive();
    assertThat(last.get("score").isNumber()).isTrue();
    assertThat(send(get("/api/peers/nobody")).statusCode()).isEqualTo(404);
    JsonNode models = running.json("/api/models");
    assertThat(models)
        .extracting(m -> m.get("name").asText())
        .containsExactly("diabetes", "fashion-mnist", "mnist", "wine"); // sorted by name
    JsonNode fashion = model("fashion-mnist");
    assertThat(fashion.get("labels").get(9).asText()).isEqualTo("Ankle boot");
    assertThat(fashion.get("default").asBoolean()).isFalse();
    JsonNode mnist = model("mnist");
    assertThat(mnist.get("modelId").asText()).isEqualTo(network().modelId());
    assertThat(mnist.get("name").asText()).isEqualTo("mnist");
    assertThat(mnist.get("labels").size()).isEqualTo(10);
    assertThat(mnist.get("peers").size()).isEqualTo(3);
    assertThat(mnist.get("default").asBoolean()).isTrue();
  }

  @Test
  @Order(4)
  void aNonImageIsRejectedAndCountedUnderDeadLettersByReason() throws Exception {
    String taskId =
        post("not an image".getBytes(StandardCharsets.UTF_8), "image/png", "?name=bogus.png");
    assertThat(awaitConsensus(taskId).get("status").asText()).isEqualTo("REJECTED");
    running.awaitJson(
        "/api/dead-letters",
        Duration.ofSeconds(20),
        dead -> {
          assertThat(dead.at("/byReason/not-an-image").asLong()).isGreaterThanOrEqualTo(3);
          assertThat(dead.at("/bySource/inference.tasks").asLong()).isGreaterThanOrEqualTo(3);
          assertThat(dead.get("recent").get(0).get("key").asText()).isEqualTo(taskId);
        });
  }

  @Test
  @Order(4)
  void aSubmittedPageIsServedBackAsBytesNotAsAPage() throws Exception {
    // (text/* bodies are refused with 415; SVG is an image type that can carry a script)
    String svg =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(2)</script></svg>";
    String taskId = post(svg.getBytes(StandardCharsets.UTF_8), "image/svg+xml", "?name=page.svg");
    assertThat(awaitConsensus(taskId).get("status").asText()).isEqualTo("REJECTED");
    HttpResponse<String> input = send(get("/api/tasks/" + taskId + "/input"));
    assertThat(input.statusCode()).isEqualTo(200);
    assertThat(input.headers().firstValue("Content-Type")).contains("application/octet-stream");
    assertThat(input.headers().firstValue("Content-Security-Policy"))
        .contains("default-src 'none'; sandbox");
    assertThat(input.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
  }

  @Test
  @Order(5)
  void theEventStreamPushesEachNewDecision() throws Exception {
    // given an open event stream
    HttpResponse<InputStream> stream =
        http.send(
            HttpRequest.newBuilder(running.uri("/api/events"))
                .header("Accept", "text/event-stream")
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    List<String> lines = StreamLines.follow(stream.body());
    await().atMost(Duration.ofSeconds(10)).until(() -> lines.contains("event: summary"));

    // when a task is submitted
    String taskId = post(Files.readAllBytes(sample(2)), "image/png", "");

    // then a task event and a consensus event name it
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              String all = String.join("\n", lines);
              assertThat(all).containsPattern("event: task\ndata: \\[[^\n]*" + taskId);
              assertThat(all).containsPattern("event: consensus\ndata: \\[[^\n]*" + taskId);
            });
    stream.body().close();
  }

  @Test
  @Order(6)
  void prometheusTextHasTheNetworksMetricsAndPassesPromtool() throws Exception {
    // the gauges and counters follow the views, which the API refreshes periodically
    String[] scraped = new String[1];
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(scraped[0] = send(get("/prometheus")).body())
                    .contains("mg_peer_reputation{peer=\"peer-1\"}")
                    .containsPattern(
                        "mg_dead_letters_total\\{reason=\"not-an-image\"\\} ([3-9]|[1-9][0-9]+)\\."));
    String text = scraped[0];
    assertThat(text)
        .containsPattern("mg_decisions_total\\{status=\"DECIDED\"\\} [1-9]")
        .containsPattern("mg_verdicts_total\\{verdict=\"AGREED\"\\} [1-9]")
        .containsPattern(
            "mg_dead_letters_total\\{reason=\"not-an-image\"\\} ([3-9]|[1-9][0-9]+)\\.")
        .containsPattern("mg_peer_votes_total\\{peer=\"peer-2\",verdict=\"AGREED\"\\} [1-9]")
        .contains("mg_peer_stake{peer=\"peer-3\"}")
        .contains("mg_peer_active{peer=\"peer-1\"} 1")
        .containsPattern("mg_tasks_submitted_total [1-9]")
        .containsPattern("mg_decision_latency_seconds_count [1-9]")
        .containsPattern("mg_inferences_total [1-9]")
        .containsPattern("mg_committee_seats_count [1-9]")
        .contains("kafka_stream_alive_stream_threads"); // the views' own Kafka Streams metrics
    Promtool.assertValid(text, tmp);
  }

  @Test
  @Order(8)
  void aPeerThatLeavesIsListedAsLeftAndInactive() throws Exception {
    // when a peer shuts down cleanly (it announces that it leaves)
    network().peers().get(2).close();

    // then the API lists it as left, not active, and Prometheus says so
    running.awaitJson(
        "/api/peers/peer-3",
        Duration.ofSeconds(20),
        peer -> {
          assertThat(peer.get("status").asText()).isEqualTo("left");
          assertThat(peer.get("active").asBoolean()).isFalse();
          assertThat(running.json("/metrics").get("active_peers").toString())
              .doesNotContain("peer-3");
        });
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(send(get("/prometheus")).body())
                    .contains("mg_peer_active{peer=\"peer-3\"} 0"));
  }

  @Test
  @Order(7)
  void theDashboardShowsDigitsArrivingLiveInABrowser() throws Exception {
    // given the dashboard's browser test (Debian's chromium driven by playwright-core)
    Path script = DASHBOARD.resolve("e2e").resolve("dashboard.e2e.mjs");
    assertThat(script).exists();
    assertThat(DASHBOARD.resolve("node_modules").resolve("playwright-core"))
        .as("run the Maven build without -Ddashboard.skip: it runs npm ci in dashboard/")
        .exists();
    Path screenshot = Path.of("target", "dashboard.png").toAbsolutePath();
    Path log = Path.of("target", "dashboard-e2e.log").toAbsolutePath();

    // when it submits 12 digits and a non-image over HTTP, uploads an image, a wine request and a
    // diabetes one with the model picker, and watches the page
    Process node =
        new ProcessBuilder(
                "node",
                "e2e/dashboard.e2e.mjs",
                "--url",
                "http://localhost:" + network().httpPort(),
                "--samples",
                SAMPLES.toAbsolutePath().toString(),
                "--fashion-samples",
                FASHION.resolve("samples").toAbsolutePath().toString(),
                "--wine-samples",
                TestNetwork.WINE.resolve("samples").toAbsolutePath().toString(),
                "--diabetes-samples",
                TestNetwork.DIABETES.resolve("samples").toAbsolutePath().toString(),
                "--screenshot",
                screenshot.toString(),
                "--count",
                "12")
            .directory(DASHBOARD.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean done = node.waitFor(4, TimeUnit.MINUTES); // a bound for a hung browser, not a wait
    if (!done) {
      node.destroyForcibly();
    }
    String out = Files.readString(log);
    System.out.println(out);

    // then every check passed, with no console error, and the screenshot was taken
    assertThat(done).as("browser test still running after 4 minutes:\n" + out).isTrue();
    assertThat(node.exitValue()).as(out).isZero();
    assertThat(out).contains("no console error").doesNotContain("FAIL");
    assertThat(screenshot).exists();
    assertThat(Files.size(screenshot)).isGreaterThan(10_000);
  }
}
