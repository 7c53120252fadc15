package dev.minigradient.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SummaryTest {
  @TempDir Path dir;

  private static Result decided(String name, int label, long latency) {
    Input in = new Input(name, null, new byte[] {1}, Input.labelOf(name), null);
    Consensus c =
        Consensus.builder()
            .taskId("t")
            .modelId("m")
            .name(name)
            .status(ConsensusStatus.DECIDED)
            .label(label)
            .confidence(0.9)
            .agreeingWeight(3)
            .totalWeight(3)
            .decidedAt(latency)
            .latencyMs(latency)
            .build();
    return new Result(in, "t", c, latency, null);
  }

  @Test
  void theTrueLabelComesFromTheFileName() {
    assertThat(Input.labelOf("mnist-00042-label-7.png")).isEqualTo(7);
    assertThat(Input.labelOf("x_label_3.jpg")).isEqualTo(3);
    assertThat(Input.labelOf("photo.png")).isNull();
  }

  @Test
  void summaryCountsAccuracyAndNearestRankPercentiles() {
    List<Result> rs = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      rs.add(decided("d-" + i + "-label-" + (i % 10) + ".png", i <= 90 ? i % 10 : (i + 1) % 10, i));
    }
    rs.add(
        new Result(
            new Input("gone.png", null, null, null, "no such file"),
            null,
            null,
            -1,
            "no such file"));
    // 101 tasks, 100 decided, 1 failed, 100 labelled, 90 correct, accuracy 0.9, latency p50 50 ms,
    // p99 99 ms, max 100 ms, over 1,000 ms: 100 tasks/s
    assertThat(Summary.of(rs, 1000))
        .isEqualTo(new Summary(101, 100, 1, 100, 90, 0.9, 50, 99, 100, 1000, 100.0));
  }

  @Test
  void foldersExpandToTheirFilesSortedAndMissingFilesBecomeErrors() throws Exception {
    Files.write(dir.resolve("b-label-2.png"), new byte[] {2});
    Files.write(dir.resolve("a-label-1.png"), new byte[] {1});
    Files.write(dir.resolve("labels.csv"), new byte[] {0});
    List<Input> in = Submitter.read(List.of(dir, dir.resolve("missing.png")));
    assertThat(in)
        .extracting(Input::name)
        .containsExactly("a-label-1.png", "b-label-2.png", "missing.png");
    assertThat(in.get(0).trueLabel()).isEqualTo(1);
    assertThat(in.get(2).error()).startsWith("no such file");
    // an empty file is its own row with its reason, not the end of the run
    Files.write(dir.resolve("empty.png"), new byte[0]);
    assertThat(Submitter.read(List.of(dir.resolve("empty.png"))))
        .singleElement()
        .extracting(Input::error)
        .isEqualTo("empty file");
  }
}
