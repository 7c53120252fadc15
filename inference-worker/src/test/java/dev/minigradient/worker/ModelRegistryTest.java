package dev.minigradient.worker;

import dev.minigradient.protocol.ModelSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minigradient.protocol.JsonSerde;
import dev.minigradient.protocol.ModelIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every committed model reaches its card's numbers through the peers' own inference path. */
class ModelRegistryTest {
  private static final Path MODELS = Path.of("..", "models");

  static Stream<Path> registry() throws Exception {
    try (Stream<Path> s = Files.list(MODELS)) {
      List<Path> dirs = s.filter(d -> Files.isRegularFile(d.resolve("model.json"))).sorted().toList();
      assertThat(dirs).as("models with a model.json").isNotEmpty();
      return dirs.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("registry")
  void theCardsModelIdIsTheFilesSha256(Path dir) throws Exception {
    ModelSpec spec = ModelSpec.load(dir);
    JsonNode metrics = JsonSerde.MAPPER.readTree(dir.resolve("metrics.json").toFile());
    String id = ModelIds.of(spec.onnx());
    assertThat(metrics.get("model_id_sha256").asText()).isEqualTo(id);
    assertThat(Files.readString(dir.resolve("MODEL_CARD.md"))).contains(id);
    assertThat(spec.labels()).hasSize(10);
  }

  @ParameterizedTest
  @MethodSource("registry")
  void theSamplesScoreWhatTheTrainerScoredAndEveryPredictionAgrees(Path dir) throws Exception {
    // given the trainer's own predictions for the model's samples
    ModelSpec spec = ModelSpec.load(dir);
    Map<String, Integer> reference = Evaluation.readPredictions(dir.resolve("predictions.csv"));
    List<String> rows = Files.readAllLines(dir.resolve("predictions.csv"));
    long trainerCorrect = rows.stream().skip(1).map(r -> r.split(","))
        .filter(f -> f[1].trim().equals(f[2].trim())).count();

    // when the peers' path evaluates the same files
    ServedModel served = ServedModel.open(spec, WorkerConfig.DEFAULT_MAX_PIXELS);
    Evaluation e;
    try {
      e = Evaluation.ofFolder(served, dir.resolve("samples"), reference);
    } finally {
      served.engine().close();
    }

    // then it agrees with the trainer on every file, and so scores what the trainer scored
    assertThat(e.n()).isEqualTo(rows.size() - 1);
    assertThat(e.refused()).isZero();
    assertThat(e.agreed()).as("agreement with the trainer").isEqualTo(e.compared()).isEqualTo(e.n());
    assertThat((long) e.correct()).isEqualTo(trainerCorrect);
  }

  @Test
  void anUnknownModelNameIsAClearError() {
    assertThatThrownBy(() -> ModelSpec.resolve("no-such-model", MODELS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model not found: no-such-model");
  }

  @Test
  void theConfusionMatrixCountsEachPrediction() throws Exception {
    ModelSpec spec = ModelSpec.load(MODELS.resolve("mnist"));
    ServedModel served = ServedModel.open(spec, WorkerConfig.DEFAULT_MAX_PIXELS);
    try {
      Evaluation e = Evaluation.ofFolder(served, MODELS.resolve("mnist").resolve("samples"), Map.of());
      int sum = 0;
      for (int[] row : e.confusion()) {
        for (int c : row) {
          sum += c;
        }
      }
      assertThat(sum).isEqualTo(e.n());
      assertThat(e.compared()).isZero();
      assertThat(Double.isNaN(e.agreement())).isTrue();
      assertThat(e.confusionTable(spec.labels())).contains("true\\pred").contains("100.00%");
    } finally {
      served.engine().close();
    }
  }
}
