package dev.minigradient.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.Hashes;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.ModelIds;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.TopicAdmin;
import dev.minigradient.protocol.Topics;
import dev.minigradient.protocol.testing.TestKafka;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's console-producer block, run as written: its shell lines make the JSON line, and
 * Kafka's own {@code ConsoleProducer} (in a forked JVM, with the README's options) sends it to a
 * broker ({@link TestKafka}: a container when Docker answers, else an in-JVM KRaft broker); the
 * record must read back as the very {@link Task} the task producer would have sent.
 */
class ConsoleProducerIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final String MARKER = "<!-- console-producer -->";

  @TempDir static Path tmp;
  private static TestKafka broker;
  private static KafkaClusterTestKit cluster;
  private static String bootstrap;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = TestKafka.start();
    if (broker.bootstrapServers() != null) {
      bootstrap = broker.bootstrapServers();
      return;
    }
    cluster =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(tmp.resolve("kafka"))
                    .build())
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("auto.create.topics.enable", "false")
            .setDeleteOnClose(false)
            .build();
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(OutputStream.nullOutputStream())); // the formatter chats on stdout
    try {
      cluster.format();
    } finally {
      System.setOut(stdout);
    }
    cluster.startup();
    cluster.waitForReadyBrokers();
    bootstrap = cluster.bootstrapServers();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  /** The README's block: its lines between the marker's fence and the closing fence. */
  private static List<String> readmeBlock() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    int at = readme.indexOf(MARKER);
    assertThat(at).as("README marker " + MARKER).isNotNegative();
    String rest = readme.substring(readme.indexOf("```bash\n", at) + "```bash\n".length());
    return Arrays.asList(rest.substring(0, rest.indexOf("```")).strip().split("\n"));
  }

  private static String run(List<String> command, Path dir, String stdin) throws Exception {
    Path in = Files.writeString(tmp.resolve("stdin-" + System.nanoTime()), stdin);
    Path out = tmp.resolve("out-" + System.nanoTime());
    Process p = new ProcessBuilder(command).directory(dir.toFile())
        .redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectErrorStream(false)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    boolean done = p.waitFor(2, TimeUnit.MINUTES); // a bound for a hung tool, not a wait
    if (!done) {
      p.destroyForcibly();
    }
    String text = Files.readString(out);
    assertThat(done).as(command + " still running after 2 minutes").isTrue();
    assertThat(p.exitValue()).as(command + "\n" + text).isZero();
    return text;
  }

  @Test
  void theReadmesJsonLineSentByKafkasConsoleProducerIsATask() throws Exception {
    // given the README's block: shell lines that print the line, then the console producer
    List<String> block = readmeBlock();
    String producerLine = block.get(block.size() - 1).strip();
    String shell = String.join("\n", block.subList(0, block.size() - 1)).replaceAll("\\|\\s*$", "");
    assertThat(producerLine).startsWith("kafka-console-producer.sh ");
    String line = run(List.of("bash", "-c", shell), ROOT, "");
    assertThat(line.lines().count()).isEqualTo(1);
    KafkaSettings kafka = KafkaSettings.of(bootstrap, Map.of());
    TopicAdmin.ensureTopics(kafka, 1, Optional.empty(), Duration.ofSeconds(30));

    // when Kafka's ConsoleProducer sends it with the README's options (our broker's address)
    List<String> args = new ArrayList<>(Arrays.asList(producerLine.split("\\s+")));
    args.remove(0);
    args.set(args.indexOf("--bootstrap-server") + 1, bootstrap);
    List<String> java = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "org.apache.kafka.tools.ConsoleProducer"));
    java.addAll(args);
    run(java, tmp, line);

    // then the record reads back as a task of the MNIST model, keyed by its id, with the image's bytes
    ConsumerRecord<String, Task> r = readOne(kafka);
    Task t = r.value();
    byte[] image = Files.readAllBytes(ROOT.resolve("models/mnist/samples/mnist-00023-label-0.png"));
    assertThat(r.key()).isEqualTo(t.taskId());
    assertThat(t.schemaVersion()).isEqualTo(Task.SCHEMA_VERSION);
    assertThat(t.modelId()).isEqualTo(ModelIds.of(ROOT.resolve("models/mnist/model.onnx")));
    assertThat(t.input()).isEqualTo(image);
    assertThat(t.inputSha256()).isEqualTo(Hashes.sha256Hex(image));
    assertThat(t.contentType()).isEqualTo("image/png");
    assertThat(t.name()).isEqualTo("mnist-00023-label-0.png");
    assertThat(t.requester()).isEqualTo("console");
    assertThat(t.submittedAt()).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(120_000L));
  }

  private static ConsumerRecord<String, Task> readOne(KafkaSettings kafka) {
    try (KafkaConsumer<String, Task> c = new KafkaConsumer<>(
        kafka.properties(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")),
        new StringDeserializer(), Topics.TASKS.valueSerde().deserializer())) {
      TopicPartition tp = new TopicPartition(Topics.TASKS.name(), 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      List<ConsumerRecord<String, Task>> out = new ArrayList<>();
      long deadline = System.currentTimeMillis() + 30_000;
      while (out.isEmpty() && System.currentTimeMillis() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      assertThat(out).hasSize(1);
      return out.get(0);
    }
  }
}
