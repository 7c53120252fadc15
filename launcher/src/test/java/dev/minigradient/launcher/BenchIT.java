package dev.minigradient.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minigradient.protocol.JsonSerde;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench --quick} end to end on the in-JVM broker: a CI smoke of the report's shape and of
 * the baselines it derives (never of its timings).
 */
class BenchIT {
  @TempDir Path tmp;

  @Test
  void quickBenchWritesEverySectionWithItsBaselineAndRatio() throws Exception {
    // given
    Path dir = tmp.resolve("report");

    // when
    CliRun run = quickBench(dir);

    // then
    assertThat(run.exitCode()).as(run.err()).isZero();
    String md = Files.readString(dir.resolve("bench.md"));
    JsonNode json = JsonSerde.MAPPER.readTree(dir.resolve("bench.json").toFile());
    assertThat(json.at("/machine/cores").asInt()).isPositive();
    assertThat(json.at("/machine/cpu").asText()).isNotBlank();
    for (String section : BenchReport.SECTIONS) {
      assertThat(md).contains("## " + section);
      JsonNode figures = json.at("/sections/" + section);
      assertThat(figures.isArray() && figures.size() > 0).as(section).isTrue();
      for (JsonNode f : figures) {
        assertThat(f.get("baseline").asText()).as(section).isNotBlank();
        assertThat(f.has("baseline_value") || f.has("baselineValue"))
            .as(section + ": " + f)
            .isTrue();
        assertThat(f.has("ratio")).as(section).isTrue();
        assertThat(f.get("value").isNumber()).as(section).isTrue();
      }
    }
    assertThat(md).contains("| figure | value | baseline | baseline value | ratio | goal | met |");
    assertThat(run.out()).contains("## throughput");

    // the peers' CPU ceiling is computed from this run's raw loop: cores x its rate / peers
    double raw = figure(json, "worker", "raw loop with hash + sign + seal").get("value").asDouble();
    JsonNode ceiling = null;
    for (JsonNode f : json.at("/sections/throughput")) {
      if (f.get("baseline").asText().startsWith("CPU ceiling of the peers' work alone")) {
        ceiling = f;
      }
    }
    assertThat(ceiling).as("a throughput figure against the peers' CPU ceiling").isNotNull();
    assertThat(baselineValue(ceiling))
        .isCloseTo(json.at("/machine/cores").asInt() * raw / 3, Percentage.withPercentage(0.1));
    assertNotesSay(json, "bound", "CPU");

    // committees: 15 peers against 3, both at k = 3, timed after every peer has served its
    // probation
    JsonNode scaling = figure(json, "scaling", "15 peers, k = 3: throughput");
    assertThat(scaling.get("baseline").asText()).isEqualTo("3 peers, k = 3");
    assertThat(scaling.get("goal").asText()).isEqualTo(">= 0.90");
    JsonNode inferences =
        figure(json, "scaling", "15 peers, k = 3: inferences per task (seated peers + referee)");
    assertThat(baselineValue(inferences)).isEqualTo(3.0);
    assertThat(inferences.get("value").asDouble())
        .as("at least 2 distinct seated peers, at most k plus the referee")
        .isBetween(2.0, 4.0);
    assertNotesSay(json, "untimed tasks", "judged on 20 tasks");

    // what each decided task wrote to the broker, against the budget, by topic in the notes
    JsonNode records =
        figure(
            json,
            "throughput",
            "3 peers, k = 3, at_least_once: records written to the broker per task");
    assertThat(records.get("value").asDouble())
        .as("at least the task, its 3 votes and its decision")
        .isGreaterThanOrEqualTo(5.0);
    assertThat(baselineValue(records)).isEqualTo(BrokerFootprint.RECORDS_BUDGET);
    assertNotesSay(json, "inference.tasks 1.0", "inference.votes 3.0");

    // the consensus stage alone against a bare Streams app draining the same backlog
    JsonNode stage =
        figure(
            json,
            "consensus",
            "one consensus instance draining a backlog of 300 tasks (3 votes each)");
    assertThat(stage.has("goal")).as("--quick: too small a backlog to hold a goal").isFalse();
    assertNotesSay(json, "the figure carries no goal");
    assertThat(stage.get("value").asDouble()).isPositive();
    assertThat(baselineValue(stage)).isPositive();

    // the scale model: every network size against linear scaling, N / k x one peer's rate
    for (int n : ScaleModel.Settings.of(true).peerCounts()) {
      JsonNode f =
          figure(
              json,
              "scale",
              n
                  + " peers, k = 3: tasks/s, "
                  + ScaleModel.IN_FLIGHT_PER_PEER
                  + " x peers in flight");
      assertThat(baselineValue(f))
          .as(n + " peers")
          .isCloseTo(
              n / (double) Math.min(3, n) * 1000.0 / ScaleModel.INFERENCE_MS,
              Percentage.withPercentage(0.1));
      assertThat(f.get("goal").asText()).isEqualTo(">= 0.80");
      assertThat(f.get("value").asDouble()).as(n + " peers").isPositive();
    }
  }

  /**
   * Runs {@code bench --quick} on the repository's models and samples, reporting into {@code dir}.
   */
  private static CliRun quickBench(Path dir, String... options) {
    List<String> args = new ArrayList<>(List.of("bench", "--quick"));
    args.addAll(List.of(options));
    args.addAll(
        List.of(
            "--report-dir",
            dir.toString(),
            "--models-dir",
            Path.of("..", "models").toString(),
            "--samples",
            Path.of("..", "models", "mnist", "samples").toString()));
    return CliRun.of(args.toArray(String[]::new));
  }

  private static double baselineValue(JsonNode f) {
    return (f.has("baseline_value") ? f.get("baseline_value") : f.get("baselineValue")).asDouble();
  }

  /** Asserts that the report's notes, together, say each of {@code phrases}. */
  private static void assertNotesSay(JsonNode json, String... phrases) {
    assertThat(json.get("notes").toString()).contains(phrases);
  }

  private static JsonNode figure(JsonNode json, String section, String name) {
    for (JsonNode f : json.at("/sections/" + section)) {
      if (f.get("name").asText().equals(name)) {
        return f;
      }
    }
    throw new AssertionError("no figure " + name + " in " + section);
  }

  @Test
  void onlyWorkerRunsTheWorkerSectionWithASeparateWorkerProcess() throws Exception {
    // given
    Path dir = tmp.resolve("worker");

    // when
    CliRun run = quickBench(dir, "--only", "worker");

    // then
    assertThat(run.exitCode()).as(run.err()).isZero();
    String md = Files.readString(dir.resolve("bench.md"));
    assertThat(md)
        .contains("## worker")
        .doesNotContain("## latency")
        .doesNotContain("## throughput")
        .doesNotContain("## scale");
    JsonNode json = JsonSerde.MAPPER.readTree(dir.resolve("bench.json").toFile());
    assertThat(json.at("/sections/latency").size()).isZero();
    JsonNode rss = null;
    JsonNode pair = null;
    for (JsonNode f : json.at("/sections/worker")) {
      String name = f.get("name").asText();
      if (name.contains("peak RSS")) {
        rss = f;
      } else if (name.startsWith("2 instances")) {
        pair = f;
      }
    }
    assertThat(rss).as("the worker process's memory figure").isNotNull();
    assertThat(rss.get("value").asDouble()).as("RSS of a running JVM, MiB").isGreaterThan(10);
    assertThat(pair).as("two instances of one peer").isNotNull();
    assertThat(pair.get("value").asDouble()).isPositive();
  }
}
