package dev.minigradient.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minigradient.model.InferenceEngine;
import dev.minigradient.model.OnnxInferenceEngine;
import dev.minigradient.model.ServedModel;
import dev.minigradient.model.preprocess.MnistPreprocessor;
import dev.minigradient.producer.Input;
import dev.minigradient.protocol.DeadLetters;
import dev.minigradient.protocol.JsonSerde;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Topic;
import dev.minigradient.protocol.TopicAdmin;
import dev.minigradient.protocol.Topics;
import dev.minigradient.protocol.testing.TestKafka;
import dev.minigradient.worker.PeerWorker;
import dev.minigradient.worker.WorkerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole network on one broker (a Testcontainers {@code apache/kafka} when Docker answers, else
 * in-JVM: {@link TestKafka}): CLI in, consensus and /metrics out.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkIT {
  private static final Path MODEL = TestNetwork.MNIST.resolve("model.onnx");
  private static final Path SAMPLES = TestNetwork.MNIST.resolve("samples");
  private static final Path FASHION = TestNetwork.FASHION;
  private static final int TASKS = 60;

  @RegisterExtension static final TestNetwork.PerClass running = new TestNetwork.PerClass();

  @TempDir static Path tmp;

  private static EmbeddedNetwork network() {
    return running.network();
  }

  private static List<Path> samples(int n) throws Exception {
    return samples(SAMPLES, n);
  }

  /** The first {@code n} PNG images of a samples folder, by name. */
  private static List<Path> samples(Path dir, int n) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".png")).sorted().limit(n).toList();
    }
  }

  /** Runs {@code task-producer} on the network's broker: the options, then the files. */
  private static CliRun submit(List<Path> files, String... options) {
    List<String> args =
        new ArrayList<>(
            List.of("task-producer", "--bootstrap-servers", network().kafka().bootstrapServers()));
    args.addAll(List.of(options));
    files.forEach(f -> args.add(f.toString()));
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  @Order(1)
  void theCliGetsOneConsensusPerDigitWithTheModelsOwnAccuracy() throws Exception {
    // given 60 real held-out digits and what the model alone says about them
    List<Path> files = samples(TASKS);
    assertThat(files).hasSize(TASKS);
    Map<String, Integer> modelSays = new HashMap<>();
    int modelCorrect = 0;
    MnistPreprocessor pre = new MnistPreprocessor();
    try (InferenceEngine engine = OnnxInferenceEngine.open(MODEL)) {
      for (Path f : files) {
        int label =
            InferenceEngine.argmax(engine.probabilities(pre.preprocess(Files.readAllBytes(f))));
        modelSays.put(f.toString(), label);
        modelCorrect += label == Input.labelOf(f.getFileName().toString()) ? 1 : 0;
      }
    }
    Path report = tmp.resolve("report.json");

    // when they are submitted through the CLI
    CliRun run =
        submit(files, "--model", MODEL.toString(), "--json", "--report", report.toString());

    // then every input is decided, with the label the model gives it
    assertThat(run.exitCode()).as(run.err()).isZero();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : run.out().strip().split("\n")) {
      lines.add(JsonSerde.MAPPER.readTree(line));
    }
    assertThat(lines).hasSize(TASKS);
    int correct = 0;
    for (JsonNode l : lines) {
      assertThat(l.get("status").asText()).isEqualTo("DECIDED");
      assertThat(l.get("label").asInt())
          .as(l.toString())
          .isEqualTo(modelSays.get(l.get("file").asText()));
      // a quorum: more than 2/3 of the weight (all three peers, or two whose weight has grown
      // past a third's, when the decision is made before the third vote is read)
      assertThat(l.get("support").asDouble()).isGreaterThan(2.0 / 3).isLessThanOrEqualTo(1.0);
      correct += l.get("label").asInt() == l.get("true_label").asInt() ? 1 : 0;
    }
    assertThat(correct).isEqualTo(modelCorrect);
    JsonNode summary = JsonSerde.MAPPER.readTree(report.toFile());
    assertThat(summary.get("tasks").asInt()).isEqualTo(TASKS);
    assertThat(summary.get("decided").asInt()).isEqualTo(TASKS);
    assertThat(summary.get("correct").asInt()).isEqualTo(modelCorrect);
    assertThat(summary.get("accuracy").asDouble()).isEqualTo((double) modelCorrect / TASKS);

    // and the consensus topic holds exactly one record per task
    Map<String, Integer> perTask = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : readAll(Topics.CONSENSUS.name())) {
      perTask.merge(r.key(), 1, Integer::sum);
    }
    for (JsonNode l : lines) {
      assertThat(perTask.get(l.get("task_id").asText())).as(l.toString()).isEqualTo(1);
    }
  }

  @Test
  @Order(2)
  void metricsKeepsThePrototypesShape() throws Exception {
    JsonNode m =
        running.awaitJson(
            "/metrics",
            Duration.ofSeconds(20),
            metrics -> {
              assertThat(metrics.get("tasks_completed").asInt()).isEqualTo(TASKS);
              assertThat(metrics.get("consensus_history").size()).isEqualTo(TASKS);
              assertThat(metrics.get("reputation").size()).isEqualTo(3);
            });
    List<String> fields = new ArrayList<>();
    m.fieldNames().forEachRemaining(fields::add);
    assertThat(fields)
        .containsExactly("tasks_completed", "consensus_history", "reputation", "active_peers");
    assertThat(m.get("consensus_history").get(0).isInt()).isTrue();
    m.get("reputation")
        .forEach(score -> assertThat(score.asDouble()).isGreaterThan(0.5).isLessThanOrEqualTo(1.0));
    List<String> active = new ArrayList<>();
    m.get("active_peers").forEach(p -> active.add(p.asText()));
    assertThat(active).containsExactly("peer-1", "peer-2", "peer-3");
    assertThat(running.json("/health").get("status").asText()).isEqualTo("UP");
    JsonNode latest = running.json("/api/consensus");
    assertThat(latest.size()).isEqualTo(50);
    String newest = latest.get(0).get("taskId").asText();
    assertThat(running.json("/api/tasks/" + newest).get("status").asText()).isEqualTo("DECIDED");
    assertThat(running.json("/api/consensus?limit=3").size()).isEqualTo(3);
  }

  @Test
  @Order(3)
  void aFileThatIsNotAnImageIsRejectedWithItsReasonAndDeadLettered() throws Exception {
    // given a text file with an image's name
    Path bogus = tmp.resolve("not-really.png");
    Files.writeString(bogus, "this is not a PNG");

    // when it is submitted
    CliRun run = submit(List.of(bogus), "--model", MODEL.toString(), "--json");

    // then the network rejects it quickly with the reason, and the CLI exits non-zero
    assertThat(run.exitCode()).isEqualTo(1);
    JsonNode line = JsonSerde.MAPPER.readTree(run.out().strip());
    assertThat(line.get("status").asText()).isEqualTo("REJECTED");
    assertThat(line.get("error").asText()).contains("not-an-image");
    // and every peer put the task on the dead-letter topic with its reason
    String taskId = line.get("task_id").asText();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              List<String> reasons = new ArrayList<>();
              for (ConsumerRecord<String, byte[]> r : readAll(Topics.DEAD_LETTERS.name())) {
                if (taskId.equals(r.key())) {
                  reasons.add(DeadLetters.header(r.headers(), DeadLetters.REASON));
                }
              }
              assertThat(reasons).containsExactly("not-an-image", "not-an-image", "not-an-image");
            });
  }

  @Test
  @Order(4)
  void aMissingFileIsAOneLineErrorAndANonZeroExit() {
    CliRun run = submit(List.of(tmp.resolve("nope.png")), "--model", MODEL.toString(), "--json");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains("no such file");
  }

  @Test
  @Order(3)
  void theSameNetworkServesASecondModel() throws Exception {
    // given Fashion-MNIST samples and what the model alone says about them
    List<Path> files = samples(FASHION.resolve("samples"), 10);
    Map<String, Integer> modelSays = new HashMap<>();
    var served = ServedModel.open(ModelSpec.load(FASHION), 40_000_000L);
    try {
      for (Path f : files) {
        modelSays.put(
            f.toString(),
            InferenceEngine.argmax(
                served
                    .engine()
                    .probabilities(served.preprocessing().apply(Files.readAllBytes(f)))));
      }
    } finally {
      served.engine().close();
    }
    // when they are submitted for the fashion model
    CliRun run = submit(files, "--model", FASHION.toString(), "--json");
    // then each is decided with the fashion model's own answer
    assertThat(run.exitCode()).as(run.err()).isZero();
    for (String line : run.out().strip().split("\n")) {
      JsonNode l = JsonSerde.MAPPER.readTree(line);
      assertThat(l.get("status").asText()).isEqualTo("DECIDED");
      assertThat(l.get("label").asInt()).isEqualTo(modelSays.get(l.get("file").asText()));
    }
  }

  @Test
  @Order(4)
  void aTaskForAModelNoPeerServesIsAnsweredUnsupportedAtOnce() throws Exception {
    CliRun run = submit(samples(1), "--model-id", "0".repeat(64), "--json");
    assertThat(run.exitCode()).isEqualTo(1);
    JsonNode line = JsonSerde.MAPPER.readTree(run.out().strip());
    assertThat(line.get("status").asText()).isEqualTo("UNSUPPORTED_MODEL");
    assertThat(line.get("latency_ms").asLong()).isLessThan(5_000);
    assertThat(line.get("error").asText()).contains("no active peer serves");
  }

  @Test
  @Order(5)
  void aPeerStartedSeparatelyJoinsThroughTheRegistryAndEarnsAgreement() throws Exception {
    // given topics ensured the way a standalone peer does it, and a fourth peer of its own
    TopicAdmin.ensureTopics(network().kafka(), 3, Optional.empty(), Duration.ofSeconds(15));
    try (InferenceEngine engine = OnnxInferenceEngine.open(MODEL);
        PeerWorker extra =
            new PeerWorker(WorkerConfig.defaults("extra", network().kafka()), engine)) {
      extra.start();
      await().atMost(Duration.ofSeconds(20)).until(extra::isAssigned);
      running.awaitJson(
          "/metrics",
          Duration.ofSeconds(20),
          m -> assertThat(m.get("active_peers").toString()).contains("\"extra\""));

      // when digits are submitted
      CliRun run =
          submit(samples(10), "--model", MODEL.toString(), "--json", "--redundancy", "all");

      // then all are decided, and the new peer's votes count as agreement, never as misses (the
      // tasks ask every peer: a newcomer is drawn onto committees only once a roster lists it)
      assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                var rep = network().reputation("extra");
                assertThat(rep).isNotNull();
                assertThat(rep.agreed()).isEqualTo(10);
                assertThat(rep.missed()).isZero();
              });
    }
  }

  @Test
  @Order(4)
  void malformedRecordsOnEveryInputTopicAreDeadLetteredAndNothingStops() throws Exception {
    // given records that are not what their topic holds: not JSON, the wrong shape, missing
    // fields, absurd timestamps, an input over the size limit, a vote for a task that never comes
    long now = System.currentTimeMillis();
    String model = network().modelId();
    String okInput = Base64.getEncoder().encodeToString(new byte[] {1, 2, 3});
    String sha = "0".repeat(64);
    Map<String, String> tasks = new LinkedHashMap<>();
    tasks.put("bad-task-not-json", "not json");
    tasks.put("bad-task-array", "[1,2,3]");
    tasks.put("bad-task-missing", "{\"taskId\":\"x\"}");
    tasks.put("bad-task-negative-time", task("bad-task-negative-time", model, okInput, sha, -5));
    tasks.put(
        "bad-task-future-time",
        task("bad-task-future-time", model, okInput, sha, now + 10L * 24 * 3600 * 1000));
    tasks.put(
        "bad-task-too-large",
        task(
            "bad-task-too-large",
            model,
            Base64.getEncoder().encodeToString(new byte[Task.MAX_INPUT_BYTES + 10_000]),
            sha,
            now));
    Map<String, String> votes = new LinkedHashMap<>();
    votes.put("bad-vote-not-json", "not json");
    votes.put("bad-vote-shape", "{\"label\":3}");
    votes.put("bad-vote-negative-time", vote("bad-vote-negative-time", -1));
    votes.put("bad-vote-unknown-task", vote("bad-vote-unknown-task", now));
    Map<String, Object> props = new HashMap<>();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            network().kafka().properties(props),
            new StringSerializer(),
            new ByteArraySerializer())) {
      for (var e : tasks.entrySet()) {
        send(producer, Topics.TASKS.name(), e.getKey(), e.getValue());
      }
      for (var e : votes.entrySet()) {
        send(producer, Topics.VOTES.name(), e.getKey(), e.getValue());
      }
      // the compacted control topics, read as global tables or by every peer, and the ledger's log
      for (String topic :
          List.of(
              Topics.PEERS.name(),
              Topics.NETWORK_KEYS.name(),
              Topics.REPUTATION.name(),
              Topics.SETTLEMENTS.name())) {
        send(producer, topic, "bad-" + topic, "[1,2,3]");
      }
    }
    // then each lands on the dead-letter topic with its source topic, offset and error (the vote
    // for an unknown task once its deadline has passed), its reason and the component that
    // refused it
    await()
        .atMost(Duration.ofSeconds(40))
        .untilAsserted(
            () -> {
              Map<String, List<String>> sources = new HashMap<>();
              Map<String, List<String>> labels = new HashMap<>();
              for (ConsumerRecord<String, byte[]> r : readAll(Topics.DEAD_LETTERS.name())) {
                if (r.key() != null && r.key().startsWith("bad-")) {
                  assertThat(DeadLetters.header(r.headers(), DeadLetters.OFFSET))
                      .as(r.key())
                      .matches("\\d+");
                  sources
                      .computeIfAbsent(r.key(), k -> new ArrayList<>())
                      .add(
                          DeadLetters.header(r.headers(), DeadLetters.TOPIC)
                              + " "
                              + DeadLetters.header(r.headers(), DeadLetters.MESSAGE)
                              + " "
                              + DeadLetters.header(r.headers(), DeadLetters.REASON));
                  labels
                      .computeIfAbsent(r.key(), k -> new ArrayList<>())
                      .add(
                          DeadLetters.header(r.headers(), DeadLetters.REASON)
                              + " "
                              + DeadLetters.header(r.headers(), DeadLetters.COMPONENT));
                }
              }
              // the consensus app and every peer refuse each malformed task, with one reason
              for (String key : tasks.keySet()) {
                assertThat(sources.get(key))
                    .as(key)
                    .hasSizeGreaterThanOrEqualTo(4)
                    .allSatisfy(deadLetterFrom(Topics.TASKS, "not a valid Task"))
                    .allSatisfy(d -> assertThat(d).endsWith(" malformed-task"));
                assertThat(labels.get(key))
                    .as(key)
                    .contains("malformed-task consensus-streams")
                    .anySatisfy(l -> assertThat(l).startsWith("malformed-task inference-worker/"));
              }
              assertThat(sources.get("bad-task-negative-time"))
                  .allSatisfy(d -> assertThat(d).contains("submittedAt -5"));
              assertThat(sources.get("bad-task-too-large"))
                  .allSatisfy(d -> assertThat(d).contains("must be 1.." + Task.MAX_INPUT_BYTES));
              for (String key :
                  List.of("bad-vote-not-json", "bad-vote-shape", "bad-vote-negative-time")) {
                assertThat(sources.get(key))
                    .as(key)
                    .anySatisfy(deadLetterFrom(Topics.VOTES, "not a valid Vote"));
                assertThat(labels.get(key)).as(key).contains("malformed-vote consensus-streams");
              }
              assertThat(sources.get("bad-vote-unknown-task"))
                  .as("bad-vote-unknown-task")
                  .anySatisfy(
                      d -> assertThat(d).startsWith(Topics.VOTES.name()).endsWith("unknown-task"));
              assertThat(sources.get("bad-" + Topics.SETTLEMENTS.name()))
                  .as("settlement")
                  .anySatisfy(deadLetterFrom(Topics.SETTLEMENTS, "not a valid Settlement"));
              assertThat(labels.get("bad-" + Topics.SETTLEMENTS.name()))
                  .as("settlement")
                  .contains("malformed-settlement consensus-streams");
              // a malformed registry record or ledger entry, which the global tables skip, is
              // dead-lettered once, by the consensus app
              assertThat(sources.get("bad-" + Topics.PEERS.name()))
                  .as("registry")
                  .singleElement()
                  .satisfies(deadLetterFrom(Topics.PEERS, "not a valid Peer"));
              assertThat(labels.get("bad-" + Topics.PEERS.name()))
                  .containsExactly("malformed-peer consensus-streams");
              assertThat(sources.get("bad-" + Topics.REPUTATION.name()))
                  .as("ledger")
                  .singleElement()
                  .satisfies(deadLetterFrom(Topics.REPUTATION, "not a valid Reputation"));
              assertThat(labels.get("bad-" + Topics.REPUTATION.name()))
                  .containsExactly("malformed-reputation consensus-streams");
              // every peer refuses a malformed key and keeps sealing to the key it has
              assertThat(sources.get("bad-" + Topics.NETWORK_KEYS.name()))
                  .as("key")
                  .hasSizeGreaterThanOrEqualTo(3)
                  .allSatisfy(
                      d ->
                          assertThat(d)
                              .startsWith(Topics.NETWORK_KEYS.name())
                              .endsWith("malformed-key"));
            });
    // nothing stops
    assertThat(running.json("/health").get("status").asText()).isEqualTo("UP");
    assertThat(running.json("/metrics").get("active_peers").size()).isGreaterThanOrEqualTo(3);
    // and the API labels every dead letter by the reason and component its writer gave
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              var dead = running.json("/api/dead-letters");
              assertThat(dead.get("byReason").fieldNames())
                  .toIterable()
                  .contains(
                      "unknown-task",
                      "malformed-task",
                      "malformed-vote",
                      "malformed-settlement",
                      "malformed-peer",
                      "malformed-reputation",
                      "malformed-key")
                  .doesNotContain("SerializationException", "unknown");
              assertThat(dead.get("byComponent").fieldNames())
                  .toIterable()
                  .contains("consensus-streams")
                  .doesNotContain("unknown", "kafka-streams");
            });
    CliRun run = submit(samples(1), "--model", MODEL.toString(), "--json");
    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
  }

  private static void send(
      KafkaProducer<String, byte[]> producer, String topic, String key, String value)
      throws Exception {
    producer.send(new ProducerRecord<>(topic, key, value.getBytes(StandardCharsets.UTF_8))).get();
  }

  /**
   * Checks a dead letter's {@code "topic message reason"} line: from {@code topic}, saying {@code
   * text}.
   */
  private static Consumer<String> deadLetterFrom(Topic<?> topic, String text) {
    return d -> assertThat(d).startsWith(topic.name()).contains(text);
  }

  private static String task(
      String id, String model, String inputBase64, String sha, long submittedAt) {
    return "{\"schemaVersion\":1,\"taskId\":\""
        + id
        + "\",\"modelId\":\""
        + model
        + "\",\"input\":\""
        + inputBase64
        + "\",\"contentType\":\"image/png\",\"inputSha256\":\""
        + sha
        + "\",\"submittedAt\":"
        + submittedAt
        + ",\"requester\":\"test\",\"name\":\""
        + id
        + "\"}";
  }

  private static String vote(String taskId, long votedAt) {
    return "{\"schemaVersion\":1,\"taskId\":\""
        + taskId
        + "\",\"peerId\":\"peer-1\",\"modelId\":\""
        + "a".repeat(64)
        + "\",\"inputSha256\":\""
        + "b".repeat(64)
        + "\",\"label\":3,\"probabilities\":[],\"inferenceMs\":1,\"votedAt\":"
        + votedAt
        + ",\"signature\":\"AAAA\"}";
  }

  private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    return TestNetwork.readAll(network().kafka(), topic);
  }
}
