package dev.minigradient.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.JsonSerde;
import dev.minigradient.protocol.Verdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The summary's arithmetic: counts, throughput per second and the latency distribution. */
class NetworkStatsTest {
  private static final long NOW = 1_000_000_500L; // half a second into a second

  /** Built from JSON, as the API reads it, so fields the record gains later keep their defaults. */
  private static Consensus decision(
      String id, ConsensusStatus status, long decidedAt, long latencyMs, Verdict... verdicts) {
    return JsonSerde.MAPPER.convertValue(
        fields(id, status, decidedAt, latencyMs, verdicts), Consensus.class);
  }

  /**
   * A decision of a committee (empty: every eligible peer), its escalation (or null) and model
   * runs.
   */
  private static Consensus committeeDecision(
      String id, List<String> committee, String escalation, int inferences, Verdict... verdicts) {
    Map<String, Object> c = fields(id, ConsensusStatus.DECIDED, NOW - 100, 20, verdicts);
    c.put("committee", committee);
    c.put("escalation", escalation);
    c.put("inferences", inferences);
    return JsonSerde.MAPPER.convertValue(c, Consensus.class);
  }

  /**
   * Decisions of committees of 3 (p1 holding two seats, escalated for a disagreement), 3, 1
   * (escalated for a disagreement) and every eligible peer (4, escalated for a silent seat), and
   * one no peer served: 3 + 3 + 4 + 1 seats, 13 model runs.
   */
  static List<Consensus> committeeDecisions() {
    return List.of(
        committeeDecision(
            "a", List.of("p1", "p1", "p2"), "disagreement", 4, Verdict.AGREED, Verdict.DISAGREED),
        committeeDecision(
            "b",
            List.of("p1", "p2", "p3"),
            null,
            3,
            Verdict.AGREED,
            Verdict.AGREED,
            Verdict.AGREED),
        committeeDecision(
            "c",
            List.of(),
            "missing-seat",
            4,
            Verdict.AGREED,
            Verdict.AGREED,
            Verdict.AGREED,
            Verdict.MISSED),
        committeeDecision("d", List.of("p2"), "disagreement", 2, Verdict.DRIFTED),
        committeeDecision("e", List.of(), null, 0));
  }

  private static Map<String, Object> fields(
      String id, ConsensusStatus status, long decidedAt, long latencyMs, Verdict... verdicts) {
    List<Map<String, Object>> vs = new ArrayList<>();
    for (int i = 0; i < verdicts.length; i++) {
      vs.add(Map.of("peerId", "p" + i, "label", 1, "verdict", verdicts[i].name()));
    }
    Map<String, Object> c = new HashMap<>();
    c.put("schemaVersion", 1);
    c.put("taskId", id);
    c.put("modelId", "m");
    c.put("status", status.name());
    c.put("label", status == ConsensusStatus.DECIDED ? 1 : null);
    c.put("confidence", 0.9);
    c.put("agreeingWeight", 2);
    c.put("totalWeight", 3);
    c.put("verdicts", vs);
    c.put("submittedAt", decidedAt - latencyMs);
    c.put("decidedAt", decidedAt);
    c.put("latencyMs", latencyMs);
    return c;
  }

  @Test
  void countsStatusesAndVerdictsIncludingTheZeros() {
    List<Consensus> history =
        List.of(
            decision(
                "a",
                ConsensusStatus.DECIDED,
                NOW - 500,
                20,
                Verdict.AGREED,
                Verdict.AGREED,
                Verdict.MISSED),
            decision(
                "b", ConsensusStatus.REJECTED, NOW - 400, 30, Verdict.AGREED, Verdict.INVALID));

    NetworkStats.Summary s = NetworkStats.summarize(history, NOW, 7, List.of("p0"), 3, 2);

    assertThat(s.tasksSubmitted()).isEqualTo(7);
    assertThat(s.tasksCompleted()).isEqualTo(1);
    assertThat(s.decisions()).isEqualTo(2);
    assertThat(s.byStatus())
        .containsEntry("DECIDED", 1L)
        .containsEntry("REJECTED", 1L)
        .containsEntry("NO_QUORUM", 0L)
        .hasSize(5);
    assertThat(s.verdicts())
        .containsEntry("AGREED", 3L)
        .containsEntry("MISSED", 1L)
        .containsEntry("INVALID", 1L)
        .containsEntry("DISAGREED", 0L)
        .hasSize(Verdict.values().length);
    assertThat(s.deadLetters()).isEqualTo(2);
  }

  @Test
  void throughputCountsDecisionsPerSecondOverTheLastMinute() {
    List<Consensus> history = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      history.add(
          decision(
              "now-" + i,
              ConsensusStatus.DECIDED,
              NOW - 1 - i * 10,
              5)); // 20 in the current second
    }
    history.add(decision("old", ConsensusStatus.DECIDED, NOW - 30_000, 5)); // 30 s ago
    history.add(
        decision("ancient", ConsensusStatus.DECIDED, NOW - 3_600_000, 5)); // outside the window

