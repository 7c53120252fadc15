package dev.minigradient.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minigradient.model.InferenceEngine;
import dev.minigradient.model.ServedModel;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.worker.WorkerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The scale model's engine on the real MNIST model and sample digits. */
class FixedTimeEngineTest {
  private static ServedModel model;
  private static List<float[]> tensors;

  @BeforeAll
  static void open() throws Exception {
    model =
        ServedModel.open(
            ModelSpec.load(Path.of("..", "models", "mnist")), WorkerConfig.DEFAULT_MAX_PIXELS);
    List<Path> samples;
    try (Stream<Path> s = Files.list(Path.of("..", "models", "mnist", "samples"))) {
      samples = s.filter(p -> p.toString().endsWith(".png")).sorted().limit(5).toList();
    }
    tensors = new ArrayList<>();
    for (Path p : samples) {
      tensors.add(model.preprocessing().apply(Files.readAllBytes(p)));
    }
  }

  @AfterAll
  static void close() {
    model.engine().close();
  }

  /** The real engine, counting its runs. */
  private static final class Counting implements InferenceEngine {
    final AtomicInteger runs = new AtomicInteger();

    @Override
    public String modelId() {
      return model.engine().modelId();
    }

    @Override
    public int classCount() {
      return model.engine().classCount();
    }

    @Override
    public double[] probabilities(float[] input) {
      runs.incrementAndGet();
      return model.engine().probabilities(input);
    }

    @Override
    public void close() {}
  }

  @Test
  void answersWhatTheRealModelAnswersForEverySample() {
    // given
    FixedTimeEngine engine = new FixedTimeEngine(model.engine(), Duration.ofMillis(1));

    // when / then: the first (computed) and the second (cached) answer alike
    for (float[] t : tensors) {
      double[] real = model.engine().probabilities(t);
      assertThat(engine.probabilities(t)).containsExactly(real);
      assertThat(engine.probabilities(t)).containsExactly(real);
    }
    assertThat(engine.modelId()).isEqualTo(model.modelId());
    assertThat(engine.classCount()).isEqualTo(10);
  }

  @Test
  void runsTheRealModelOncePerDistinctInputAcrossThreads() throws Exception {
    // given
    Counting real = new Counting();
    FixedTimeEngine engine = new FixedTimeEngine(real, Duration.ofMillis(1));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      // when: each sample four times, from four threads, each time in a fresh array
      List<Future<double[]>> answers = new ArrayList<>();
      for (int round = 0; round < 4; round++) {
        for (float[] t : tensors) {
          float[] copy = t.clone();
          answers.add(pool.submit(() -> engine.probabilities(copy)));
        }
      }
      for (Future<double[]> f : answers) {
        assertThat(f.get()).hasSize(10);
      }
    } finally {
      pool.shutdownNow();
    }

    // then
    assertThat(real.runs.get()).isEqualTo(tensors.size());
    assertThat(engine.realRuns()).isEqualTo(tensors.size());
  }

  @Test
  void takesAtLeastTheFixedTimeEvenWhenTheAnswerIsCached() {
    // given
    FixedTimeEngine engine = new FixedTimeEngine(model.engine(), Duration.ofMillis(40));

    for (int call = 0; call < 2; call++) {
      // when
      long t0 = System.nanoTime();
      engine.probabilities(tensors.get(0));
      long elapsed = System.nanoTime() - t0;

      // then
      assertThat(elapsed).as("call %d", call).isGreaterThanOrEqualTo(40_000_000L);
    }
  }

  @Test
  void servingKeepsTheModelAndDecidesTheSameLabel() throws Exception {
    // given
    ServedModel timed = FixedTimeEngine.serving(model, Duration.ofMillis(1));
    byte[] image;
    try (Stream<Path> s = Files.list(Path.of("..", "models", "mnist", "samples"))) {
      image =
          Files.readAllBytes(
              s.filter(p -> p.toString().endsWith(".png")).sorted().findFirst().orElseThrow());
    }

    // when
    ServedModel.Prediction p = timed.infer(image);

    // then
    assertThat(timed.modelId()).isEqualTo(model.modelId());
    assertThat(timed.name()).isEqualTo(model.name());
    assertThat(timed.engine()).isInstanceOf(FixedTimeEngine.class);
    assertThat(p).isEqualTo(model.infer(image));
  }

  @Test
  void refusesANonPositiveTime() {
    assertThatThrownBy(() -> new FixedTimeEngine(model.engine(), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FixedTimeEngine(model.engine(), Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
