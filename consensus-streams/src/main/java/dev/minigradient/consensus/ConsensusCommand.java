package dev.minigradient.consensus;

import dev.minigradient.model.ServedModel;
import dev.minigradient.model.preprocess.InputLimits;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.Redundancy;
import dev.minigradient.protocol.Sealing;
import dev.minigradient.protocol.TopicAdmin;
import dev.minigradient.protocol.cli.ModelRegistryOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import dev.minigradient.protocol.cli.KafkaOptions;
import dev.minigradient.protocol.cli.Shutdown;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code consensus-streams}: runs the consensus Streams application until interrupted. */
@Command(
    name = "consensus-streams",
    mixinStandardHelpOptions = true,
    description = "Runs the Kafka Streams app that turns votes into one consensus per task and keeps the reputation KTable.")
public final class ConsensusCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;

  @Option(names = "--state-dir", defaultValue = "${env:MG_STATE_DIR:-state}/consensus", description = "State store directory (env MG_STATE_DIR names its parent; default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(names = "--timeout-ms", defaultValue = "10000", description = "Decision deadline after a task arrives, ms (default: ${DEFAULT-VALUE}).")
  long timeoutMs;

  @Option(names = "--exactly-once", defaultValue = "${env:MG_EXACTLY_ONCE:-false}", description = "(env MG_EXACTLY_ONCE=true) Use exactly_once_v2 instead of at_least_once: no decision or settlement is ever written twice, but decisions reach requesters only at the next commit (about 100 ms later at the default commit interval).")
  boolean exactlyOnce;

  @Option(names = "--audit-rate", defaultValue = "0.02", description = "Fraction of tasks whose votes are audited by re-executing the model, 0..1 (default: ${DEFAULT-VALUE}); 0 turns audits off.")
  double auditRate;

  @Option(names = "--redundancy", defaultValue = "${env:MG_REDUNDANCY:-3}", description = "(env MG_REDUNDANCY) Committee seats of a task that names none: a positive integer, or 'all' for every active peer (default: ${DEFAULT-VALUE}).")
  String redundancy;

  @Option(names = "--roster-interval-ms", defaultValue = "1000", description = "How often the committee roster (candidates, weights, beacon) changes, ms (default: ${DEFAULT-VALUE}).")
  long rosterIntervalMs;

  @Option(names = "--seat-timeout-ms", defaultValue = "2000", description = "A committee seat silent this long after its task arrived is replaced by its next-ranked candidate; a replacement silent as long again escalates the task to the referee, ms (default: ${DEFAULT-VALUE}).")
  long seatTimeoutMs;

  @Option(names = "--newcomer-audit-rate", defaultValue = "0.2", description = "Audit rate of tasks on which a peer judged on fewer than 20 tasks holds a seat, 0..1 (default: ${DEFAULT-VALUE}).")
  double newcomerAuditRate;

  @Option(names = "--model", defaultValue = "mnist,fashion-mnist", split = ",", description = "Models the referee can re-execute for audits and escalations (default: ${DEFAULT-VALUE}).")
  List<String> models;

  @Mixin ModelRegistryOptions registry;

  @Option(names = "--seal-key-file", description = "X25519 key pair peers seal their votes to, created if missing; every instance of the app needs the same one (default: $MG_HOME/state/keys/consensus-seal.key).")
  Path sealKeyFile;

  @Option(names = "--partitions", defaultValue = "6", description = "Partitions of topics created if missing (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Override
  public Integer call() throws Exception {
    ConsensusConfig d = ConsensusConfig.defaults(kafka.settings(), stateDir);
    ConsensusConfig config;
    List<ModelSpec> specs;
    try {
      config = d.withTiming(timeoutMs, d.commitIntervalMs(), exactlyOnce).withAuditRate(auditRate)
          .withCommittees(new ConsensusConfig.Committees(Redundancy.parse(redundancy), rosterIntervalMs, newcomerAuditRate, seatTimeoutMs));
      specs = models.stream().map(registry::resolve).toList();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
    }
    TopicAdmin.ensureTopics(config.kafka(), partitions, Optional.empty(), Duration.ofSeconds(15));
    List<ServedModel> served = new ArrayList<>();
    for (ModelSpec spec : specs) {
      served.add(ServedModel.open(spec, InputLimits.MAX_PIXELS));
    }
    Path keyFile = sealKeyFile != null ? sealKeyFile : Path.of(System.getenv().getOrDefault("MG_HOME", "."), "state", "keys", "consensus-seal.key");
    ConsensusService service = new ConsensusService(config, Referee.of(served), Sealing.loadOrCreate(keyFile));
    service.start();
    System.err.println("consensus-streams started via " + config.kafka().bootstrapServers() + ", processing guarantee "
        + (config.exactlyOnce() ? "exactly_once_v2" : "at_least_once"));
    Shutdown.closeOnShutdown(
        () -> {
          service.close();
          served.forEach(m -> m.engine().close());
        });
    return 0;
  }
}
