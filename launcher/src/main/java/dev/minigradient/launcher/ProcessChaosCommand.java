package dev.minigradient.launcher;

import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code process-chaos}: {@link ProcessChaos} on a network of OS processes, by hand. */
@Command(
    name = "process-chaos",
    description = {
      "Starts the network on this machine with each component its own process (as local-network does), runs --tasks"
          + " tasks through it while a peer is killed with SIGKILL every few seconds and started again, the consensus app"
          + " is killed with SIGKILL once and started again, and (with --brokers 3) Kafka node 2 is stopped and started"
          + " again; then audits the topics as the replay command does, and stops every process.",
      "Prints the faults, the audit and, every 10 s, the decision latency (p50, p99, max) and each process's resident memory.",
      "Exit codes: 0 every task answered, no process crashed and the books consistent; 1 otherwise; 2 bad arguments."
    })
public final class ProcessChaosCommand extends ProcessChaosRun {
  @Option(
      names = "--tasks",
      defaultValue = "2000",
      description = "Tasks to submit; the samples are reused in turn (default: ${DEFAULT-VALUE}).")
  int tasks;

  /** Picocli makes it. */
  public ProcessChaosCommand() {}

  @Override
  protected int tasks() {
    return tasks;
  }

  @Override
  protected Duration window() {
    return Duration.ofSeconds(10);
  }
}
