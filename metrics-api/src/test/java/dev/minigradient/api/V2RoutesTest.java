package dev.minigradient.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.minigradient.protocol.Agreement;
import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.Datatype;
import dev.minigradient.protocol.InferenceRequest;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.TensorSpec;
import dev.minigradient.protocol.Topics;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Open Inference Protocol (KServe V2) routes on a real HTTP port: health, server and model
 * metadata of the registry's wine (tensors, by class), diabetes (tensors, by value) and mnist
 * (image) models, inference answered from decisions a test double of the network's state makes, and
 * every bad request refused with its reason and nothing published.
 */
class V2RoutesTest {
  private static final Path MODELS = Path.of("..", "models");
  static final String WINE_ID = "a".repeat(64);
  static final String DIABETES_ID = "b".repeat(64);
  static final String MNIST_ID = "c".repeat(64);
  static final String BIG_ID = "d".repeat(64);

  @TempDir Path stateDir;

  private NetworkViews views;
  private LiveFeed feed;
  private MockProducer<String, Task> producer;
  private TaskIntake intake;
  private ApiMetrics metrics;
  private LiveEvents events;
  private FakeState state;
  private Javalin app;
  private final HttpClient http = HttpClient.newHttpClient();

  /** The network's state as a test makes it: readiness, decisions, served models. */
  static final class FakeState implements NetworkState {
    volatile boolean ready = true;
    final Map<String, Consensus> decisions = new ConcurrentHashMap<>();
    final Map<String, List<String>> served = new ConcurrentHashMap<>();
    final List<Consumer<Consensus>> listeners = new CopyOnWriteArrayList<>();

    @Override
    public boolean ready() {
      return ready;
    }

    @Override
    public Consensus decision(String taskId) {
      return decisions.get(taskId);
    }

    @Override
    public void onDecision(Consumer<Consensus> listener) {
      listeners.add(listener);
    }

    @Override
    public Map<String, List<String>> served() {
      return Map.copyOf(served);
    }

    /** Records a decision and tells the listeners, as the feed tells of a new one. */
    void decide(Consensus c) {
      decisions.put(c.taskId(), c);
      listeners.forEach(l -> l.accept(c));
    }
  }

  static Map<String, MetricsApi.KnownModel> known() {
    // a tensor model whose one input, written as a task, is more than a task carries
    ModelSpec big =
        new ModelSpec(
            "big",
            Path.of("big.onnx"),
            ModelSpec.TENSORS,
            List.of(),
            List.of(TensorSpec.of("x", Datatype.FP32, -1, 100_000)),
            List.of(TensorSpec.of("y", Datatype.FP32, -1, 2)),
            Agreement.byClass("y"),
            List.of());
    return Map.of(
        WINE_ID, MetricsApi.KnownModel.of(ModelSpec.load(MODELS.resolve("wine"))),
        DIABETES_ID, MetricsApi.KnownModel.of(ModelSpec.load(MODELS.resolve("diabetes"))),
        MNIST_ID, MetricsApi.KnownModel.of(ModelSpec.load(MODELS.resolve("mnist"))),
        BIG_ID, MetricsApi.KnownModel.of(big));
  }

