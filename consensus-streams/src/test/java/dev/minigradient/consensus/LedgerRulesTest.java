package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.minigradient.protocol.AuditResult;
import dev.minigradient.protocol.Peer;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Verdict;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ReputationRules} and {@link StakeWeights}, rule by rule, without Kafka. */
class LedgerRulesTest {
  private static final double EPS = 1e-12;

  private static Reputation after(Reputation r, Verdict v) {
    return ReputationRules.apply(r, new PeerVerdict(r.peerId(), 1, v, null), 1_000_000L);
  }

  @Test
  void aFreshEntryHoldsItsBondAsStakeAndTheInitialScore() {
    Reputation r = ReputationRules.initial("p", 100);
    assertThat(r.score()).isEqualTo(ReputationRules.INITIAL_SCORE);
    assertThat(r.bond()).isEqualTo(100);
    assertThat(r.stake()).isEqualTo(100);
    assertThat(ReputationRules.initial("p", 1_000_000).bond())
        .as("a declared stake counts up to the most bond")
        .isEqualTo(ReputationRules.MAX_BOND);
    assertThat(ReputationRules.initial("p", Double.NaN).stake()).isZero();
    assertThat(ReputationRules.initial("p", -5).stake()).isZero();
  }

  @Test
  void eachVerdictMovesTheScoreByItsOwnAmountInTheDocumentedOrder() {
    Reputation r = ReputationRules.initial("p", 100);
    double s = r.score();
    double agreed = after(r, Verdict.AGREED).score();
    double late = after(r, Verdict.LATE).score();
    double missed = after(r, Verdict.MISSED).score();
    double disagreed = after(r, Verdict.DISAGREED).score();
    double invalid = after(r, Verdict.INVALID).score();

    assertThat(agreed).isCloseTo(s + ReputationRules.ALPHA * (1 - s), within(EPS));
    assertThat(late)
        .isCloseTo(
            s - ReputationRules.ALPHA * (1 - ReputationRules.LATE_TARGET_FACTOR) * s, within(EPS));
    assertThat(missed)
        .isCloseTo(
            s - ReputationRules.ALPHA * (1 - ReputationRules.MISSED_TARGET_FACTOR) * s,
            within(EPS));
    assertThat(disagreed).isCloseTo(s * (1 - ReputationRules.ALPHA), within(EPS));
    assertThat(invalid).isCloseTo(s * (1 - ReputationRules.INVALID_RATE), within(EPS));
    // a late correct vote costs half of a missed one, a missed one half of a wrong one
    assertThat(s - late).isCloseTo((s - missed) / 2, within(EPS));
    assertThat(s - missed).isCloseTo((s - disagreed) / 2, within(EPS));
    assertThat(after(r, Verdict.UNDECIDED).score()).isEqualTo(s);
    assertThat(after(r, Verdict.UNDECIDED).judged()).isZero();
  }

  @Test
  void silenceCostsScorePerSecondNotPerTask() {
    Reputation r = ReputationRules.initial("p", 100);
    // a thousand tasks missed within one second lower the score once, and all count
    Reputation burst = r;
    for (int i = 0; i < 1000; i++) {
      burst =
          ReputationRules.apply(
              burst, new PeerVerdict("p", null, Verdict.MISSED, null), 10_000 + i / 2);
    }
    assertThat(burst.missed()).isEqualTo(1000);
    assertThat(burst.score()).isCloseTo(after(r, Verdict.MISSED).score(), within(EPS));
    // and a late vote in that same second (a restarted peer catching up) is counted, not charged
    Reputation caughtUp =
        ReputationRules.apply(burst, new PeerVerdict("p", 1, Verdict.LATE, null), 10_600);
    assertThat(caughtUp.late()).isEqualTo(1);
    assertThat(caughtUp.score()).isEqualTo(burst.score());
    // a second later the next miss lowers it again
    Reputation later =
        ReputationRules.apply(
            burst,
            new PeerVerdict("p", null, Verdict.MISSED, null),
            10_000 + ReputationRules.MISSED_PENALTY_INTERVAL_MS);
    assertThat(later.score()).isLessThan(burst.score());
    assertThat(later.lapsePenalizedAt())
        .isEqualTo(10_000 + ReputationRules.MISSED_PENALTY_INTERVAL_MS);
  }

