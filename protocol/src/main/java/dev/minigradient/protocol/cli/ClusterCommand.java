package dev.minigradient.protocol.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * A command that works against a Kafka cluster (a picocli base class): {@code --help} and {@code
 * --version}, and the Kafka options. A subclass's own {@code @Command} adds its name and
 * description.
 */
@Command(mixinStandardHelpOptions = true)
public abstract class ClusterCommand implements Callable<Integer> {
  /** The cluster and the client settings for it. */
  @Mixin protected KafkaOptions kafka;

  /** For subclasses. */
  protected ClusterCommand() {}
}