  @BeforeEach
  void startApi() {
    KafkaSettings nowhere = new KafkaSettings("127.0.0.1:9", Map.of());
    views = new NetworkViews(nowhere, "api-v2-test", stateDir);
    feed = new LiveFeed(nowhere, LiveFeed.Limits.DEFAULT);
    producer =
        new MockProducer<>(
            true, null, new StringSerializer(), Topics.TASKS.valueSerde().serializer());
    intake = new TaskIntake(producer, Duration.ofSeconds(1));
    metrics = new ApiMetrics(views.streams(), feed);
    events =
        new LiveEvents(
            feed, () -> NetworkStats.compute(views, feed, System.currentTimeMillis()).summary());
    state = new FakeState();
    app =
        MetricsApi.create(
                new MetricsApi.Backend(views, feed, intake, events, metrics, null, known(), state))
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

  private URI uri(Javalin api, String path) {
    return URI.create("http://localhost:" + api.port() + path);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(app, path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private CompletableFuture<HttpResponse<String>> inferAsync(String path, byte[] body) {
    return http.sendAsync(
        HttpRequest.newBuilder(uri(app, path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> infer(String path, String body) throws Exception {
    return inferAsync(path, body.getBytes(StandardCharsets.UTF_8)).get();
  }

  private static JsonNode json(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    return ApiJson.MAPPER.readTree(r.body());
  }

  private static String error(HttpResponse<String> r, int status) throws Exception {
    return json(r, status).get("error").asText();
  }

  /** The task the API published, once it has. */
  private ProducerRecord<String, Task> published() {
    await().atMost(Duration.ofSeconds(10)).until(() -> !producer.history().isEmpty());
    assertThat(producer.history()).hasSize(1);
    return producer.history().get(0);
  }

  private static Consensus decided(Task task, Integer label, List<Double> values) {
    return Consensus.builder()
        .taskId(task.taskId())
        .modelId(task.modelId())
        .status(ConsensusStatus.DECIDED)
        .label(label)
        .values(values)
        .confidence(0.9)
        .agreeingWeight(2.5)
        .totalWeight(3.0)
        .committee(List.of("p1", "p2", "p3"))
        .escalation("disagreement")
        .latencyMs(42)
        .build();
  }

  private static String sample(String model, String file) throws Exception {
    return Files.readString(MODELS.resolve(model).resolve("samples").resolve(file));
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.isTextual() ? n.asText() : n.toString()));
    return out;
  }

  @Test
  void theServerSaysItsNameAndVersionAndThatItLives() throws Exception {
    JsonNode server = json(get("/v2"), 200);
    assertThat(server.get("name").asText()).isEqualTo("mini-gradient");
    assertThat(server.get("version").asText()).isEqualTo("0.1.0");
    assertThat(server.get("extensions").isArray()).isTrue();
    assertThat(server.get("extensions")).isEmpty();
    assertThat(json(get("/v2/health/live"), 200).get("live").asBoolean()).isTrue();
  }

  @Test
  void readinessFollowsTheStateAndTheModelsActivePeersServe() throws Exception {
    // given a network not ready yet
    state.ready = false;
    HttpResponse<String> notReady = get("/v2/health/ready");
    assertThat(json(notReady, 503).get("ready").asBoolean()).isFalse();
    assertThat(notReady.headers().firstValue("Retry-After")).contains("1");

    // when it is ready, with wine served by one active peer and diabetes by none
    state.ready = true;
    state.served.put(WINE_ID, List.of("p1"));

    // then the server is ready, wine is (by name or id), diabetes is not, cifar is unknown
    assertThat(json(get("/v2/health/ready"), 200).get("ready").asBoolean()).isTrue();
    JsonNode wine = json(get("/v2/models/wine/ready"), 200);
    assertThat(wine.get("name").asText()).isEqualTo("wine");
    assertThat(wine.get("ready").asBoolean()).isTrue();
    assertThat(json(get("/v2/models/" + WINE_ID + "/ready"), 200).get("ready").asBoolean())
        .isTrue();
    assertThat(json(get("/v2/models/wine/versions/" + WINE_ID + "/ready"), 200).get("ready"))
        .isNotNull();
    assertThat(json(get("/v2/models/diabetes/ready"), 503).get("ready").asBoolean()).isFalse();
    assertThat(error(get("/v2/models/cifar/ready"), 404)).contains("unknown model 'cifar'");
  }

  @Test
  void overTheRealViewsReadinessIsFalseUntilTheyRun() throws Exception {
    // the views are not started here: the API is not ready, and served models are unknown yet
    Javalin real =
        MetricsApi.create(
                new MetricsApi.Backend(views, feed, intake, events, metrics, null, known()))
            .start(0);
    try {
      HttpResponse<String> ready =
          http.send(
              HttpRequest.newBuilder(uri(real, "/v2/health/ready")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(json(ready, 503).get("ready").asBoolean()).isFalse();
      HttpResponse<String> model =
          http.send(
              HttpRequest.newBuilder(uri(real, "/v2/models/wine/ready")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(error(model, 503)).contains("state stores not ready");
      HttpResponse<String> inference =
          http.send(
              HttpRequest.newBuilder(uri(real, "/v2/models/wine/infer"))
                  .POST(HttpRequest.BodyPublishers.ofString(sample("wine", "wine-007.json")))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(error(inference, 503)).contains("not ready");
      assertThat(inference.headers().firstValue("Retry-After")).contains("1");
      assertThat(producer.history()).isEmpty();
    } finally {
      real.stop();
    }
  }

  @Test
  void aTensorModelsMetadataIsItsInputsAndTheDecisionItAnswers() throws Exception {
    // by name and by model id alike
    for (String name : new String[] {"wine", WINE_ID, "wine/versions/" + WINE_ID}) {
      JsonNode wine = json(get("/v2/models/" + name), 200);
      assertThat(wine.get("name").asText()).isEqualTo("wine");
      assertThat(texts(wine.get("versions"))).containsExactly(WINE_ID);
      assertThat(wine.get("platform").asText()).isEqualTo("onnxruntime_onnx");
      assertThat(wine.get("inputs").toString())
          .isEqualTo("[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[-1,13]}]");
      assertThat(wine.get("outputs").toString())
          .isEqualTo(
              "[{\"name\":\"label\",\"datatype\":\"INT64\",\"shape\":[1]},"
                  + "{\"name\":\"class\",\"datatype\":\"BYTES\",\"shape\":[1]}]");
    }
    // a value model answers its agreed output, as FP64, one item
    JsonNode diabetes = json(get("/v2/models/diabetes"), 200);
    assertThat(diabetes.get("inputs").toString())
        .isEqualTo("[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[-1,10]}]");
    assertThat(diabetes.get("outputs").toString())
        .isEqualTo("[{\"name\":\"quantiles\",\"datatype\":\"FP64\",\"shape\":[1,3]}]");
    // a version other than the model id is unknown
    assertThat(error(get("/v2/models/wine/versions/1"), 404))
        .contains("model wine has one version, its model id " + WINE_ID);
  }

  @Test
  void anImageModelTakesOneBase64ImageAndAnswersItsClass() throws Exception {
    JsonNode mnist = json(get("/v2/models/mnist"), 200);
    assertThat(mnist.get("versions").get(0).asText()).isEqualTo(MNIST_ID);
    assertThat(mnist.get("inputs").toString())
        .isEqualTo("[{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[1]}]");
    assertThat(mnist.get("outputs").findValuesAsText("name")).containsExactly("label", "class");

    // when a digit is inferred
    byte[] png = Files.readAllBytes(MODELS.resolve("mnist/samples/mnist-00023-label-0.png"));
    String request =
        "{\"id\":\"digit-1\",\"inputs\":[{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[1],"
            + "\"data\":[\""
            + Base64.getEncoder().encodeToString(png)
            + "\"]}]}";
    CompletableFuture<HttpResponse<String>> answer =
        inferAsync("/v2/models/mnist/infer", request.getBytes(StandardCharsets.UTF_8));

    // then the task carries the image's bytes, named by the request id
    Task task = published().value();
    assertThat(task.modelId()).isEqualTo(MNIST_ID);
    assertThat(task.input()).isEqualTo(png);
    assertThat(task.contentType()).isEqualTo("image/png");
    assertThat(task.name()).isEqualTo("digit-1");

    // and the decision answers the label and its class name
    state.decide(decided(task, 0, List.of()));
    JsonNode out = json(answer.get(), 200);
    assertThat(out.get("id").asText()).isEqualTo("digit-1");
    assertThat(out.get("outputs").toString())
        .isEqualTo(
            "[{\"name\":\"label\",\"datatype\":\"INT64\",\"shape\":[1],\"data\":[0]},"
                + "{\"name\":\"class\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"0\"]}]");
  }

  @Test
  void aClassDecisionAnswersTheV2ResponseWithTheNetworksParameters() throws Exception {
    // when a wine sample is inferred with an id and a redundancy of 3
    String sample = sample("wine", "wine-131.json");
    JsonNode request = ApiJson.MAPPER.readTree(sample);
    ((ObjectNode) request).put("id", "req-7").putObject("parameters").put("redundancy", 3);
    CompletableFuture<HttpResponse<String>> answer =
        inferAsync("/v2/models/wine/infer", ApiJson.MAPPER.writeValueAsBytes(request));

    // then the task carries the request's tensors as a V2 request, for 3 seats
    Task task = published().value();
    assertThat(task.modelId()).isEqualTo(WINE_ID);
    assertThat(task.contentType()).isEqualTo(InferenceRequest.MEDIA_TYPE);
    assertThat(task.redundancy()).isEqualTo(3);
    assertThat(task.input())
        .isEqualTo(
            InferenceRequest.write(
                InferenceRequest.readInputs(sample.getBytes(StandardCharsets.UTF_8))));
    assertThat(answer).isNotDone();

    // and once the network decides class 2, the answer is the V2 response
    state.decide(decided(task, 2, List.of()));
    JsonNode out = json(answer.get(), 200);
    assertThat(out.get("model_name").asText()).isEqualTo("wine");
    assertThat(out.get("model_version").asText()).isEqualTo(WINE_ID);
    assertThat(out.get("id").asText()).isEqualTo("req-7");
    JsonNode p = out.get("parameters");
    assertThat(p.get("task_id").asText()).isEqualTo(task.taskId());
    assertThat(p.get("consensus_status").asText()).isEqualTo("DECIDED");
    assertThat(p.get("agreeing_weight").asDouble()).isEqualTo(2.5);
    assertThat(p.get("total_weight").asDouble()).isEqualTo(3.0);
    assertThat(p.get("support").asDouble()).isEqualTo(2.5 / 3.0);
    assertThat(p.get("confidence").asDouble()).isEqualTo(0.9);
    assertThat(texts(p.get("committee"))).containsExactly("p1", "p2", "p3");
    assertThat(p.get("escalation").asText()).isEqualTo("disagreement");
    assertThat(p.get("latency_ms").asLong()).isEqualTo(42);
    assertThat(out.get("outputs").toString())
        .isEqualTo(
            "[{\"name\":\"label\",\"datatype\":\"INT64\",\"shape\":[1],\"data\":[2]},"
                + "{\"name\":\"class\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"class_2\"]}]");
  }

  @Test
  void aValueDecisionAnswersTheAgreedValues() throws Exception {
    CompletableFuture<HttpResponse<String>> answer =
        inferAsync(
            "/v2/models/" + DIABETES_ID + "/infer",
            sample("diabetes", "diabetes-009.json").getBytes(StandardCharsets.UTF_8));
    Task task = published().value();
    assertThat(task.modelId()).isEqualTo(DIABETES_ID);
    assertThat(task.redundancy()).isNull();

    state.decide(decided(task, 0, List.of(95.5, 140.25, 201.0)));

    JsonNode out = json(answer.get(), 200);
    assertThat(out.get("model_name").asText()).isEqualTo("diabetes");
    // no request id: the task id stands for it
    assertThat(out.get("id").asText()).isEqualTo(task.taskId());
    assertThat(out.get("outputs").toString())
        .isEqualTo(
            "[{\"name\":\"quantiles\",\"datatype\":\"FP64\",\"shape\":[1,3],"
                + "\"data\":[95.5,140.25,201.0]}]");
  }

  @Test
  void aDecisionTheNewsMissedIsFoundByLookingItUp() throws Exception {
    CompletableFuture<HttpResponse<String>> answer =
        inferAsync(
            "/v2/models/wine/infer",
            sample("wine", "wine-007.json").getBytes(StandardCharsets.UTF_8));
    Task task = published().value();

    // recorded without news, as when the decision came before the request began to wait
    state.decisions.put(task.taskId(), decided(task, 0, List.of()));

    JsonNode out = json(answer.get(), 200);
    assertThat(out.get("outputs").get(1).get("data").get(0).asText()).isEqualTo("class_0");
  }

  @Test
  void noDecisionWithinTheTimeoutIsA202ThatSaysWhereToPoll() throws Exception {
    // by the query's seconds
    HttpResponse<String> r =
        infer("/v2/models/wine/infer?timeout=0.2", sample("wine", "wine-007.json"));
    String taskId = published().key();
    JsonNode out = json(r, 202);
    assertThat(r.headers().firstValue("Location")).contains("/api/tasks/" + taskId);
    assertThat(out.get("consensus").asText()).isEqualTo("/api/tasks/" + taskId);
    assertThat(out.get("parameters").get("task_id").asText()).isEqualTo(taskId);
    assertThat(out.get("id").asText()).isEqualTo(taskId);
    assertThat(out.get("message").asText()).contains("not decided within 200 ms");

    // by the request's timeout_ms, which wins over the query
    JsonNode request = ApiJson.MAPPER.readTree(sample("wine", "wine-007.json"));
    ((ObjectNode) request).putObject("parameters").put("timeout_ms", 0);
    long start = System.nanoTime();
    HttpResponse<String> quick =
        infer("/v2/models/wine/infer?timeout=60", ApiJson.MAPPER.writeValueAsString(request));
    assertThat(json(quick, 202).get("message").asText()).contains("not decided within 0 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    assertThat(producer.history()).hasSize(2);
  }

  @Test
  void theLongestWaitIsNotCutByJettysIdleTimeout() {
    // a wait of 40 s answers its 202 (checked once by hand); here, the setting that allows it
    HttpConnectionFactory factory =
        app.jettyServer()
            .server()
            .getConnectors()[0]
            .getConnectionFactory(HttpConnectionFactory.class);
    assertThat(Duration.ofMillis(factory.getHttpConfiguration().getIdleTimeout()))
        .isGreaterThan(V2Routes.MAX_TIMEOUT);
  }

  @Test
  void aDecisionOtherThanDecidedIsA422WithTheStatus() throws Exception {
    CompletableFuture<HttpResponse<String>> answer =
        inferAsync(
            "/v2/models/wine/infer",
            sample("wine", "wine-007.json").getBytes(StandardCharsets.UTF_8));
    Task task = published().value();
    state.decide(
        decided(task, null, List.of()).toBuilder()
            .status(ConsensusStatus.REJECTED)
            .rejection("not a tensor request")
            .escalation(null)
            .build());

    JsonNode out = json(answer.get(), 422);
    assertThat(out.get("error").asText())
        .isEqualTo(
            "task "
                + task.taskId()
                + " was not decided: REJECTED, the peers rejected the input (not a tensor request)");
    assertThat(out.get("parameters").get("consensus_status").asText()).isEqualTo("REJECTED");
    assertThat(out.get("parameters").has("escalation")).isFalse();
    assertThat(out.has("outputs")).isFalse();
  }

  @Test
  void badTensorsAre400WithTheReasonAndNothingIsPublished() throws Exception {
    String f13 = "[1,2,3,4,5,6,7,8,9,10,11,12,13]";
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("not json", "not JSON");
    cases.put("", "an inference request is a JSON object with an \"inputs\" array");
    cases.put("[]", "an inference request is a JSON object with an \"inputs\" array");
    cases.put("{\"inputs\":{}}", "an inference request needs an \"inputs\" array");
    cases.put("{\"inputs\":[]}", "an inference request needs at least one input");
    cases.put(
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,13],\"data\":"
            + f13
            + "}]}",
        "the model has no input x (its inputs: [features])");
    cases.put(
        "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"INT64\",\"shape\":[1,13],\"data\":"
            + f13
            + "}]}",
        "input features must be FP32, is INT64");
    cases.put(
        "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,12],\"data\":"
            + "[1,2,3,4,5,6,7,8,9,10,11,12]}]}",
        "input features must have shape [-1, 13], has [1, 12]");
    cases.put(
        "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[2,13],\"data\":["
            + f13
            + ","
            + f13
            + "]}]}",
        "input features: a task is one item, so its first dimension must be 1");
    cases.put(
        "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,13],\"data\":"
            + "[1,2,3]}]}",
        "input features has 3 elements, its shape [1,13] needs 13");
    cases.put(
        "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP16\",\"shape\":[1,13],\"data\":"
            + f13
            + "}]}",
        "unknown datatype 'FP16'");
    cases.put(
        "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,13],\"data\":"
            + "[\"a\",2,3,4,5,6,7,8,9,10,11,12,13]}]}",
        "input features (FP32): \"a\" is not a number");
    String ok =
        "\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,13],\"data\":"
            + f13
            + "}]";
    cases.put("{\"id\":5," + ok + "}", "\"id\" must be a string of at most 200 characters");
    cases.put("{\"parameters\":[1]," + ok + "}", "\"parameters\" must be an object");
    cases.put(
        "{\"parameters\":{\"redundancy\":0}," + ok + "}",
        "redundancy must be a positive integer (at most 1000) or \"all\", got: 0");
    cases.put(
        "{\"parameters\":{\"redundancy\":[3]}," + ok + "}",
        "parameters.redundancy must be a positive integer or \"all\", got: [3]");
    cases.put(
        "{\"parameters\":{\"timeout_ms\":-1}," + ok + "}",
        "parameters.timeout_ms must be an integer 0..120000 (milliseconds), got: -1");
    cases.put(
        "{\"parameters\":{\"timeout_ms\":1.5}," + ok + "}",
        "parameters.timeout_ms must be an integer 0..120000 (milliseconds), got: 1.5");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      assertThat(error(infer("/v2/models/wine/infer", c.getKey()), 400))
          .as(c.getKey())
          .startsWith(c.getValue());
    }
    for (String t : new String[] {"abc", "-1", "121", "NaN"}) {
      assertThat(error(infer("/v2/models/wine/infer?timeout=" + t, "{" + ok + "}"), 400))
          .as(t)
          .isEqualTo("timeout must be a number of seconds 0..120, got: " + t);
    }
    // an image model takes one base64 image
    Map<String, String> images = new LinkedHashMap<>();
    images.put("{" + ok + "}", "the model has no input features (its inputs: [image])");
    images.put(
        "{\"inputs\":[{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"%%%\"]}]}",
        "input image must hold the image file in base64");
    images.put(
        "{\"inputs\":[{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"\"]}]}",
        "input image holds an empty image");
    images.put(
        "{\"inputs\":[{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[2],\"data\":[\"AA==\",\"AA==\"]}]}",
        "input image must have shape [1], has [2]");
    for (Map.Entry<String, String> c : images.entrySet()) {
      assertThat(error(infer("/v2/models/mnist/infer", c.getKey()), 400))
          .as(c.getKey())
          .startsWith(c.getValue());
    }
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void moreThanATaskCarriesIsA413AndAnUnknownModelA404() throws Exception {
    // tensors whose JSON is over 720 KiB
    String big =
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,100000],\"data\":["
            + String.join(",", Collections.nCopies(100_000, "0.12345678"))
            + "]}]}";
    assertThat(error(infer("/v2/models/big/infer", big), 413))
        .startsWith("the inputs take ")
        .endsWith(" bytes as a task's JSON > 737280, more than a task carries");
    // an image over 720 KiB
    String image =
        "{\"inputs\":[{\"name\":\"image\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\""
            + Base64.getEncoder().encodeToString(new byte[800_000])
            + "\"]}]}";
    assertThat(error(infer("/v2/models/mnist/infer", image), 413))
        .isEqualTo("image of 800000 bytes > 737280");
    // a request body over 2 MiB
    HttpResponse<String> huge =
        inferAsync("/v2/models/wine/infer", new byte[V2Routes.MAX_REQUEST_BYTES + 1]).get();
    assertThat(error(huge, 413))
        .isEqualTo("request of " + (V2Routes.MAX_REQUEST_BYTES + 1) + " bytes > 2097152");
    // a model the API does not know
    for (String path :
        new String[] {"/v2/models/cifar/infer", "/v2/models/" + "e".repeat(64) + "/infer"}) {
      assertThat(error(infer(path, sample("wine", "wine-007.json")), 404))
          .as(path)
          .contains("unknown model")
          .contains("[big, diabetes, mnist, wine]");
    }
    assertThat(error(get("/v2/models/cifar"), 404)).startsWith("unknown model 'cifar'");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void aDecidedValueFillsTheDescribedShape() {
    TensorSpec three = TensorSpec.of("q", Datatype.FP64, 1, 3);
    assertThat(V2Routes.valueShape(three, 3)).containsExactly(1L, 3L);
    assertThat(V2Routes.valueShape(three, 4)).containsExactly(1L, 4L);
    assertThat(V2Routes.valueShape(TensorSpec.of("q", Datatype.FP64, 1, -1), 5))
        .containsExactly(1L, 5L);
    assertThat(V2Routes.valueShape(TensorSpec.of("q", Datatype.FP64, 1, 2, -1), 6))
        .containsExactly(1L, 2L, 3L);
    assertThat(V2Routes.valueShape(TensorSpec.of("q", Datatype.FP64, 1, 2, -1), 5))
        .containsExactly(1L, 5L);
    assertThat(V2Routes.imageType(new byte[] {(byte) 0x89, 'P', 'N', 'G'})).isEqualTo("image/png");
    assertThat(V2Routes.imageType(new byte[] {1, 2, 3})).isNull();
  }

  @Test
  void theOpenApiDescriptionDescribesTheV2Routes() throws Exception {
    JsonNode doc = json(get("/api/openapi.json"), 200);
    JsonNode infer = doc.at("/paths/~1v2~1models~1{name}~1infer/post/responses");
    List<String> codes = new ArrayList<>();
    infer.fieldNames().forEachRemaining(codes::add);
    assertThat(codes).contains("200", "202", "400", "404", "413", "422", "503");
    assertThat(doc.at("/components/schemas/V2InferenceResponse/properties/outputs").isMissingNode())
        .isFalse();
  }

  /** {@code POST /api/tasks?model=...} of one file part, as the dashboard uploads it. */
  private HttpResponse<String> upload(String model, String file, String json) throws Exception {
    String boundary = "t3nsors";
    byte[] form =
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                + file
                + "\"\r\nContent-Type: application/json\r\n\r\n"
                + json
                + "\r\n--"
                + boundary
                + "--\r\n")
            .getBytes(StandardCharsets.UTF_8);
    return http.send(
        HttpRequest.newBuilder(uri(app, "/api/tasks?model=" + model))
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(HttpRequest.BodyPublishers.ofByteArray(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anUploadToATensorModelIsCheckedAgainstItsInputsBeforeItIsPublished() throws Exception {
    String row =
        "{\"inputs\": [{\"name\": \"features\", \"datatype\": \"FP32\", \"shape\": [1, %d],"
            + " \"data\": [%s]}]}";
    String twelve = String.join(",", Collections.nCopies(12, "1.5"));
    assertThat(error(upload("wine", "short.json", String.format(row, 12, twelve)), 400))
        .isEqualTo(
            "model wine takes an inference request it can run: input features must have shape"
                + " [-1, 13], has [1, 12]");
    assertThat(error(upload("wine", "broken.json", "{\"inputs\": 1"), 400))
        .startsWith("model wine takes an inference request it can run: not JSON");
    assertThat(producer.history()).as("nothing published").isEmpty();

    String thirteen = String.join(",", Collections.nCopies(13, "1.5"));
    assertThat(upload("wine", "ok.json", String.format(row, 13, thirteen)).statusCode())
        .isEqualTo(202);
    assertThat(published().value().contentType()).isEqualTo("application/json");
  }
}