  @Test
  void eachVerdictIsCountedOnceAndOnlyInvalidSlashes() {
    Reputation r = ReputationRules.initial("p", 100);
    for (Verdict v : List.of(Verdict.AGREED, Verdict.LATE, Verdict.MISSED, Verdict.DISAGREED)) {
      Reputation next = after(r, v);
      assertThat(next.judged()).as(v.name()).isEqualTo(1);
      assertThat(next.stake()).as(v.name()).isEqualTo(100);
      assertThat(next.slashed()).as(v.name()).isZero();
    }
    Reputation invalid = after(r, Verdict.INVALID);
    assertThat(invalid.invalid()).isEqualTo(1);
    assertThat(invalid.slashed()).isCloseTo(100 * ReputationRules.SLASH_INVALID, within(EPS));
    assertThat(invalid.stake()).isCloseTo(100 * (1 - ReputationRules.SLASH_INVALID), within(EPS));
    // slashing is proportional: a second invalid vote takes a tenth of what is left
    Reputation twice = after(invalid, Verdict.INVALID);
    assertThat(twice.stake())
        .isCloseTo(100 * Math.pow(1 - ReputationRules.SLASH_INVALID, 2), within(EPS));
    assertThat(twice.stake())
        .isCloseTo(twice.bond() + twice.rewards() - twice.slashed(), within(EPS));
  }

