package dev.minigradient.producer;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;

/**
 * What became of one input.
 *
 * @param input the input
 * @param taskId its task id, or null if it was never submitted
 * @param consensus the network's answer, or null
 * @param latencyMs from submission to the requester reading the answer, ms; -1 if none
 * @param error why there is no answer (unreadable file, no answer before the timeout), or null
 */
public record Result(
    Input input, String taskId, Consensus consensus, long latencyMs, String error) {

  /**
   * Whether the network decided a label for this input.
   *
   * @return true for a {@link ConsensusStatus#DECIDED} consensus
   */
  public boolean decided() {
    return consensus != null && consensus.status() == ConsensusStatus.DECIDED;
  }

  /**
   * Whether the decided label equals the label in the file name.
   *
   * @return true if decided and correct; false otherwise (also when no true label is known)
   */
  public boolean correct() {
    return decided() && input.trueLabel() != null && input.trueLabel().equals(consensus.label());
  }

  /**
   * A one-word status for output: the consensus status, or {@code ERROR}.
   *
   * @return the status
   */
  public String status() {
    return consensus != null ? consensus.status().name() : "ERROR";
  }

  /**
   * The reason the input failed, if it did.
   *
   * @return the error, the rejection reason, or null for a decided input
   */
  public String failure() {
    if (error != null) {
      return error;
    }
    if (consensus == null) {
      return "no answer";
    }
    return switch (consensus.status()) {
      case DECIDED -> null;
      case REJECTED -> "rejected: " + consensus.rejection();
      case NO_QUORUM -> "no quorum";
      case TIMED_OUT -> "timed out: no peer answered";
      case UNSUPPORTED_MODEL -> "unsupported model: no active peer serves " + consensus.modelId();
    };
  }
}