    NetworkStats.Summary s = NetworkStats.summarize(history, NOW, 0, List.of(), 0, 0);

    assertThat(s.throughput()).hasSize(NetworkStats.THROUGHPUT_SECONDS);
    assertThat(s.throughput().stream().mapToLong(NetworkStats.Second::decisions).sum())
        .isEqualTo(21);
    assertThat(s.throughput().get(NetworkStats.THROUGHPUT_SECONDS - 1).decisions()).isEqualTo(20);
    assertThat(s.throughputPerSecond()).isEqualTo(2.0); // 20 in the last 10 s
  }

  @Test
  void latencyHasNearestRankPercentilesAndABucketPerBound() {
    List<Consensus> history = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      history.add(
          decision("t" + i, ConsensusStatus.DECIDED, NOW - 1000 + i, i * 10L)); // 10..1000 ms
    }

    NetworkStats.Latency l = NetworkStats.summarize(history, NOW, 0, List.of(), 0, 0).latency();

    assertThat(l.count()).isEqualTo(100);
    assertThat(l.p50Ms()).isEqualTo(500);
    assertThat(l.p90Ms()).isEqualTo(900);
    assertThat(l.p99Ms()).isEqualTo(990);
    assertThat(l.maxMs()).isEqualTo(1000);
    assertThat(l.meanMs()).isEqualTo(505.0);
    assertThat(l.histogram()).hasSize(NetworkStats.LATENCY_BOUNDS_MS.length + 1);
    assertThat(l.histogram().get(0)).isEqualTo(new NetworkStats.Bucket(10L, 1)); // 10 ms
    assertThat(l.histogram().get(3)).isEqualTo(new NetworkStats.Bucket(100L, 5)); // 60..100 ms
    assertThat(l.histogram().stream().mapToLong(NetworkStats.Bucket::count).sum()).isEqualTo(100);
  }

  @Test
  void theTallyCountsEverythingButKeepsOnlyTheNewestLatencies() {
    // given 5,000 decisions over the last hour, added one by one as the feed reads them
    NetworkStats.Tally tally = new NetworkStats.Tally();
    for (int i = 0; i < 5_000; i++) {
      tally.add(
          decision(
              "t" + i, ConsensusStatus.DECIDED, NOW - 3_600_000 + i * 720L, i < 4_000 ? 5 : 50),
          NOW);
    }

    NetworkStats.Summary s = tally.summary(NOW, 5_000, List.of(), 0, 0);

    // then totals cover all of them, the latency only the newest 1,000 (all 50 ms)
    assertThat(s.decisions()).isEqualTo(5_000);
    assertThat(s.tasksCompleted()).isEqualTo(5_000);
    assertThat(s.latency().count()).isEqualTo(NetworkStats.LATENCY_WINDOW);
    assertThat(s.latency().p50Ms()).isEqualTo(50);
    // and the last minute holds the decisions made in it
    assertThat(s.throughput().stream().mapToLong(NetworkStats.Second::decisions).sum())
        .isBetween(82L, 84L);
  }

  @Test
  void committeesAreCountedBySeatsWithTheirEscalationsAndModelRuns() {
    // given decisions of committees of 3 (p1 holding two seats, escalated for a disagreement), 3,
    // 1 (escalated) and every peer (4, escalated for a silent seat), and one no peer served
    List<Consensus> history = committeeDecisions();

    // when summarized
    NetworkStats.Committees c =
        NetworkStats.summarize(history, NOW, 5, List.of(), 0, 0).committees();

    // then seats are counted by committee size, every-peer committees last, and averaged over
    // the decisions some peer served
    assertThat(c.bySeats())
        .containsExactly(Map.entry("1", 1L), Map.entry("3", 2L), Map.entry("all", 1L));
    assertThat(c.meanSeats()).isEqualTo((3 + 3 + 4 + 1) / 4.0);
    // and escalations by reason, model runs in all and per decision
    assertThat(c.escalations())
        .containsExactly(Map.entry("disagreement", 2L), Map.entry("missing-seat", 1L));
    assertThat(c.inferences()).isEqualTo(13);
    assertThat(c.inferencesPerDecision()).isEqualTo(13 / 5.0);
  }

  @Test
  void noDecisionsMeansNullFiguresNotZeros() {
    NetworkStats.Summary s = NetworkStats.summarize(List.of(), NOW, 0, List.of(), 0, 0);
    NetworkStats.Latency l = s.latency();
    assertThat(l.count()).isZero();
    assertThat(l.p50Ms()).isNull();
    assertThat(l.meanMs()).isNull();
    assertThat(s.committees().meanSeats()).isNull();
    assertThat(s.committees().inferencesPerDecision()).isNull();
    assertThat(s.committees().bySeats()).isEmpty();
    assertThat(s.committees().escalations()).isEmpty();
  }
}
