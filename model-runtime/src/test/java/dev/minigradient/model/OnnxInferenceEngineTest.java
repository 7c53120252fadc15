package dev.minigradient.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minigradient.model.preprocess.MnistPreprocessor;
import dev.minigradient.protocol.ModelIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The peer's real inference path (ImageIO, MNIST preprocessing, ONNX Runtime) on the real model.
 */
class OnnxInferenceEngineTest {
  private static final Path MODEL_DIR = Path.of("..", "models", "mnist");
  private static OnnxInferenceEngine engine;

  @BeforeAll
  static void open() {
    engine = OnnxInferenceEngine.open(MODEL_DIR.resolve("model.onnx"));
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  @Test
  void theModelIdIsTheSha256OfTheFile() {
    assertThat(engine.modelId())
        .isEqualTo(ModelIds.of(MODEL_DIR.resolve("model.onnx")))
        .hasSize(64);
    assertThat(engine.classCount()).isEqualTo(10);
  }

  @Test
  void everySampleGetsTheTrainersPredictionThroughThePeersPipeline() throws Exception {
    // given the trainer's own predictions for every sample file
    List<String> rows = Files.readAllLines(MODEL_DIR.resolve("predictions.csv"));
    MnistPreprocessor pre = new MnistPreprocessor();
    int agree = 0;
    int correct = 0;
    for (String row : rows.subList(1, rows.size())) {
      String[] f = row.split(",");
      // when a peer decodes, preprocesses and runs it
      double[] p =
          engine.probabilities(
              pre.preprocess(Files.readAllBytes(MODEL_DIR.resolve("samples").resolve(f[0]))));
      int label = InferenceEngine.argmax(p);
      // then the probabilities are a distribution and the label matches the trainer's
      assertThat(Arrays.stream(p).sum()).isCloseTo(1.0, Offset.offset(1e-6));
      agree += label == Integer.parseInt(f[2]) ? 1 : 0;
      correct += label == Integer.parseInt(f[1]) ? 1 : 0;
    }
    int n = rows.size() - 1;
    assertThat(n).isGreaterThanOrEqualTo(200);
    assertThat(agree).as("agreement with the trainer").isEqualTo(n);
    assertThat((double) correct / n).as("accuracy on the samples").isGreaterThanOrEqualTo(0.99);
  }

  @Test
  void aWrongSizedInputIsRefused() {
    assertThatThrownBy(() -> engine.probabilities(new float[10]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("784");
  }

  @Test
  void aMissingModelFileIsAClearError() {
    assertThatThrownBy(() -> OnnxInferenceEngine.open(Path.of("no-such-model.onnx")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model file not found");
  }

  @Test
  void softmaxIsStableForHugeLogits() {
    double[] p = InferenceEngine.softmax(new float[] {1000f, 1000f, -1000f});
    assertThat(p).containsExactly(0.5, 0.5, 0.0);
    assertThat(InferenceEngine.argmax(p)).isZero();
  }
}
