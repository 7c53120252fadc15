package dev.minigradient.consensus;

import picocli.CommandLine.Option;

/** How often the referee audits votes by re-executing the model (a picocli mixin). */
public final class AuditOptions {
  @Option(
      names = "--audit-rate",
      defaultValue = "" + ConsensusConfig.DEFAULT_AUDIT_RATE,
      description =
          "Fraction of tasks whose votes are audited by re-executing the model, 0..1"
              + " (default: ${DEFAULT-VALUE}); 0 turns audits off.")
  double auditRate;

  @Option(
      names = "--newcomer-audit-rate",
      defaultValue = "" + ConsensusConfig.Committees.DEFAULT_NEWCOMER_AUDIT_RATE,
      description =
          "Audit rate of tasks on which a newcomer (a peer judged on fewer than 20 tasks) holds a seat,"
              + " 0..1 (default: ${DEFAULT-VALUE}).")
  double newcomerAuditRate;

  /**
   * The plain audit rate.
   *
   * @return a fraction of tasks, as given (validated by the config that uses it)
   */
  public double auditRate() {
    return auditRate;
  }

  /**
   * The audit rate of tasks a newcomer holds a seat on.
   *
   * @return a fraction of tasks, as given
   */
  public double newcomerAuditRate() {
    return newcomerAuditRate;
  }
}
