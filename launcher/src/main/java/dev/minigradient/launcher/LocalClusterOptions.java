package dev.minigradient.launcher;

import dev.minigradient.protocol.cli.Arguments;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The layout of a Kafka cluster on this machine (a picocli mixin), see {@link LocalCluster}. */
public final class LocalClusterOptions {
  @Option(
      names = "--brokers",
      defaultValue = "1",
      description =
          "Kafka nodes in the cluster, 1 or 3, each a broker and controller in one process (default: ${DEFAULT-VALUE}).")
  int brokers;

  @Option(
      names = "--kafka-port",
      defaultValue = "9092",
      description =
          "Client port of Kafka node 1 on 127.0.0.1; node i serves clients on PORT+i-1 and its controller on PORT+100+i-1 (default: ${DEFAULT-VALUE}).")
  int kafkaPort;

  /**
   * The layout these options describe.
   *
   * @param cmd the command, for a bad value's error
   * @return the layout
   * @throws CommandLine.ParameterException if a value is out of range
   */
  public LocalCluster cluster(CommandLine cmd) {
    return Arguments.read(cmd, () -> new LocalCluster(brokers, kafkaPort));
  }
}
