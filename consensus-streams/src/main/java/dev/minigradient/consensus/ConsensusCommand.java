package dev.minigradient.consensus;

import dev.minigradient.protocol.TopicAdmin;
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

  @Option(names = "--state-dir", defaultValue = "state/consensus", description = "State store directory (default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(names = "--timeout-ms", defaultValue = "10000", description = "Decision deadline after a task arrives, ms (default: ${DEFAULT-VALUE}).")
  long timeoutMs;

  @Option(names = "--at-least-once", description = "Use at_least_once instead of exactly_once_v2.")
  boolean atLeastOnce;

  @Option(names = "--partitions", defaultValue = "6", description = "Partitions of topics created if missing (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Override
  public Integer call() throws Exception {
    ConsensusConfig d = ConsensusConfig.defaults(kafka.settings(), stateDir);
    ConsensusConfig config =
        new ConsensusConfig(d.applicationId(), d.kafka(), stateDir, timeoutMs, d.punctuateIntervalMs(), d.retentionMs(), d.commitIntervalMs(), !atLeastOnce);
    TopicAdmin.ensureTopics(config.kafka(), partitions, Optional.empty(), Duration.ofSeconds(15));
    ConsensusService service = new ConsensusService(config);
    service.start();
    System.err.println("consensus-streams started via " + config.kafka().bootstrapServers());
    Shutdown.closeOnShutdown(service);
    return 0;
  }
}
