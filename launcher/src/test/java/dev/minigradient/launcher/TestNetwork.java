package dev.minigradient.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minigradient.consensus.ConsensusConfig;
import dev.minigradient.protocol.JsonSerde;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.testing.TestKafka;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.assertj.core.api.ThrowingConsumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole network the integration tests run on its own {@link TestKafka} broker: three honest
 * peers serving MNIST and Fashion-MNIST (or the models a test names, the first the default), the
 * API on a free port, three partitions, a 10 s decision deadline, commits every 100 ms, the default
 * processing guarantee.
 *
 * @param broker the broker
 * @param network the network on it
 */
record TestNetwork(TestKafka broker, EmbeddedNetwork network) implements AutoCloseable {
  /** The MNIST model's folder. */
  static final Path MNIST = Path.of("..", "models", "mnist");

  /** The Fashion-MNIST model's folder. */
  static final Path FASHION = Path.of("..", "models", "fashion-mnist");

  /** The wine model's folder: a tabular classifier, its inputs V2 inference requests. */
  static final Path WINE = Path.of("..", "models", "wine");

  /** The diabetes model's folder: a quantile regression, decided by value. */
  static final Path DIABETES = Path.of("..", "models", "diabetes");

  /**
   * Starts a broker and the network on it, serving MNIST and Fashion-MNIST, and waits until the
   * network is ready.
   *
   * @return the running network
   * @throws IOException if the network's state folder cannot be created
   * @throws IllegalStateException if the network is not ready within 90 s
   */
  static TestNetwork start() throws IOException {
    return start(List.of(MNIST, FASHION));
  }

  /**
   * Starts a broker and the network on it, serving the given models, and waits until the network is
   * ready.
   *
   * @param models the models' folders, the first the API's default
   * @return the running network
   * @throws IOException if the network's state folder cannot be created
   * @throws IllegalStateException if the network is not ready within 90 s
   */
  static TestNetwork start(List<Path> models) throws IOException {
    List<ModelSpec> specs = new ArrayList<>();
    for (Path m : models) {
      specs.add(ModelSpec.load(m));
    }
    TestKafka broker = TestKafka.start();
    try {
      EmbeddedNetwork network =
          EmbeddedNetwork.start(
              EmbeddedNetwork.Options.honest(
                  broker.bootstrapServers(),
                  3,
                  specs,
                  0,
                  3,
                  10_000,
                  100,
                  ConsensusConfig.DEFAULT_EXACTLY_ONCE),
              Duration.ofSeconds(90));
      return new TestNetwork(broker, network);
    } catch (IOException | RuntimeException e) {
      broker.close();
      throw e;
    }
  }

  /**
   * Every record on a topic of a broker, read committed, from its start to the end offsets it has
   * now (at most 10 s).
   *
   * @param kafka the broker
   * @param topic the topic
   * @return the records, partition by partition
   */
  static List<ConsumerRecord<String, byte[]>> readAll(KafkaSettings kafka, String topic) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(
            kafka.properties(props), new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          c.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
      long deadline = System.currentTimeMillis() + 10_000;
      while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))
          && System.currentTimeMillis() < deadline) {
        c.poll(Duration.ofMillis(100)).forEach(out::add);
      }
      return out;
    }
  }

  /** Stops the network, then the broker. */
  @Override
  public void close() {
    network.close();
    broker.close();
  }

  /**
   * The network of one test class: registered as a static {@code @RegisterExtension} field, it
   * starts before the class's {@code @BeforeAll} methods and stops after its {@code @AfterAll}
   * ones.
   */
  static final class PerClass implements BeforeAllCallback, AfterAllCallback {
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Path> models;
    private TestNetwork running;

    /** A network serving MNIST and Fashion-MNIST. */
    PerClass() {
      this(MNIST, FASHION);
    }

    /**
     * A network serving the given models.
     *
     * @param models the models' folders, the first the API's default
     */
    PerClass(Path... models) {
      this.models = List.of(models);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
      running = start(models);
    }

    @Override
    public void afterAll(ExtensionContext context) {
      if (running != null) {
        running.close();
        running = null;
      }
    }

    /**
     * The running network.
     *
     * @return the network
     */
    EmbeddedNetwork network() {
      return running.network();
    }

    /**
     * The address of a path on the network's API.
     *
     * @param path the path and query, e.g. {@code /api/summary}
     * @return {@code http://localhost:<port><path>}
     */
    URI uri(String path) {
      return URI.create("http://localhost:" + network().httpPort() + path);
    }

    /**
     * GETs a path on the network's API, which must answer 200, and reads its JSON.
     *
     * @param path the path and query
     * @return the body
     * @throws IOException if the request fails or the body is not JSON
     * @throws InterruptedException if interrupted while waiting for the answer
     */
    JsonNode json(String path) throws IOException, InterruptedException {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path + " -> " + r.body()).isEqualTo(200);
      return JsonSerde.MAPPER.readTree(r.body());
    }

    /**
     * Polls a path on the network's API until its JSON passes {@code check}.
     *
     * @param path the path and query
     * @param patience the longest to wait
     * @param check the assertions the JSON must pass
     * @return the JSON that passed
     * @throws org.awaitility.core.ConditionTimeoutException if none passed in time
     */
    JsonNode awaitJson(String path, Duration patience, ThrowingConsumer<JsonNode> check) {
      AtomicReference<JsonNode> passed = new AtomicReference<>();
      await()
          .atMost(patience)
          .untilAsserted(
              () -> {
                JsonNode node = json(path);
                check.acceptThrows(node);
                passed.set(node);
              });
      return passed.get();
    }
  }
}
