package dev.minigradient.protocol;

import java.util.List;

/** The unsigned vote in the clear that the signature, sealing and wire tests start from. */
final class SampleVotes {
  private SampleVotes() {}

  /** Peer p1's answer 7 to task t1, unsigned and in the clear. */
  static Vote answer(List<Double> probabilities) {
    return Vote.builder()
        .taskId("t1")
        .peerId("p1")
        .modelId("m".repeat(64))
        .inputSha256("h".repeat(64))
        .label(7)
        .probabilities(probabilities)
        .inferenceMs(1.2)
        .votedAt(5L)
        .build();
  }
}
