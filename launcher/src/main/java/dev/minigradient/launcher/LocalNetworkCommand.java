package dev.minigradient.launcher;

import dev.minigradient.api.ApiPortOption;
import dev.minigradient.producer.Input;
import dev.minigradient.protocol.ModelIds;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.cli.Arguments;
import dev.minigradient.protocol.cli.BaseCommand;
import dev.minigradient.protocol.cli.ModelsOptions;
import dev.minigradient.protocol.cli.PartitionsOption;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code local-network}: the network on this machine with each component in its own process,
 * started through the {@code bin/} wrappers ({@link LocalNetwork}), until Ctrl-C; or, with {@code
 * --limit}, until {@code task-producer} has submitted that many samples.
 */
@Command(
    name = "local-network",
    description = {
      "Runs the network on this machine with each component in its own process, through the bin/ wrappers: 1 or 3 Kafka nodes (broker), consensus-streams, metrics-api and N inference-worker peers, all on 127.0.0.1.",
      "Everything is under --dir: logs/NAME.log (each process's output), brokers/ (the Kafka nodes' data, kept across runs), consensus/, api/, peers/ (keys and state), pids.",
      "Ctrl-C stops the clients, then the brokers (SIGTERM, then SIGKILL after a grace period)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped (with --limit: every sample decided)",
      "1:a process failed to start (with --limit: a sample not decided)",
      "2:bad arguments, a port taken, or a network from --dir still running"
    })
public final class LocalNetworkCommand extends BaseCommand {
  /** How long the network may take to start. */
  static final Duration READY_TIMEOUT = Duration.ofSeconds(240);

  @Option(
      names = "--peers",
      defaultValue = "3",
      description = "Number of peers, 1..64: peer-1..peer-N (default: ${DEFAULT-VALUE}).")
  int peers;

  @Mixin LocalClusterOptions layout;

  @Option(
      names = "--dir",
      defaultValue = "local-network",
      description =
          "The run folder: logs, the brokers' data, keys, state (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Mixin ApiPortOption port;

  @Mixin ModelsOptions models;

  @Mixin PartitionsOption partitions;

  @Option(
      names = "--limit",
      description =
          "Once ready, submit this many samples (taken in turn from each label) with task-producer, then stop everything; exit 0 if every one was decided.")
  Integer limit;

  @Mixin SamplesOption samples;

  @Override
  protected int run(CommandLine cmd) throws Exception {
    LocalNetwork.Options options = options(cmd);
    List<Input> smoke = List.of();
    if (limit != null) {
      if (limit < 1) {
        throw new CommandLine.ParameterException(cmd, "--limit must be >= 1");
      }
      smoke = Simulation.balanced(samples.read(cmd), limit);
    }
    try {
      LocalNetwork.refuseIfRunning(options.dir());
    } catch (IllegalStateException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
    checkPortsFree(cmd, options);
    if (!Files.isExecutable(options.bin().resolve("mini-gradient"))) {
      throw new CommandLine.ParameterException(
          cmd,
          "no bin/ wrappers at "
              + options.bin()
              + ": run from the repository root, or set MG_HOME");
    }
    PrintWriter err = cmd.getErr();
    LocalNetwork network;
    try {
      network = new LocalNetwork(options);
    } catch (IllegalStateException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean stopping = new AtomicBoolean();
    Runnable stop =
        () -> {
          if (stopping.compareAndSet(false, true)) {
            err.println("stopping the clients, then the brokers...");
            err.flush();
            network.close();
            err.println("stopped; logs in " + network.dir().resolve("logs"));
            err.flush();
            stopped.countDown();
          }
        };
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "local-network-shutdown"));
    long t0 = System.currentTimeMillis();
    try {
      network.start(err, READY_TIMEOUT);
    } catch (IllegalStateException e) {
      stopping.set(true); // start() has stopped what it started
      err.println("local-network: " + e.getMessage());
      err.flush();
      return 1;
    }
    for (LocalProcess p : network.processes()) {
      p.onUnexpectedExit(
          q -> {
            err.printf(
                "%s (pid %d) exited with %d; see %s%n",
                q.name(), q.pid(), q.exitCode().orElse(-1), q.log());
            err.flush();
          });
    }
    printReady(err, network, (System.currentTimeMillis() - t0) / 1000.0);
    if (limit == null) {
      err.println("Ctrl-C stops every process.");
      err.flush();
      stopped.await();
      return 0;
    }
    try {
      return submit(network, smoke, options);
    } finally {
      stop.run();
    }
  }

  /** The options as {@link LocalNetwork} takes them, or a usage error. */
  private LocalNetwork.Options options(CommandLine cmd) {
    return options(cmd, layout, peers, dir, port.port(), models, partitions.partitions());
  }

  /**
   * The options of a network on this machine as {@link LocalNetwork} takes them, or a usage error;
   * the wrappers are in {@code $MG_HOME/bin} (default {@code ./bin}).
   *
   * @param cmd the command, which has the {@code --models-dir} option
   * @param layout the Kafka nodes
   * @param peers number of peers
   * @param dir the run folder
   * @param apiPort the API's port
   * @param models the models
   * @param partitions partitions per topic
   * @return the options
   * @throws CommandLine.ParameterException if a value is bad or a model is missing
   */
  static LocalNetwork.Options options(
      CommandLine cmd,
      LocalClusterOptions layout,
      int peers,
      Path dir,
      int apiPort,
      ModelsOptions models,
      int partitions) {
    LocalCluster cluster = layout.cluster(cmd);
    Arguments.read(
        cmd,
        () -> {
          LocalNetwork.Options.checkPeers(peers);
          return peers;
        });
    List<ModelSpec> specs;
    try {
      specs = models.resolveAll();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          cmd, e.getMessage() + " (run from the repository root, or set MG_HOME)");
    }
    Path bin = Path.of(System.getenv().getOrDefault("MG_HOME", "."), "bin");
    Path modelsDir = cmd.getCommandSpec().findOption("--models-dir").getValue();
    return Arguments.read(
        cmd,
        () ->
            new LocalNetwork.Options(
                dir,
                bin,
                cluster,
                peers,
                apiPort,
                models.names(),
                modelsDir,
                ModelIds.of(specs.get(0).onnx()),
                partitions));
  }

