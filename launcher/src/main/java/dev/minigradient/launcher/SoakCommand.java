package dev.minigradient.launcher;

import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code soak}: a long {@link ProcessChaos} run, with memory and latency per minute. */
@Command(
    name = "soak",
    description = {
      "A long run of process-chaos: --tasks tasks through the network on this machine, each component its own process,"
          + " with the same faults (a peer killed with SIGKILL every few seconds, the consensus app once, with --brokers 3"
          + " a Kafka node stopped and started), then the audit of the topics.",
      "Every minute it records each process's resident memory (VmRSS from /proc/PID/status) and the decision latency"
          + " of the tasks answered in that minute (p50, p99, max); --markdown and --report write them with the audit.",
      "Exit codes: 0 every task answered, no process crashed and the books consistent; 1 otherwise; 2 bad arguments."
    })
public final class SoakCommand extends ProcessChaosRun {
  @Option(
      names = "--tasks",
      defaultValue = "100000",
      description = "Tasks to submit; the samples are reused in turn (default: ${DEFAULT-VALUE}).")
  int tasks;

  @Option(
      names = "--window-s",
      defaultValue = "60",
      description =
          "Seconds between two records of memory and latency (default: ${DEFAULT-VALUE}).")
  int windowSeconds;

  /** Picocli makes it. */
  public SoakCommand() {}

  @Override
  protected int tasks() {
    return tasks;
  }

  @Override
  protected Duration window() {
    return Duration.ofSeconds(windowSeconds);
  }
}
