package dev.minigradient.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minigradient.producer.Input;
import dev.minigradient.producer.Submitter;
import dev.minigradient.protocol.JsonSerde;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network on this machine as separate processes, through the {@code bin/} wrappers and the
 * packaged jar (the integration tests run after {@code package}): {@code bin/local-network} starts
 * a Kafka node, the consensus app, the API and three peers each as an OS process of its own,
 * task-producer's digits are decided, and a Ctrl-C leaves no process behind. And a Kafka node
 * killed with SIGKILL comes back with its data.
 */
class LocalNetworkIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern READY = Pattern.compile("^broker 1 ready .*cluster (\\S+) ");

  @TempDir Path tmp;

  /** The folder's {@code pids}: name to pid. */
  private static Map<String, Long> pids(Path dir) throws IOException {
    Map<String, Long> pids = new LinkedHashMap<>();
    for (String line : Files.readAllLines(dir.resolve("pids"))) {
      String[] f = line.split(" ");
      pids.put(f[0], Long.parseLong(f[1]));
    }
    return pids;
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  @Test
  void everyComponentRunsAsItsOwnProcessAndCtrlCStopsThemAll() throws Exception {
    // given the packaged jar and the launcher started as a process of its own
    assertThat(ROOT.resolve("launcher/target/mini-gradient.jar")).exists();
    int kafkaPort = FreePorts.kafka();
    Path dir = tmp.resolve("net");
    Path output = tmp.resolve("local-network.out");
    Process launcher =
        new ProcessBuilder(
                ROOT.resolve("bin/local-network").toString(),
                "--dir",
                dir.toString(),
                "--peers",
                "3",
                "--brokers",
                "1",
                "--kafka-port",
                Integer.toString(kafkaPort),
                "--port",
                "0")
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    List<Long> children = new ArrayList<>();
    try {
      await()
          .atMost(Duration.ofMinutes(4))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                String out = Files.readString(output);
                if (!launcher.isAlive()) {
                  fail("local-network exited with " + launcher.exitValue() + ": " + out);
                }
                return out.contains("local network ready");
              });

      // then each component is an OS process of its own, a child of the launcher, running its
      // command from the jar
      Map<String, Long> pids = pids(dir);
      children.addAll(pids.values());
      assertThat(pids)
          .containsOnlyKeys(
              "broker-1", "consensus-streams", "metrics-api", "peer-1", "peer-2", "peer-3");
      assertThat(pids.values())
          .doesNotHaveDuplicates()
          .doesNotContain(launcher.pid(), ProcessHandle.current().pid());
      assertThat(launcher.children().map(ProcessHandle::pid).toList())
          .containsExactlyInAnyOrderElementsOf(pids.values());
      Map<String, String> commands =
          Map.of(
              "broker-1", " broker ",
              "consensus-streams", " consensus-streams ",
              "metrics-api", " metrics-api ",
              "peer-1", " inference-worker ");
      commands.forEach(
          (name, command) ->
              assertThat(ProcessHandle.of(pids.get(name)).orElseThrow().info().commandLine())
                  .as(name)
                  .hasValueSatisfying(
                      c -> assertThat(c).contains("mini-gradient.jar").contains(command)));
      assertThat(Files.readString(output))
          .contains("Kafka   127.0.0.1:" + kafkaPort)
          .contains("bin/task-producer --bootstrap-servers 127.0.0.1:" + kafkaPort);

      // and a second launcher on the same folder is refused while this one runs
      Process second =
          new ProcessBuilder(
                  ROOT.resolve("bin/local-network").toString(),
                  "--dir",
                  dir.toString(),
                  "--kafka-port",
                  Integer.toString(kafkaPort))
              .redirectErrorStream(true)
              .start();
      String refusal = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(second.waitFor(1, TimeUnit.MINUTES)).isTrue();
      assertThat(second.exitValue()).as(refusal).isEqualTo(2);
      assertThat(refusal).contains("still runs (broker-1 (pid " + pids.get("broker-1") + ")");

      // when task-producer submits 20 sample digits, two of each label
      List<Input> digits =
          Simulation.balanced(Submitter.read(List.of(ROOT.resolve("models/mnist/samples"))), 20);
      Path list = tmp.resolve("digits.list");
      Files.writeString(
          list,
          String.join("\n", digits.stream().map(d -> d.path().toString()).toList()) + "\n",
          StandardCharsets.UTF_8);
      Path report = tmp.resolve("report.json");
      Path producerOutput = tmp.resolve("task-producer.out");
      Process producer =
          new ProcessBuilder(
                  ROOT.resolve("bin/task-producer").toString(),
                  "--bootstrap-servers",
                  "127.0.0.1:" + kafkaPort,
                  "--report",
                  report.toString(),
                  "@" + list)
              .redirectErrorStream(true)
              .redirectOutput(producerOutput.toFile())
              .start();
      assertThat(producer.waitFor(3, TimeUnit.MINUTES)).isTrue();

      // then every one is decided
      assertThat(producer.exitValue()).as(Files.readString(producerOutput)).isZero();
      JsonNode summary = JsonSerde.MAPPER.readTree(report.toFile());
      assertThat(summary.get("tasks").asInt()).isEqualTo(20);
      assertThat(summary.get("decided").asInt()).isEqualTo(20);
      assertThat(pids.values()).allMatch(LocalNetworkIT::alive);

      // when the launcher gets a Ctrl-C (SIGINT)
      assertThat(
              new ProcessBuilder("kill", "-INT", Long.toString(launcher.pid())).start().waitFor())
          .isZero();

      // then it stops every process it started and exits, and each process wrote its log
      assertThat(launcher.waitFor(2, TimeUnit.MINUTES)).isTrue();
      assertThat(pids.values()).noneMatch(LocalNetworkIT::alive);
      assertThat(dir.resolve("pids")).doesNotExist();
      assertThat(Files.readString(output)).contains("stopped; logs in");
      for (String name : pids.keySet()) {
        Path log = dir.resolve("logs").resolve(name + ".log");
        assertThat(log).as(name).isNotEmptyFile();
      }
      assertThat(Files.readString(dir.resolve("logs/metrics-api.log")))
          .contains("metrics-api listening on http://127.0.0.1:");
      assertThat(Files.readString(dir.resolve("logs/peer-2.log"))).contains("peer peer-2 serving");
    } finally {
      launcher.destroyForcibly();
      children.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
  }

  @Test
  void aNetworkStoppedWhileStartingSaysSoRatherThanBlameAProcess() throws Exception {
    // given a network starting
    LocalNetwork network =
        new LocalNetwork(
            new LocalNetwork.Options(
                tmp.resolve("stopped"),
                ROOT.resolve("bin"),
                new LocalCluster(1, FreePorts.kafka()),
                1,
                0,
                List.of("mnist"),
                ROOT.resolve("models"),
                "mnist",
                3));
    CompletableFuture<Void> start =
        CompletableFuture.runAsync(
            () -> {
              try {
                network.start(new PrintWriter(System.out, true), Duration.ofMinutes(3));
              } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Files.exists(tmp.resolve("stopped").resolve("pids")));

    // when it is stopped (Ctrl-C) before it is ready
    network.close();

    // then the start says it was stopped, not that the node it stopped failed
    assertThatThrownBy(() -> start.get(2, TimeUnit.MINUTES))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .hasMessage("stopped while starting");
    assertThat(network.processes()).noneMatch(LocalProcess::isAlive);
  }

  @Test
  void aKafkaNodeKilledWithSigkillComesBackWithItsData() throws Exception {
    // given a node process through bin/broker, and 50 records written to a topic on it
    int port = FreePorts.kafka();
    Path dir = tmp.resolve("broker-1");
    LocalProcess broker = BrokerProcess.of(ROOT, dir, port, tmp.resolve("logs"));
    broker.start();
    try {
      String clusterId = broker.awaitLine(READY, Duration.ofMinutes(1)).group(1);
      Properties props = new Properties();
      props.put("bootstrap.servers", "127.0.0.1:" + port);
      try (Admin admin = Admin.create(props)) {
        admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get();
      }
      Properties producerProps = new Properties();
      producerProps.putAll(props);
      producerProps.put("acks", "all");
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
        for (int i = 0; i < 50; i++) {
          producer.send(new ProducerRecord<>("kept", "k" + i, "v" + i)).get();
        }
      }

      // when it is killed with SIGKILL and started again on the same folder
      long first = broker.pid();
      broker.kill();
      assertThat(alive(first)).isFalse();
      broker.start();

      // then it comes back as the same cluster, with the 50 records
      assertThat(broker.awaitLine(READY, Duration.ofMinutes(1)).group(1)).isEqualTo(clusterId);
      assertThat(broker.pid()).isNotEqualTo(first);
      assertThat(BrokerCommand.formattedClusterId(dir.resolve("data"))).contains(clusterId);
      List<String> values = new ArrayList<>();
      try (KafkaConsumer<String, String> consumer =
          new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
        TopicPartition p = new TopicPartition("kept", 0);
        consumer.assign(List.of(p));
        consumer.seekToBeginning(List.of(p));
        long deadline = System.currentTimeMillis() + 30_000;
        while (values.size() < 50 && System.currentTimeMillis() < deadline) {
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
            values.add(r.value());
          }
        }
      }
      assertThat(values).hasSize(50).startsWith("v0", "v1").endsWith("v49");
      assertThat(broker.log()).isNotEmptyFile();
    } finally {
      broker.stop(Duration.ofSeconds(30));
    }
    assertThat(broker.isAlive()).isFalse();
  }
}
