package dev.minigradient.consensus;

import dev.minigradient.model.ServedModel;
import dev.minigradient.model.preprocess.InputLimits;
import dev.minigradient.protocol.KeyKind;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.TopicAdmin;
import dev.minigradient.protocol.cli.Arguments;
import dev.minigradient.protocol.cli.ClusterCommand;
import dev.minigradient.protocol.cli.ModelsOptions;
import dev.minigradient.protocol.cli.PartitionsOption;
import dev.minigradient.protocol.cli.Shutdown;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

  @Override
  public Integer call() throws Exception {
    CommandLine cmd = new CommandLine(this);
    ConsensusConfig config =
        Arguments.read(cmd, () -> config(ConsensusConfig.defaults(kafka.settings(), stateDir)));
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
    ConsensusService service =
        new ConsensusService(config, Referee.of(served), KeyKind.SEALING.loadOrCreate(keyFile));
    service.start();
    System.err.println(
        "consensus-streams started via "
            + config.kafka().bootstrapServers()
            + ", processing guarantee "
            + (config.exactlyOnce() ? "exactly_once_v2" : "at_least_once"));
    Shutdown.closeOnShutdown(
        () -> {
          service.close();
          served.forEach(m -> m.engine().close());
        });
    return 0;
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
