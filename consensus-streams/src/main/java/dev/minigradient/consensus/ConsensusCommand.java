package dev.minigradient.consensus;

import dev.minigradient.model.ServedModel;
import dev.minigradient.model.preprocess.InputLimits;
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
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code consensus-streams}: runs the consensus Streams application until interrupted. */
@Command(
    name = "consensus-streams",
    description =
        "Runs the Kafka Streams app that turns votes into one consensus per task and keeps the reputation KTable.")
public final class ConsensusCommand extends ClusterCommand {
  @Option(
      names = "--state-dir",
      defaultValue = "${env:MG_STATE_DIR:-state}/consensus",
      description =
          "State store directory (env MG_STATE_DIR names its parent; default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Mixin DeadlineOption deadline;

  @Mixin ExactlyOnceOption guarantee;

  @Mixin AuditOptions audits;

  @Mixin RedundancyOption redundancy;

  @Option(
      names = "--roster-interval-ms",
      defaultValue = "" + ConsensusConfig.Committees.DEFAULT_ROSTER_INTERVAL_MS,
      description =
          "How often the committee roster (candidates, weights, beacon) changes, ms (default: ${DEFAULT-VALUE}).")
  long rosterIntervalMs;

  @Option(
      names = "--seat-timeout-ms",
      defaultValue = "" + ConsensusConfig.Committees.DEFAULT_SEAT_TIMEOUT_MS,
      description =
          "A committee seat silent this long after its task arrived is replaced by its next-ranked candidate; a replacement silent as long again escalates the task to the referee, ms (default: ${DEFAULT-VALUE}).")
  long seatTimeoutMs;

  @Mixin ModelsOptions models;

  @Option(
      names = "--seal-key-file",
      description =
          "X25519 key pair peers seal their votes to, created if missing; every instance of the app needs the same one (default: $MG_HOME/state/keys/consensus-seal.key).")
  Path sealKeyFile;

  @Mixin PartitionsOption partitions;

  @Option(
      names = "--instance-id",
      description =
          "Static consumer-group membership (KIP-345) under this id, one per instance of the app: an instance killed and started again with the same id takes its partitions back as soon as it rejoins, not after the group's session timeout (45 s). A stopped instance still leaves the group at once. Default: dynamic membership.")
  String instanceId;

  @Override
  public Integer call() throws Exception {
    CommandLine cmd = new CommandLine(this);
    ConsensusConfig config =
        Arguments.read(
            cmd, () -> config(ConsensusConfig.defaults(staticMember(kafka.settings()), stateDir)));
    List<ModelSpec> specs = Arguments.read(cmd, models::resolveAll);
    TopicAdmin.ensureTopics(
        config.kafka(), partitions.partitions(), Optional.empty(), Duration.ofSeconds(15));
    List<ServedModel> served = new ArrayList<>();
    for (ModelSpec spec : specs) {
      served.add(ServedModel.open(spec, InputLimits.MAX_PIXELS));
    }
    Path keyFile =
        sealKeyFile != null
            ? sealKeyFile
            : Path.of(
                System.getenv().getOrDefault("MG_HOME", "."),
                "state",
                "keys",
                "consensus-seal.key");
    KeyPair sealing = KeyKind.SEALING.loadOrCreate(keyFile);
    Referee referee = Referee.of(served);
    AtomicBoolean rebuilt = new AtomicBoolean();
    AtomicReference<ConsensusService> service =
        new AtomicReference<>(startRebuilding(config, referee, sealing, rebuilt));
    System.err.println(
        "consensus-streams started via "
            + config.kafka().bootstrapServers()
            + ", processing guarantee "
            + (config.exactlyOnce() ? "exactly_once_v2" : "at_least_once"));
    Shutdown.closeOnShutdown(
        () -> {
          service.get().close();
          served.forEach(m -> m.engine().close());
        });
    Thread watch =
        new Thread(
            () -> rebuildIfUnusable(config, referee, sealing, service, rebuilt), "state-check");
    watch.setDaemon(true);
    watch.start();
    return 0;
  }

  /**
   * Makes and starts the service; if its local state cannot even be opened (a store or the
   * process's metadata left corrupt by a kill), says so in one line, wipes the state folder and
   * tries once more: the stores are rebuilt from their changelogs.
   */
  private static ConsensusService startRebuilding(
      ConsensusConfig config, Referee referee, KeyPair sealing, AtomicBoolean rebuilt) {
    ConsensusService s = null;
    try {
      s = new ConsensusService(config, referee, sealing);
      s.start(); // opens the stores of the tasks it had
      return s;
    } catch (StreamsException e) {
      if (!ConsensusService.isStateFailure(e)) {
        throw e;
      }
      if (s != null) {
        s.close();
      }
      wipe(config, e);
      rebuilt.set(true);
      s = new ConsensusService(config, referee, sealing);
      s.start();
      return s;
    }
  }

  /**
   * Until the service first runs: if a stream thread fails on its local state, replaces the service
   * by one on a wiped state folder, once; a second failure ends the process (exit 1).
   */
  private static void rebuildIfUnusable(
      ConsensusConfig config,
      Referee referee,
      KeyPair sealing,
      AtomicReference<ConsensusService> service,
      AtomicBoolean rebuilt) {
    try {
      while (true) {
        ConsensusService s = service.get();
        if (s.hasRun()) {
          return;
        }
        Optional<Throwable> failure = s.stateFailure();
        if (failure.isPresent()) {
          s.close();
          if (rebuilt.getAndSet(true)) {
            System.err.println(
                "consensus-streams: local state in "
                    + config.stateDir()
                    + " unusable again after a rebuild ("
                    + rootMessage(failure.get())
                    + "); stopping");
            System.exit(1);
          }
          wipe(config, failure.get());
          ConsensusService next = new ConsensusService(config, referee, sealing);
          next.start();
          service.set(next);
        }
        Thread.sleep(200); // polling the service's state
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Says why in one line and deletes the state folder. */
  private static void wipe(ConsensusConfig config, Throwable why) {
    Path dir = config.stateDir();
    System.err.println(
        "consensus-streams: local state in "
            + dir
            + " is unusable ("
            + rootMessage(why)
            + "); wiping it and rebuilding from the changelogs");
    try {
      if (Files.exists(dir)) {
        try (Stream<Path> paths = Files.walk(dir)) {
          for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot wipe " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The innermost cause's class and message. */
  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  /**
   * The settings with the Streams main consumer's {@code group.instance.id} when {@code
   * --instance-id} is given (Streams suffixes it with each stream thread's index).
   */
  KafkaSettings staticMember(KafkaSettings settings) {
    if (instanceId == null) {
      return settings;
    }
    if (instanceId.isBlank()) {
      throw new IllegalArgumentException("--instance-id must not be blank");
    }
    // Kafka's rule for group.instance.id (as for topic names): it refuses anything else only
    // when the consumer is built, as "Failed to construct kafka consumer"
    if (!instanceId.matches("[a-zA-Z0-9._-]{1,249}")) {
      throw new IllegalArgumentException(
          "--instance-id must be 1 to 249 of the characters a-z, A-Z, 0-9, '.', '_' and '-', got '"
              + instanceId
              + "'");
    }
    Map<String, String> overrides = new TreeMap<>(settings.overrides());
    overrides.put(
        StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instanceId);
    return new KafkaSettings(settings.bootstrapServers(), overrides);
  }

  /**
   * The configuration these options describe: the flags (which carry the environment) laid over
   * {@code defaults} in one step.
   *
   * @param defaults the settings no flag names (application id, intervals, retention, salt)
   * @return the validated configuration
   * @throws IllegalArgumentException if a flag is out of range
   */
  ConsensusConfig config(ConsensusConfig defaults) {
    return defaults
        .with()
        .decisionTimeoutMs(deadline.timeoutMs())
        .exactlyOnce(guarantee.exactlyOnce())
        .auditRate(audits.auditRate())
        .committees(
            new ConsensusConfig.Committees(
                redundancy.redundancy(),
                rosterIntervalMs,
                audits.newcomerAuditRate(),
                seatTimeoutMs))
        .build();
  }
}
