package dev.minigradient.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.minigradient.consensus.ReplayCommand;
import dev.minigradient.producer.Input;
import dev.minigradient.producer.Submitter;
import dev.minigradient.protocol.ModelIds;
import dev.minigradient.protocol.ModelSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tasks through the network on this machine, each component its own OS process started through the
 * {@code bin/} wrappers and the packaged jar, while a peer is killed with SIGKILL every 3 s and
 * started again and the consensus app is killed with SIGKILL once and started again; then the
 * topics are audited. {@code -Dprocess-chaos.tasks=N} changes the number of tasks (the {@code
 * process-chaos} command runs it by hand, also with 3 Kafka nodes). And a consensus app whose
 * stores a kill left unreadable rebuilds them from the changelogs.
 */
class ProcessChaosIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path MNIST = ROOT.resolve("models/mnist");
  private static final int TASKS = Integer.getInteger("process-chaos.tasks", 400);

  @TempDir Path tmp;

  @Test
  void killedProcessesLeaveEveryTaskDecidedOnceAndTheBooksBalanced() throws Exception {
    // given the network as processes: 1 Kafka node, the consensus app, the API and 3 peers
    assertThat(ROOT.resolve("launcher/target/mini-gradient.jar")).exists();
    ModelSpec mnist = ModelSpec.load(MNIST);
    LocalNetwork.Options options =
        new LocalNetwork.Options(
            tmp.resolve("net"),
            ROOT.resolve("bin"),
            new LocalCluster(1, FreePorts.kafka()),
            3,
            0,
            List.of("mnist"),
            ROOT.resolve("models"),
            ModelIds.of(mnist.onnx()),
            3);
    List<Input> samples = Submitter.read(List.of(MNIST.resolve("samples")));
    List<Long> pids;
    ProcessChaos.Outcome o;
    LocalNetwork network = new LocalNetwork(options);
    try {
      network.start(new PrintWriter(System.out, true), Duration.ofMinutes(3));
      pids = network.processes().stream().map(LocalProcess::pid).toList();

      // when tasks run while peers and the consensus app are killed with SIGKILL
      o =
          ProcessChaos.run(
              network,
              samples,
              ModelIds.of(mnist.onnx()),
              new ProcessChaos.Plan(
                  TASKS, Duration.ofSeconds(3), true, false, Duration.ofSeconds(10)),
              System.out::println);
      System.out.println(ProcessChaos.markdown(o));
      // and every process was killed or runs: the pids moved on for the killed ones
      assertThat(network.process("consensus-streams").pid()).isNotIn(pids);
      assertThat(Files.readString(options.dir().resolve("pids")))
          .contains("consensus-streams " + network.process("consensus-streams").pid());
    } finally {
      network.close();
    }

    // then the faults struck: the consensus app once, peers again and again
    assertThat(o.faults()).anyMatch(f -> f.startsWith("consensus-streams killed (SIGKILL) at "));
    assertThat(o.faults()).anyMatch(f -> f.startsWith("consensus-streams started again at "));
    assertThat(o.peerKills()).isGreaterThanOrEqualTo(3);
    // and nothing crashed that was not killed on purpose, and every killed process came back
    assertThat(o.crashes()).isEmpty();
    // and the requester got an answer for every task
    assertThat(o.answered()).isEqualTo(TASKS);
    // and the books agree: every task one standing decision (or a dead letter), every decided task
    // settled, the published ledger equal to the replay of peers.settlements
    System.out.println(ReplayCommand.text(o.findings()));
    assertThat(o.findings().problems()).as(o.findings().examples().toString()).isEmpty();
    assertThat(o.findings().tasks()).isEqualTo(TASKS);
    assertThat(o.findings().pending()).isZero();
    long explained =
        o.findings().decisions().values().stream().mapToLong(Long::longValue).sum()
            + o.findings().deadLettered();
    assertThat(explained).isEqualTo(TASKS);
    assertThat(o.findings().ledger()).hasSize(3);
    // and memory and latency were recorded for every process along the way
    assertThat(o.windows()).isNotEmpty();
    assertThat(o.windows().get(0).rssMib())
        .containsKeys("broker-1", "consensus-streams", "metrics-api", "peer-1");
    // (a process started again a moment before a window's end may show almost none in that one)
    for (String name : o.windows().get(0).rssMib().keySet()) {
      assertThat(
              o.windows().stream()
                  .mapToLong(w -> w.rssMib().getOrDefault(name, 0L))
                  .max()
                  .orElse(0))
          .as(name)
          .isGreaterThan(10);
    }
    assertThat(o.windows().stream().mapToInt(ProcessChaos.Window::answered).sum()).isEqualTo(TASKS);
    // and no process is left
    assertThat(network.processes()).noneMatch(LocalProcess::isAlive);
  }

  @Test
  void aConsensusAppWhoseStoresWereLeftCorruptSaysSoAndRebuildsThem() throws Exception {
    // given a Kafka node and the consensus app as processes, the app killed with SIGKILL once its
    // stores are on disk
    int port = FreePorts.kafka();
    Path logs = tmp.resolve("logs");
    Path state = tmp.resolve("consensus-state");
    LocalProcess broker = BrokerProcess.of(ROOT, tmp.resolve("broker-1"), port, logs);
    LocalProcess consensus =
        new LocalProcess(
            "consensus-streams",
            List.of(
                ROOT.resolve("bin/consensus-streams").toString(),
                "--bootstrap-servers",
                "127.0.0.1:" + port,
                "--state-dir",
                state.toString(),
                "--seal-key-file",
                tmp.resolve("seal.key").toString(),
                "--model",
                "mnist",
                "--models-dir",
                ROOT.resolve("models").toString()),
            logs,
            Map.of());
    Pattern started = Pattern.compile("^consensus-streams started");
    try {
      broker.start();
      broker.awaitLine(Pattern.compile("^broker 1 ready"), Duration.ofMinutes(1));
      consensus.start();
      consensus.awaitLine(started, Duration.ofMinutes(2));
      await()
          .atMost(Duration.ofMinutes(2))
          .until(
              () ->
                  currentFiles(state).size()
                      > 4); // a task's stores are open, besides the 4 global ones
      consensus.kill();

      // when each store's CURRENT file is left naming a manifest that is not there
      List<Path> current = currentFiles(state);
      for (Path f : current) {
        Files.writeString(f, "MANIFEST-999999\n");
      }
      consensus.start();

      // then it says so in one line, wipes its state and starts on a fresh one, and runs on
      Matcher said =
          consensus.awaitLine(
              Pattern.compile(
                  "^consensus-streams: local state in (\\S+) is unusable \\((.+)\\);"
                      + " wiping it and rebuilding from the changelogs$"),
              Duration.ofMinutes(2));
      assertThat(said.group(1)).isEqualTo(state.toString());
      assertThat(said.group(2)).contains("MANIFEST-999999");
      consensus.awaitLine(started, Duration.ofMinutes(1));
      Thread.sleep(5_000);
      assertThat(consensus.isAlive()).as(consensus.tail(10)).isTrue();
      assertThat(
              consensus.outputSinceStart().stream().filter(l -> l.contains("is unusable")).count())
          .isEqualTo(1);
      for (Path f : currentFiles(state)) {
        assertThat(Files.readString(f)).doesNotContain("MANIFEST-999999");
      }
    } finally {
      consensus.stop(Duration.ofSeconds(30));
      broker.stop(Duration.ofSeconds(30));
    }
  }

  /** The RocksDB {@code CURRENT} files under a state folder. */
  private static List<Path> currentFiles(Path state) throws IOException {
    if (!Files.exists(state)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(state)) {
      return files.filter(f -> f.getFileName().toString().equals("CURRENT")).toList();
    }
  }
}
