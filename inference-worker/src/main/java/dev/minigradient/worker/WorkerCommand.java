package dev.minigradient.worker;

import dev.minigradient.model.ServedModel;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.KeyKind;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.TopicAdmin;
import dev.minigradient.protocol.cli.Arguments;
import dev.minigradient.protocol.cli.ClusterCommand;
import dev.minigradient.protocol.cli.ModelsOptions;
import dev.minigradient.protocol.cli.PartitionsOption;
import dev.minigradient.protocol.cli.Shutdown;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code inference-worker}: runs one peer until interrupted (Ctrl-C, SIGTERM). */
@Command(
    name = "inference-worker",
    description =
        "Runs one peer: reads every task record, skips undecoded those whose committee does not seat it, runs the ONNX model on the others and publishes signed votes.")
public final class WorkerCommand extends ClusterCommand {
  @Option(
      names = "--peer-id",
      defaultValue = "${env:MG_PEER_ID}",
      description =
          "This peer's id; instances with the same id share its work (env MG_PEER_ID; default: this machine's host name, so each container of a scaled service is its own peer).")
  String peerId;

  @Option(
      names = "--instance-id",
      defaultValue = "${env:MG_INSTANCE_ID}",
      description =
          "This instance's static member id in its peer's consumer group (Kafka's static membership): a restarted instance with the same id takes its partitions back at once instead of after a rebalance. Unique per instance of a peer id (env MG_INSTANCE_ID; default: this machine's host name).")
  String instanceId;

  @Mixin ModelsOptions models;

  @Option(
      names = "--key-file",
      description =
          "The peer's Ed25519 key pair, created if missing; every instance of a peer id needs the same one (default: $MG_HOME/state/keys/<peer-id>.key).")
  Path keyFile;

  @Option(
      names = "--stake",
      defaultValue = "" + WorkerConfig.DEFAULT_STAKE,
      description =
          "Stake to declare, tokens (default: ${DEFAULT-VALUE}); the consensus counts at most 100 of it as the peer's bond, and stake beyond that is earned through rewards.")
  double stake;

  @Option(
      names = "--heartbeat-ms",
      defaultValue = "" + WorkerConfig.DEFAULT_HEARTBEAT_MS,
      description = "Heartbeat interval, ms (default: ${DEFAULT-VALUE}).")
  long heartbeatMs;

  @Option(
      names = "--behavior",
      defaultValue = "honest",
      completionCandidates = Behavior.Names.class,
      description =
          "honest, or a simulated adversary; one of ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  String behavior;

  @Option(
      names = "--constant-label",
      defaultValue = "1",
      description = "The label a 'constant' peer always votes (default: ${DEFAULT-VALUE}).")
  int constantLabel;

  @Option(
      names = "--delay-ms",
      defaultValue = "3000",
      description = "How late a 'slow' peer sends each vote, ms (default: ${DEFAULT-VALUE}).")
  long delayMs;

  @Option(
      names = "--crash-after",
      defaultValue = "20",
      description =
          "Votes a 'crash' peer sends before it stops abruptly (default: ${DEFAULT-VALUE}).")
  int crashAfter;

  @Option(
      names = "--forge-as",
      split = ",",
      description = "Peer ids in whose name a 'forger' peer sends forged votes.")
  List<String> forgeAs = List.of();

  @Mixin PartitionsOption partitions;

  @Override
  public Integer call() throws Exception {
    CommandLine cmd = new CommandLine(this);
    WorkerConfig config = Arguments.read(cmd, () -> config(kafka.settings(), System.getenv()));
    Behavior behaviour =
        Arguments.read(
            cmd, () -> Behavior.parse(behavior).with(constantLabel, delayMs, crashAfter, forgeAs));
    List<ModelSpec> specs = Arguments.read(cmd, models::resolveAll);
    TopicAdmin.ensureTopics(
        config.kafka(), partitions.partitions(), Optional.empty(), Duration.ofSeconds(15));
    List<ServedModel> served = new ArrayList<>();
    PeerWorker worker;
    try {
      for (ModelSpec spec : specs) {
        served.add(ServedModel.open(spec, config.maxPixels()));
      }
      Path keys =
          keyFile != null
              ? keyFile
              : Path.of(
                  System.getenv().getOrDefault("MG_HOME", "."), "state", "keys", peerId + ".key");
      worker = new PeerWorker(config, served, KeyKind.SIGNING.loadOrCreate(keys), behaviour);
      worker.start();
    } catch (RuntimeException e) {
      served.forEach(m -> m.engine().close());
      throw e;
    }
    for (ServedModel m : served) {
      System.err.println(
          "peer "
              + peerId
              + (behaviour.kind() == Behavior.Kind.HONEST ? "" : " (" + behaviour + ")")
              + " serving "
              + m.name()
              + " ("
              + m.modelId()
              + ") via "
              + config.kafka().bootstrapServers());
    }
    Shutdown.closeOnShutdown(
        () -> {
          worker.close();
          served.forEach(m -> m.engine().close());
        });
    return 0;
  }

  /**
   * The configuration these options describe, laid over the defaults in one step: the host name
   * stands in for a peer id or instance id that neither flag nor environment gives.
   *
   * @param settings Kafka client settings
   * @param env environment variables, for the host name
   * @return the validated configuration
   * @throws IllegalArgumentException if a value is out of range
   */
  WorkerConfig config(KafkaSettings settings, Map<String, String> env) {
    if (peerId == null || peerId.isBlank()) {
      peerId = hostPeerId(env);
    }
    String instance = instanceId == null || instanceId.isBlank() ? hostPeerId(env) : instanceId;
    return new WorkerConfig(
        peerId,
        settings,
        stake,
        heartbeatMs,
        WorkerConfig.DEFAULT_MAX_TASK_AGE_MS,
        WorkerConfig.DEFAULT_MAX_PIXELS,
        instance);
  }

  /**
   * A peer id from this machine's host name: {@code HOSTNAME} (a container's is its own), else
   * {@code /etc/hostname}, else the resolver's, with characters a peer id cannot hold as {@code -}
   * and cut to 64.
   *
   * @param env environment variables
   * @return the id
   */
  static String hostPeerId(Map<String, String> env) {
    String host = env.get("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = Files.readString(Path.of("/etc/hostname"));
      } catch (IOException | RuntimeException e) {
        host = null;
      }
    }
    if (host == null || host.isBlank()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        throw new IllegalStateException("no --peer-id, MG_PEER_ID or host name: give --peer-id", e);
      }
    }
    String id = host.strip().replaceAll("[^A-Za-z0-9._-]", "-");
    return id.length() > 64 ? id.substring(0, 64) : id;
  }
}
