package dev.minigradient.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minigradient.model.preprocess.InputLimits;
import dev.minigradient.protocol.InferenceRequest;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.Tensor;
import dev.minigradient.protocol.Vote;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model's description in {@code model.json} is checked against the ONNX session, and runs. */
class ModelDescriptionTest {
  private static final Path MNIST = Path.of("..", "models", "mnist");
  private static final String IMAGE_IO =
      """
      "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 1, 28, 28]}],
      "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 10]}]
      """;

  @TempDir Path dir;

  private ModelSpec describe(String fields) throws Exception {
    Files.writeString(
        dir.resolve("model.json"),
        "{\"name\": \"described\", \"file\": \""
            + MNIST.resolve("model.onnx").toAbsolutePath()
            + "\", "
            + fields
            + "}");
    return ModelSpec.load(dir);
  }

  private static byte[] sampleImage() throws Exception {
    try (var files = Files.list(MNIST.resolve("samples"))) {
      return Files.readAllBytes(
          files.filter(f -> f.toString().endsWith(".png")).sorted().findFirst().orElseThrow());
    }
  }

  @Test
  void aDescriptionThatDisagreesWithTheModelFailsAtStartNamingEachDifference() throws Exception {
    ModelSpec wrong =
        describe(
            """
            "recipe": "tensors",
            "inputs": [{"name": "input", "datatype": "INT64", "shape": [-1, 1, 28, 28]},
                       {"name": "mask", "datatype": "FP32", "shape": [-1, 4]}],
            "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 12]}],
            "agreement": {"by": "class", "output": "logits"},
            "labels": ["a", "b"]
            """);
    assertThatThrownBy(() -> ServedModel.open(wrong, InputLimits.MAX_PIXELS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("input input is FP32 in the model, INT64 in model.json")
        .hasMessageContaining("input mask is not in the model")
        .hasMessageContaining(
            "output logits has shape [-1, 10] in the model, [-1, 12] in model.json")
        .hasMessageContaining("model.json names 2 labels");
  }

  @Test
  void aDescriptionMissingAnInputOrNamingAnUnknownOutputIsRefused() throws Exception {
    assertThatThrownBy(
            () ->
                describe(
                    """
                    "recipe": "tensors", "inputs": [], "outputs": [],
                    "agreement": {"by": "class"}, "labels": ["0"]
                    """))
        .hasMessageContaining("model.json")
        .hasMessageContaining("recipe tensors needs inputs and outputs");
    assertThatThrownBy(
            () ->
                describe(
                    IMAGE_IO
                        + """
                        , "recipe": "mnist-digit", "agreement": {"by": "class", "output": "probs"}
                        """))
        .hasMessageContaining("agreement names output probs");
    assertThatThrownBy(
            () ->
                describe(
                    IMAGE_IO
                        + """
                        , "recipe": "mnist-digit", "agreement": {"by": "value", "output": "logits"}
                        """))
        .hasMessageContaining("needs a tolerance");
  }

  @Test
  void aTensorTaskRunsTheModelAsItsImageWouldAndBadTensorsAreRefusedWithTheReason()
      throws Exception {
    ModelSpec image = ModelSpec.load(MNIST);
    ModelSpec tensors =
        describe(
            IMAGE_IO
                + """
                , "recipe": "tensors", "agreement": {"by": "class", "output": "logits"},
                "labels": ["0","1","2","3","4","5","6","7","8","9"]
                """);
    ServedModel byImage = ServedModel.open(image, InputLimits.MAX_PIXELS);
    ServedModel byTensor = ServedModel.open(tensors, InputLimits.MAX_PIXELS);
    try {
      float[] pixels = byImage.preprocessing().apply(sampleImage());
      byte[] request = InferenceRequest.write(List.of(Tensor.fp32("input", pixels, 1, 1, 28, 28)));
      ServedModel.Prediction fromImage = byImage.infer(sampleImage());
      ServedModel.Prediction fromTensor = byTensor.infer(request);
      assertThat(fromTensor.label()).isEqualTo(fromImage.label());
      assertThat(fromTensor.probabilities()).isEqualTo(fromImage.probabilities());

      assertThat(
              refusal(
                  byTensor,
                  InferenceRequest.write(List.of(Tensor.fp32("x", pixels, 1, 1, 28, 28)))))
          .contains("the model has no input x");
      assertThat(
              refusal(
                  byTensor,
                  InferenceRequest.write(List.of(Tensor.fp32("input", pixels, 1, 28, 28)))))
          .contains("must have shape [-1, 1, 28, 28], has [1, 28, 28]");
      float[] two = new float[2 * 784];
      assertThat(
              refusal(
                  byTensor,
                  InferenceRequest.write(List.of(Tensor.fp32("input", two, 2, 1, 28, 28)))))
          .contains("first dimension must be 1");
      assertThat(refusal(byTensor, "{\"inputs\": 1}".getBytes(StandardCharsets.UTF_8)))
          .contains("\"inputs\" array");
      assertThat(refusal(byTensor, sampleImage())).contains("not JSON");
    } finally {
      byImage.engine().close();
      byTensor.engine().close();
    }
  }

  private static String refusal(ServedModel model, byte[] input) {
    ServedModel.Prediction p = model.infer(input);
    assertThat(p.label()).isEqualTo(Vote.REJECTED);
    assertThat(p.rejection()).isEqualTo(ServedModel.BAD_TENSOR);
    return p.error();
  }

  @Test
  void aValueModelAnswersTheOutputsValues() throws Exception {
    ModelSpec values =
        describe(
            IMAGE_IO
                + """
                , "recipe": "mnist-digit",
                "agreement": {"by": "value", "output": "logits",
                              "tolerance": {"kind": "absolute", "value": 0.001}}
                """);
    ServedModel model = ServedModel.open(values, InputLimits.MAX_PIXELS);
    try {
      ServedModel.Prediction p = model.infer(sampleImage());
      assertThat(p.rejection()).isNull();
      assertThat(p.probabilities()).isEmpty();
      assertThat(p.values()).hasSize(10);
      double[] logits = new double[10];
      for (int i = 0; i < 10; i++) {
        logits[i] = p.values().get(i);
      }
      assertThat(InferenceEngine.softmax(logits))
          .containsExactly(
              model.engine().probabilities(model.preprocessing().apply(sampleImage())));
    } finally {
      model.engine().close();
    }
  }

  @Test
  void aTensorsModelMustStateItsAgreementAndAValueOutputItsElementCount() throws Exception {
    assertThatThrownBy(
            () ->
                describe(
                    IMAGE_IO
                        + """
                        , "recipe": "tensors", "labels": ["0"]
                        """))
        .hasMessageContaining("a tensors model needs \"agreement\"");
    ModelSpec twoNames =
        describe(
            IMAGE_IO
                + """
                , "recipe": "tensors", "elements": ["a", "b"],
                "agreement": {"by": "value", "tolerance": {"kind": "absolute", "value": 0.1}}
                """);
    assertThatThrownBy(() -> ServedModel.open(twoNames, InputLimits.MAX_PIXELS))
        .hasMessageContaining("value output logits holds 10 elements, model.json names 2");
    Files.writeString(dir.resolve("model.json"), "{\"name\": \"cut\", ");
    assertThatThrownBy(() -> ModelSpec.load(dir)).hasMessageContaining("is not valid JSON");
  }

  @Test
  void anOutputOfNaNOrInfinityIsRefusedAlikeByEveryHonestRun() throws Exception {
    // given a value model whose engine answers NaN (as log(-1) does), and one answering infinity
    ModelSpec spec =
        describe(
            """
            "recipe": "tensors",
            "inputs": [{"name": "x", "datatype": "FP32", "shape": [-1, 2]}],
            "outputs": [{"name": "y", "datatype": "FP32", "shape": [-1, 2]}],
            "agreement": {"by": "value", "tolerance": {"kind": "absolute", "value": 0.001}}
            """);
    byte[] request = InferenceRequest.write(List.of(Tensor.fp32("x", new float[] {-1, 2}, 1, 2)));
    for (double bad : new double[] {Double.NaN, Double.NEGATIVE_INFINITY}) {
      InferenceEngine engine =
          new InferenceEngine() {
            @Override
            public String modelId() {
              return "m";
            }

            @Override
            public int classCount() {
              return -1;
            }

            @Override
            public double[] probabilities(float[] input) {
              throw new UnsupportedOperationException();
            }

            @Override
            public void check(List<Tensor> inputs) {}

            @Override
            public double[] run(List<Tensor> inputs) {
              return new double[] {bad, 0.69};
            }

            @Override
            public void close() {}
          };
      ServedModel model = new ServedModel("m", engine, null, List.of(), spec);

      // then the answer is a refusal with its reason, not a vote no other run can match
      ServedModel.Prediction p = model.infer(request);
      assertThat(p.label()).isEqualTo(Vote.REJECTED);
      assertThat(p.rejection()).isEqualTo(ServedModel.NON_FINITE_OUTPUT);
      assertThat(p.values()).isEmpty();
    }
  }
}
