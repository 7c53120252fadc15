package dev.minigradient.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minigradient.model.preprocess.InputLimits;
import dev.minigradient.protocol.Json;
import dev.minigradient.protocol.ModelIds;
import dev.minigradient.protocol.ModelSpec;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every committed image model reaches its card's numbers through the peers' own inference path (the
 * tensor models: {@link TensorModelsTest}).
 */
class ModelRegistryTest {
  private static final Path MODELS = Path.of("..", "models");

  static Stream<Path> registry() throws Exception {
    try (Stream<Path> s = Files.list(MODELS)) {
      List<Path> dirs =
          s.filter(d -> Files.isRegularFile(d.resolve("model.json")))
              .filter(d -> !ModelSpec.load(d).isTensors()) // TensorModelsTest checks those
              .sorted()
              .toList();
      assertThat(dirs).as("models with a model.json").isNotEmpty();
      return dirs.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("registry")
  void theCardsModelIdIsTheFilesSha256(Path dir) throws Exception {
    ModelSpec spec = ModelSpec.load(dir);
    JsonNode metrics = Json.MAPPER.readTree(dir.resolve("metrics.json").toFile());
    String id = ModelIds.of(spec.onnx());
    assertThat(metrics.get("model_id_sha256").asText()).isEqualTo(id);
    assertThat(Files.readString(dir.resolve("MODEL_CARD.md"))).contains(id);
    assertThat(spec.labels()).hasSize(10);
  }

  @ParameterizedTest
  @MethodSource("registry")
  void theHeldOutAccuracyThroughOnnxRuntimeIsTheCardsFigure(Path dir) throws Exception {
    // given the model's held-out set (IDX, committed) and the accuracy its card states
    JsonNode heldout = Json.MAPPER.readTree(dir.resolve("model.json").toFile()).get("heldout");
    assertThat(heldout).as("model.json names its held-out set").isNotNull();
    double cardAccuracy =
        Json.MAPPER
            .readTree(dir.resolve("metrics.json").toFile())
            .get(heldout.get("metric").asText())
            .asDouble();
    // when the Java engine evaluates it
    ServedModel served = ServedModel.open(ModelSpec.load(dir), InputLimits.MAX_PIXELS);
    Evaluation e;
    try {
      e =
          Evaluation.ofIdx(
              served,
              dir.resolve(heldout.get("images").asText()),
              dir.resolve(heldout.get("labels").asText()),
              0);
    } finally {
      served.engine().close();
    }
    // then it scores exactly what the trainer measured
    assertThat(e.n()).isGreaterThanOrEqualTo(3_000);
    assertThat(e.accuracy()).isEqualTo(cardAccuracy, Offset.offset(1e-9));
  }

  @ParameterizedTest
  @MethodSource("registry")
  void theSamplesScoreWhatTheTrainerScoredAndEveryPredictionAgrees(Path dir) throws Exception {
    // given the trainer's own predictions for the model's samples
    ModelSpec spec = ModelSpec.load(dir);
    Map<String, Integer> reference = Evaluation.readPredictions(dir.resolve("predictions.csv"));
    List<String> rows = Files.readAllLines(dir.resolve("predictions.csv"));
    long trainerCorrect =
        rows.stream()
            .skip(1)
            .map(r -> r.split(","))
            .filter(f -> f[1].trim().equals(f[2].trim()))
            .count();

    // when the peers' path evaluates the same files
    ServedModel served = ServedModel.open(spec, InputLimits.MAX_PIXELS);
    Evaluation e;
    try {
      e = Evaluation.ofFolder(served, dir.resolve("samples"), reference);
    } finally {
      served.engine().close();
    }

    // then it agrees with the trainer on every file, and so scores what the trainer scored
    assertThat(e.n()).isEqualTo(rows.size() - 1);
    assertThat(e.refused()).isZero();
    assertThat(e.agreed())
        .as("agreement with the trainer")
        .isEqualTo(e.compared())
        .isEqualTo(e.n());
    assertThat((long) e.correct()).isEqualTo(trainerCorrect);
  }

  @Test
  void aGarmentPhotographedOnWhiteIsClassifiedLikeItsDataSetImage() throws Exception {
    // given each Fashion-MNIST sample as a product photo: dark on a white page, 4x larger,
    // off-centre
    Path dir = MODELS.resolve("fashion-mnist");
    ServedModel served = ServedModel.open(ModelSpec.load(dir), InputLimits.MAX_PIXELS);
    int same = 0;
    int n = 0;
    try (Stream<Path> files = Files.list(dir.resolve("samples"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".png")).sorted().toList()) {
        BufferedImage src = ImageIO.read(f.toFile());
        BufferedImage page = new BufferedImage(160, 140, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = page.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 160, 140);
        g.setRenderingHint(
            RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        BufferedImage inverted = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++) {
          for (int x = 0; x < 28; x++) {
            inverted.getRaster().setSample(x, y, 0, 255 - src.getRaster().getSample(x, y, 0));
          }
        }
        g.drawImage(inverted, 24, 10, 112, 112, null);
        g.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(page, "png", png);
        // when both go through the peers' path
        int original =
            InferenceEngine.argmax(
                served.engine().probabilities(served.preprocessing().apply(Files.readAllBytes(f))));
        int photo =
            InferenceEngine.argmax(
                served.engine().probabilities(served.preprocessing().apply(png.toByteArray())));
        same += original == photo ? 1 : 0;
        n++;
      }
    } finally {
      served.engine().close();
    }
    // then nearly all get the same class (4x up and down sampling blurs fine texture a little)
    assertThat(n).isEqualTo(100);
    assertThat(same).as("same class as the data-set image").isGreaterThanOrEqualTo(90);
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
    ServedModel served = ServedModel.open(spec, InputLimits.MAX_PIXELS);
    try {
      Evaluation e =
          Evaluation.ofFolder(served, MODELS.resolve("mnist").resolve("samples"), Map.of());
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