  /** Refuses a port another process holds: a Kafka node's, or the API's. */
  static void checkPortsFree(CommandLine cmd, LocalNetwork.Options options) {
    List<Integer> ports = new ArrayList<>(options.cluster().ports());
    if (options.apiPort() != 0) {
      ports.add(options.apiPort());
    }
    for (int p : ports) {
      if (!LocalCluster.isFree(p)) {
        throw new CommandLine.ParameterException(
            cmd,
            "port "
                + p
                + " on 127.0.0.1 is taken"
                + (p == options.apiPort()
                    ? ": give another --port"
                    : ": give another --kafka-port"));
      }
    }
  }

  private static void printReady(PrintWriter err, LocalNetwork network, double seconds) {
    String b = network.kafka().bootstrapServers();
    err.printf("local network ready in %.1f s, in %s:%n", seconds, network.dir());
    err.printf("  Kafka   %s (cluster %s)%n", b, network.clusterId());
    err.printf(
        "  API     http://127.0.0.1:%d/ (dashboard), http://127.0.0.1:%d/metrics%n",
        network.apiPort(), network.apiPort());
    err.printf("  logs    %s%n", network.dir().resolve("logs"));
    for (LocalProcess p : network.processes()) {
      err.printf("  %-18s pid %d%n", p.name(), p.pid());
    }
    err.printf("submit: bin/task-producer --bootstrap-servers %s models/mnist/samples%n", b);
    err.flush();
  }

  /** Submits the samples through {@code bin/task-producer}, its output on this one's. */
  private int submit(LocalNetwork network, List<Input> inputs, LocalNetwork.Options options)
      throws IOException, InterruptedException {
    Path list = network.dir().resolve("samples.list");
    StringBuilder s = new StringBuilder();
    for (Input in : inputs) {
      s.append(in.path().toAbsolutePath()).append('\n');
    }
    Files.writeString(list, s.toString(), StandardCharsets.UTF_8);
    Process producer =
        new ProcessBuilder(
                options.bin().resolve("task-producer").toString(),
                "--bootstrap-servers",
                network.kafka().bootstrapServers(),
                "--model",
                options.models().get(0),
                "--models-dir",
                options.modelsDir().toString(),
                "--report",
                network.dir().resolve("report.json").toString(),
                "@" + list)
            .inheritIO()
            .start();
    return producer.waitFor();
  }
}