  @Test
  void rewardsRaiseStakeUnlessTheAuditFailedWhichZeroesTheScoreAndSlashesHalf() {
    Reputation r = ReputationRules.initial("p", 100);
    Reputation paid =
        ReputationRules.apply(
            r, new PeerVerdict("p", 1, Verdict.AGREED, null, 1, AuditResult.PASSED, 0.25), 1L);
    assertThat(paid.rewards()).isEqualTo(0.25);
    assertThat(paid.stake()).isEqualTo(100.25);
    assertThat(paid.audited()).isEqualTo(1);
    assertThat(paid.auditFailed()).isZero();

    Reputation caught =
        ReputationRules.apply(
            paid, new PeerVerdict("p", 1, Verdict.AGREED, null, 1, AuditResult.FAILED, 0.25), 2L);
    assertThat(caught.score()).isZero();
    assertThat(caught.rewards()).isEqualTo(0.25);
    assertThat(caught.slashed()).isCloseTo(100.25 * ReputationRules.SLASH_AUDIT, within(EPS));
    assertThat(caught.stake()).isCloseTo(100.25 * (1 - ReputationRules.SLASH_AUDIT), within(EPS));
    assertThat(caught.auditFailed()).isEqualTo(1);
    assertThat(caught.updatedAt()).isEqualTo(2L);

    for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, -1}) {
      assertThat(
              ReputationRules.apply(
                      r, new PeerVerdict("p", 1, Verdict.AGREED, null, 1, null, bad), 1L)
                  .stake())
          .isEqualTo(100);
    }
  }

  @Test
  void aLiarFallsBelowAnHonestPeerWithinAFewTasks() {
    Reputation honest = ReputationRules.initial("h", 100);
    Reputation liar = ReputationRules.initial("l", 100);
    int k = 0;
    while (liar.score() >= honest.score()) {
      honest = after(honest, Verdict.AGREED);
      liar = after(liar, k % 2 == 0 ? Verdict.DISAGREED : Verdict.AGREED); // right half the time
      k++;
    }
    assertThat(k).isLessThanOrEqualTo(2);
  }

  private static Peer peer(String id, double stake) {
    return Peer.builder()
        .peerId(id)
        .publicKey("key")
        .stake(stake)
        .models(List.of("m"))
        .hardware("test")
        .heartbeatIntervalMs(2_000)
        .build();
  }

  private static Reputation established(String id, double stake, double score) {
    return Reputation.initial(id, score, stake).toBuilder()
        .agreed(StakeWeights.PROBATION_VERDICTS)
        .build();
  }

  @Test
  void weightIsLedgerStakeTimesScoreAndRegistryStakeForAPeerNotInTheLedger() {
    Map<String, Peer> peers = new LinkedHashMap<>();
    peers.put("a", peer("a", 999));
    peers.put("b", peer("b", 40));
    Map<String, Reputation> ledger = Map.of("a", established("a", 100, 0.8));
    Map<String, Double> w = new StakeWeights().weights(peers, ledger::get);
    assertThat(w.get("a")).isCloseTo(80, within(EPS));
    // b is a newcomer with 40 x 0.5 = 20, under the cap of 0.25 x 80
    assertThat(w.get("b")).isCloseTo(20, within(EPS));
  }

  @Test
  void anyNumberOfNewcomersHoldsAtMostAFifthOfTheTotalWeight() {
    Map<String, Peer> peers = new LinkedHashMap<>();
    Map<String, Reputation> ledger = new HashMap<>();
    for (String id : List.of("h1", "h2", "h3")) {
      peers.put(id, peer(id, 100));
      ledger.put(id, established(id, 100, 0.9));
    }
    for (int i = 0; i < 1000; i++) {
      peers.put("sybil-" + i, peer("sybil-" + i, 1_000_000));
    }
    Map<String, Double> w = new StakeWeights().weights(peers, ledger::get);
    double established = w.get("h1") + w.get("h2") + w.get("h3");
    double newcomers =
        w.entrySet().stream()
            .filter(e -> e.getKey().startsWith("sybil"))
            .mapToDouble(Map.Entry::getValue)
            .sum();
    assertThat(established).isCloseTo(270, within(1e-9));
    assertThat(newcomers).isCloseTo(StakeWeights.NEWCOMER_SHARE * established, within(1e-6));
    assertThat(newcomers / (established + newcomers))
        .isLessThanOrEqualTo(0.2 + 1e-12)
        .isLessThan(1.0 / 3);
    // the cap scales newcomers together: equal stakes keep equal weights
    assertThat(w.get("sybil-0")).isCloseTo(w.get("sybil-999"), within(EPS));
  }

  @Test
  void withNoEstablishedPeerNewcomersCountAtFullWeightAndBadNumbersCountZero() {
    Map<String, Peer> peers = new LinkedHashMap<>();
    peers.put("a", peer("a", 100));
    peers.put("b", peer("b", 50));
    peers.put("c", peer("c", Double.NaN));
    peers.put("d", peer("d", -10));
    Map<String, Double> w = new StakeWeights().weights(peers, id -> null);
    assertThat(w)
        .containsEntry("a", 50.0)
        .containsEntry("b", 25.0)
        .containsEntry("c", 0.0)
        .containsEntry("d", 0.0);
    peers.put("whale", peer("whale", 1_000_000));
    assertThat(new StakeWeights().weights(peers, id -> null))
        .containsEntry("whale", ReputationRules.MAX_BOND * ReputationRules.INITIAL_SCORE);
  }

  @Test
  void aPeerBecomesEstablishedAfterItsProbation() {
    Map<String, Peer> peers = new LinkedHashMap<>();
    peers.put("old", peer("old", 100));
    peers.put("new", peer("new", 100));
    Reputation almost =
        Reputation.initial("new", 1.0, 100).toBuilder()
            .agreed(StakeWeights.PROBATION_VERDICTS - 1)
            .build();
    Reputation done = established("new", 100, 1.0);
    Reputation old = established("old", 100, 1.0);
    assertThat(new StakeWeights().weights(peers, id -> id.equals("old") ? old : almost).get("new"))
        .isCloseTo(25, within(EPS));
    assertThat(new StakeWeights().weights(peers, id -> id.equals("old") ? old : done).get("new"))
        .isCloseTo(100, within(EPS));
  }
}
