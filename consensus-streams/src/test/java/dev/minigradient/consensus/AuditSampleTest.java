package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Verdict;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@link AuditSample}: which tasks the referee re-executes, without Kafka. */
class AuditSampleTest {
  private static final byte[] SALT = AuditSample.salt(42);

  private static Map<String, Reputation> ledgerWithVeteran() {
    Reputation veteran = ReputationRules.initial("veteran", 100);
    for (int i = 0; i < StakeWeights.PROBATION_VERDICTS; i++) {
      veteran =
          ReputationRules.apply(veteran, new PeerVerdict("veteran", 1, Verdict.AGREED, null), 0);
    }
    return Map.of("veteran", veteran);
  }

  @Test
  void aNewcomerOnTheCommitteeRaisesTheAuditRate() {
    Map<String, Reputation> ledger = ledgerWithVeteran();

    assertThat(AuditSample.rate(0.02, 0.2, List.of("veteran"), ledger::get)).isEqualTo(0.02);
    assertThat(AuditSample.rate(0.02, 0.2, List.of("veteran", "new"), ledger::get)).isEqualTo(0.2);
    assertThat(AuditSample.rate(0.3, 0.2, List.of("new"), ledger::get))
        .as("never lowered")
        .isEqualTo(0.3);
    assertThat(AuditSample.rate(0.02, 0.2, List.of(), ledger::get))
        .as("no committee")
        .isEqualTo(0.02);
  }

  @Test
  void theSampleFollowsTheRate() {
    long audited =
        IntStream.range(0, 10_000).filter(i -> AuditSample.isAudited(SALT, "t" + i, 0.2)).count();

    assertThat(audited).isBetween(1_900L, 2_100L);
    assertThat(IntStream.range(0, 1_000).noneMatch(i -> AuditSample.isAudited(SALT, "t" + i, 0)))
        .isTrue();
    assertThat(IntStream.range(0, 1_000).allMatch(i -> AuditSample.isAudited(SALT, "t" + i, 1)))
        .isTrue();
  }

  @Test
  void theSampleDependsOnTheSecretSaltNotOnlyOnTheTask() {
    Set<Integer> one = sample(AuditSample.salt(1));
    Set<Integer> again = sample(AuditSample.salt(1));
    Set<Integer> other = sample(AuditSample.salt(2));

    assertThat(again).isEqualTo(one);
    assertThat(other).isNotEqualTo(one);
  }

  @Test
  void aTaskIsSampledAtTheRateItsSeatsGiveIt() {
    Map<String, Reputation> ledger = ledgerWithVeteran();
    // a task in the sample at 20% but not at 2%
    String taskId =
        IntStream.range(0, 10_000)
            .mapToObj(i -> "t" + i)
            .filter(
                t -> AuditSample.isAudited(SALT, t, 0.2) && !AuditSample.isAudited(SALT, t, 0.02))
            .findFirst()
            .orElseThrow();

    assertThat(AuditSample.sampled(SALT, taskId, 0.02, 0.2, List.of("veteran"), ledger::get))
        .isFalse();
    assertThat(AuditSample.sampled(SALT, taskId, 0.02, 0.2, List.of("veteran", "new"), ledger::get))
        .isTrue();
  }

  private static Set<Integer> sample(byte[] salt) {
    return IntStream.range(0, 2_000)
        .filter(i -> AuditSample.isAudited(salt, "t" + i, 0.1))
        .boxed()
        .collect(Collectors.toSet());
  }
}
