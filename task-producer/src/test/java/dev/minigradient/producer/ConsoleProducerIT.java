package dev.minigradient.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.minigradient.consensus.ConsensusConfig;
import dev.minigradient.consensus.ConsensusService;
import dev.minigradient.protocol.DeadLetters;
import dev.minigradient.protocol.Hashes;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.ModelIds;
import dev.minigradient.protocol.Redundancy;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.streams.KafkaStreams;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console-producer block of docs/api.md, run as written: its shell lines make the JSON line,
 * and Kafka's own {@code ConsoleProducer} (in a forked JVM, with the block's options) sends it to a
 * broker ({@link TestKafka}: a container when Docker answers, else an in-JVM KRaft broker); the
 * record must read back as the very {@link Task} the task producer would have sent. The same line
 * with a {@code redundancy} field carries it, and with a malformed one the consensus app sends it
 * to the dead-letter topic with the reason.
 */
class ConsoleProducerIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final String PAGE = "docs/api.md";
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
    System.setOut(
        new PrintStream(OutputStream.nullOutputStream())); // the formatter chats on stdout
    try {
      cluster.format();
    } finally {
      System.setOut(stdout);
    }
    cluster.startup();
    cluster.waitForReadyBrokers();
    bootstrap = cluster.bootstrapServers();
  }

  private static KafkaSettings kafka() {
    KafkaSettings kafka = KafkaSettings.of(bootstrap, Map.of());
    TopicAdmin.ensureTopics(kafka, 1, Optional.empty(), Duration.ofSeconds(30));
    return kafka;
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

  /** The page's block: its lines between the marker's fence and the closing fence. */
  private static List<String> docsBlock() throws Exception {
    String page = Files.readString(ROOT.resolve(PAGE));
    int at = page.indexOf(MARKER);
    assertThat(at).as(PAGE + " marker " + MARKER).isNotNegative();
    String rest = page.substring(page.indexOf("```bash\n", at) + "```bash\n".length());
    return Arrays.asList(rest.substring(0, rest.indexOf("```")).strip().split("\n"));
  }

  private static String run(List<String> command, Path dir, String stdin) throws Exception {
    Path in = Files.writeString(tmp.resolve("stdin-" + System.nanoTime()), stdin);
    Path out = tmp.resolve("out-" + System.nanoTime());
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectInput(in.toFile())
            .redirectOutput(out.toFile())
            .redirectErrorStream(false)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    boolean done = p.waitFor(2, TimeUnit.MINUTES); // a bound for a hung tool, not a wait
    if (!done) {
      p.destroyForcibly();
    }
    String text = Files.readString(out);
    assertThat(done).as(command + " still running after 2 minutes").isTrue();
    assertThat(p.exitValue()).as(command + "\n" + text).isZero();
    return text;
  }

  /**
   * The line the block's shell lines print: {@code ID<tab>{...task JSON...}}, a new id each time.
   */
  private static String docsLine() throws Exception {
    List<String> block = docsBlock();
    String shell = String.join("\n", block.subList(0, block.size() - 1)).replaceAll("\\|\\s*$", "");
    String line = run(List.of("bash", "-c", shell), ROOT, "");
    assertThat(line.lines().count()).isEqualTo(1);
    return line.strip();
  }

  /**
   * The block's line with one more field, e.g. {@code "redundancy":3}, before its closing brace.
   */
  private static String docsLineWith(String field) throws Exception {
    String line = docsLine();
    assertThat(line).endsWith("}");
    return line.substring(0, line.length() - 1) + "," + field + "}";
  }

  /** The key of a line: the task id before the tab. */
  private static String key(String line) {
    return line.substring(0, line.indexOf('\t'));
  }

  /**
   * Sends lines with Kafka's ConsoleProducer, run with the block's options (our broker's address).
   */
  private static void consoleProduce(String... lines) throws Exception {
    List<String> block = docsBlock();
    String producerLine = block.get(block.size() - 1).strip();
    assertThat(producerLine).startsWith("kafka-console-producer.sh ");
    List<String> args = new ArrayList<>(Arrays.asList(producerLine.split("\\s+")));
    args.remove(0);
    args.set(args.indexOf("--bootstrap-server") + 1, bootstrap);
    List<String> java =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "org.apache.kafka.tools.ConsoleProducer"));
    java.addAll(args);
    run(java, tmp, String.join("\n", lines) + "\n");
  }

  @Test
  void theReadmesJsonLineSentByKafkasConsoleProducerIsATask() throws Exception {
    // given the page's block: shell lines that print the line, then the console producer
    String line = docsLine();
    KafkaSettings kafka = kafka();

    // when Kafka's ConsoleProducer sends it with the block's options (our broker's address)
    consoleProduce(line);

    // then the record reads back as a task of the MNIST model, keyed by its id, with the image's
    // bytes
    ConsumerRecord<String, byte[]> r =
        read(kafka, Topics.TASKS.name(), List.of(key(line))).get(key(line));
    Task t = task(r);
    byte[] image = Files.readAllBytes(ROOT.resolve("models/mnist/samples/mnist-00023-label-0.png"));
    assertThat(r.key()).isEqualTo(t.taskId());
    assertThat(t.schemaVersion()).isEqualTo(Task.SCHEMA_VERSION);
    assertThat(t.modelId()).isEqualTo(ModelIds.of(ROOT.resolve("models/mnist/model.onnx")));
    assertThat(t.input()).isEqualTo(image);
    assertThat(t.inputSha256()).isEqualTo(Hashes.sha256Hex(image));
    assertThat(t.contentType()).isEqualTo("image/png");
    assertThat(t.name()).isEqualTo("mnist-00023-label-0.png");
    assertThat(t.requester()).isEqualTo("console");
    assertThat(t.submittedAt()).isCloseTo(System.currentTimeMillis(), Offset.offset(120_000L));
    assertThat(t.redundancy()).as("no redundancy: the network's default").isNull();
  }

  @Test
  void aRedundancyInTheJsonLineIsTheTasksRedundancy() throws Exception {
    // given the block's line asking for 3 seats, and one asking for every peer
    String three = docsLineWith("\"redundancy\":3");
    String all = docsLineWith("\"redundancy\":\"all\"");
    KafkaSettings kafka = kafka();

    // when Kafka's ConsoleProducer sends them
    consoleProduce(three, all);

    // then they read back as tasks that ask for 3 seats and for every peer
    Map<String, ConsumerRecord<String, byte[]>> tasks =
        read(kafka, Topics.TASKS.name(), List.of(key(three), key(all)));
    assertThat(task(tasks.get(key(three))).redundancy()).isEqualTo(3);
    assertThat(task(tasks.get(key(all))).redundancy()).isEqualTo(Redundancy.ALL);
  }

  @Test
  void aMalformedRedundancyLandsOnTheDeadLetterTopicWithItsReason() throws Exception {
    // given the consensus app running, and the block's line with a negative redundancy and a word
    KafkaSettings kafka = kafka();
    String negative = docsLineWith("\"redundancy\":-2");
    String word = docsLineWith("\"redundancy\":\"many\"");
    try (ConsensusService consensus =
        new ConsensusService(ConsensusConfig.defaults(kafka, tmp.resolve("consensus")))) {
      consensus.start();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> consensus.state() == KafkaStreams.State.RUNNING);

      // when Kafka's ConsoleProducer sends them
      consoleProduce(negative, word);

      // then the consensus app dead-letters each, as sent, with the source topic and the reason
      Map<String, ConsumerRecord<String, byte[]>> dead =
          read(kafka, Topics.DEAD_LETTERS.name(), List.of(key(negative), key(word)));
      for (String line : List.of(negative, word)) {
        ConsumerRecord<String, byte[]> d = dead.get(key(line));
        String got = line.contains("many") ? "many" : "-2";
        assertThat(new String(d.value(), StandardCharsets.UTF_8))
            .isEqualTo(line.substring(line.indexOf('\t') + 1));
        assertThat(DeadLetters.header(d.headers(), DeadLetters.TOPIC))
            .isEqualTo(Topics.TASKS.name());
        assertThat(DeadLetters.header(d.headers(), DeadLetters.EXCEPTION)).isNotBlank();
        assertThat(DeadLetters.header(d.headers(), DeadLetters.MESSAGE))
            .contains("not a valid Task")
            .contains(
                "redundancy must be a positive integer (at most "
                    + Redundancy.MAX
                    + ") or \"all\", got: "
                    + got);
      }
    }
  }

  /** A task record's value as the task producer's serde reads it. */
  private static Task task(ConsumerRecord<String, byte[]> r) {
    return Topics.TASKS.valueSerde().deserializer().deserialize(r.topic(), r.value());
  }

  /**
   * Reads a topic from its beginning until a record of every key has arrived; values stay bytes, as
   * the topic may hold records that are not valid (the other tests' malformed tasks).
   *
   * @return the last record of each key
   */
  private static Map<String, ConsumerRecord<String, byte[]>> read(
      KafkaSettings kafka, String topic, List<String> keys) {
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(
            kafka.properties(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : c.partitionsFor(topic, Duration.ofSeconds(30))) {
        partitions.add(new TopicPartition(topic, p.partition()));
      }
      c.assign(partitions);
      c.seekToBeginning(partitions);
      Map<String, ConsumerRecord<String, byte[]>> out = new HashMap<>();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                c.poll(Duration.ofMillis(200)).forEach(r -> out.put(r.key(), r));
                return out.keySet().containsAll(keys);
              });
      return out;
    }
  }
}
