package dev.minigradient.api;

import static dev.minigradient.api.NetworkStatsTest.committeeDecisions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.testing.Promtool;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committee figures in the Prometheus text: escalations, model runs and seats. */
class ApiMetricsTest {
  @TempDir Path stateDir;

  private NetworkViews views;
  private LiveFeed feed;
  private ApiMetrics metrics;

  @BeforeEach
  void registerMeters() {
    KafkaSettings nowhere = new KafkaSettings("127.0.0.1:9", Map.of());
    views = new NetworkViews(nowhere, "metrics-test", stateDir);
    feed = new LiveFeed(nowhere, LiveFeed.Limits.DEFAULT);
    metrics = new ApiMetrics(views.streams(), feed);
  }

  @AfterEach
  void close() {
    metrics.close();
    views.close();
  }

  /** The value of one sample line, e.g. {@code mg_inferences_total 13.0}. */
  private static double sample(String text, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
    assertThat(m.find()).as(series + " in\n" + text).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void escalationsByReasonModelRunsAndSeatsAreCountedFromTheDecisions() throws Exception {
    // given decisions of committees of 3, 3, 1 and every eligible peer (4), escalated twice for a
    // disagreement and once for a silent seat, and one no peer served (no seats)
    List<Consensus> decisions = committeeDecisions();

    // when the feed hands each over as it arrives and the next summary is taken
    decisions.forEach(metrics::record);
    metrics.update(
        new NetworkStats.Snapshot(
            NetworkStats.summarize(decisions, System.currentTimeMillis(), 5, List.of(), 0, 0),
            Map.of(),
            Map.of()));
    String text = metrics.scrape();

    // then the escalations are counted by reason, the model runs in all, and the seats per decision
    assertThat(sample(text, "mg_escalations_total{reason=\"disagreement\"}")).isEqualTo(2);
    assertThat(sample(text, "mg_escalations_total{reason=\"missing-seat\"}")).isEqualTo(1);
    assertThat(text).contains("# TYPE mg_escalations_total counter");
    assertThat(sample(text, "mg_inferences_total")).isEqualTo(13);
    assertThat(sample(text, "mg_committee_seats_count")).isEqualTo(4);
    assertThat(sample(text, "mg_committee_seats_sum")).isEqualTo(3 + 3 + 4 + 1);
    assertThat(sample(text, "mg_committee_seats_bucket{le=\"1.0\"}")).isEqualTo(1);
    assertThat(sample(text, "mg_committee_seats_bucket{le=\"3.0\"}")).isEqualTo(3);
    Promtool.assertValid(text, stateDir);
  }

  @Test
  void beforeAnySummaryModelRunsAreZeroAndNoEscalationIsListed() throws Exception {
    String text = metrics.scrape();

    assertThat(sample(text, "mg_inferences_total")).isZero();
    assertThat(sample(text, "mg_committee_seats_count")).isZero();
    assertThat(text).doesNotContain("mg_escalations_total{");
    Promtool.assertValid(text, stateDir);
  }
}
