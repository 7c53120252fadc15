package dev.minigradient.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minigradient.model.preprocess.InputLimits;
import dev.minigradient.protocol.InferenceRequest;
import dev.minigradient.protocol.Json;
import dev.minigradient.protocol.ModelIds;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.Tensor;
import dev.minigradient.protocol.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every committed tensor model (a feature vector in, a class or values out) reaches its card's
 * held-out figure through ONNX Runtime, as a peer runs it, and answers its sample requests as the
 * trainer did.
 */
class TensorModelsTest {
  private static final Path MODELS = Path.of("..", "models");

  static Stream<Path> tensorModels() throws Exception {
    try (Stream<Path> s = Files.list(MODELS)) {
      List<Path> dirs =
          s.filter(d -> Files.isRegularFile(d.resolve("model.json")))
              .filter(d -> ModelSpec.load(d).isTensors())
              .sorted()
              .toList();
      assertThat(dirs).as("tensor models").hasSizeGreaterThanOrEqualTo(2);
      return dirs.stream();
    }
  }

  private static JsonNode metrics(Path dir) throws Exception {
    return Json.MAPPER.readTree(dir.resolve("metrics.json").toFile());
  }

  @ParameterizedTest
  @MethodSource("tensorModels")
  void theCardsModelIdIsTheFilesSha256AndTheDescriptionFitsTheModel(Path dir) throws Exception {
    ModelSpec spec = ModelSpec.load(dir);
    String id = ModelIds.of(spec.onnx());
    assertThat(metrics(dir).get("model_id_sha256").asText()).isEqualTo(id);
    assertThat(Files.readString(dir.resolve("MODEL_CARD.md"))).contains(id);
    ServedModel served = ServedModel.open(spec, InputLimits.MAX_PIXELS);
    served.engine().close();
  }

  @ParameterizedTest
  @MethodSource("tensorModels")
  void theHeldOutFigureThroughOnnxRuntimeIsTheCardsFigure(Path dir) throws Exception {
    // given the held-out rows (features, then the label or target) and the card's figure
    ModelSpec spec = ModelSpec.load(dir);
    JsonNode heldout = Json.MAPPER.readTree(dir.resolve("model.json").toFile()).get("heldout");
    String metric = heldout.get("metric").asText();
    double card = metrics(dir).get(metric).asDouble();
    List<String> rows = Files.readAllLines(dir.resolve(heldout.get("file").asText()));
    TensorSpec input = spec.inputs().get(0);
    int features = (int) (long) input.shape().get(1);

    // when a peer's path answers each row as a V2 request
    ServedModel served = ServedModel.open(spec, InputLimits.MAX_PIXELS);
    double sum = 0;
    int n = 0;
    try {
      for (String row : rows.subList(1, rows.size())) {
        String[] f = row.split(",");
        float[] x = new float[features];
        for (int i = 0; i < features; i++) {
          x[i] = Float.parseFloat(f[i]);
        }
        byte[] request = InferenceRequest.write(List.of(Tensor.fp32(input.name(), x, 1, features)));
        ServedModel.Prediction p = served.infer(request);
        assertThat(p.rejection()).isNull();
        if (spec.agreement().byValue()) {
          // heldout_mae_<element>: the mean absolute error of that element against the target
          int element = spec.elements().indexOf(metric.substring("heldout_mae_".length()));
          assertThat(element).as("the metric names an element").isNotNegative();
          sum += Math.abs(p.values().get(element) - Double.parseDouble(f[features]));
        } else {
          sum += p.label() == Integer.parseInt(f[features]) ? 1 : 0;
        }
        n++;
      }
    } finally {
      served.engine().close();
    }

    // then it scores what the trainer measured
    assertThat(n).isGreaterThanOrEqualTo(40);
    assertThat(sum / n).isCloseTo(card, Offset.offset(Math.abs(card) * 1e-4 + 1e-12));
  }

  @ParameterizedTest
  @MethodSource("tensorModels")
  void everySampleRequestGetsTheTrainersAnswer(Path dir) throws Exception {
    ModelSpec spec = ModelSpec.load(dir);
    List<String> rows = Files.readAllLines(dir.resolve("predictions.csv"));
    ServedModel served = ServedModel.open(spec, InputLimits.MAX_PIXELS);
    try {
      for (String row : rows.subList(1, rows.size())) {
        String[] f = row.split(",");
        ServedModel.Prediction p =
            served.infer(Files.readAllBytes(dir.resolve("samples").resolve(f[0])));
        assertThat(p.rejection()).as(f[0]).isNull();
        if (spec.agreement().byValue()) {
          for (int i = 0; i < spec.elements().size(); i++) {
            double expected = Double.parseDouble(f[2 + i]);
            assertThat(p.values().get(i))
                .as(f[0] + " " + spec.elements().get(i))
                .isCloseTo(expected, Offset.offset(Math.abs(expected) * 1e-5));
          }
        } else {
          assertThat(p.label()).as(f[0]).isEqualTo(Integer.parseInt(f[2]));
        }
      }
    } finally {
      served.engine().close();
    }
    assertThat(rows).hasSizeGreaterThan(10);
  }
}
