package dev.minigradient.model;

import dev.minigradient.model.preprocess.InvalidInputException;
import dev.minigradient.protocol.InferenceRequest;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.Tensor;
import dev.minigradient.protocol.Vote;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model a peer serves: its engine, its input recipe and its description.
 *
 * @param name the model's short name
 * @param engine the ONNX Runtime session (its {@code modelId()} is the SHA-256 of the file)
 * @param preprocessing how an image input becomes the model's tensor (for an image recipe)
 * @param labels class names by index
 * @param spec the model's description: recipe, inputs, outputs, how votes agree
 */
public record ServedModel(
    String name,
    InferenceEngine engine,
    Preprocessing preprocessing,
    List<String> labels,
    ModelSpec spec) {

  /**
   * An image classifier described by its engine alone (recipe {@code mnist-digit}, agreement by
   * class), as the tests and the legacy single-model peer serve it.
   *
   * @param name the model's short name
   * @param engine the engine
   * @param preprocessing the image recipe
   * @param labels class names by index, or empty
   */
  public ServedModel(
      String name, InferenceEngine engine, Preprocessing preprocessing, List<String> labels) {
    this(
        name,
        engine,
        preprocessing,
        labels,
        ModelSpec.imageClassifier(name, Path.of(name + ".onnx"), "mnist-digit", labels));
  }

  /** The refusal reason of an input on which the model's output holds NaN or infinity. */
  public static final String NON_FINITE_OUTPUT = "non-finite-output";

  /** The refusal reason of a tensor task whose tensors the model does not take. */
  public static final String BAD_TENSOR = "bad-tensor";

  /**
   * Opens a registry model, checking its description against the ONNX session.
   *
   * @param spec the model
   * @param maxPixels images whose header promises more pixels are refused
   * @return the served model; close its engine when done
   * @throws IllegalArgumentException if the description and the model disagree, with every
   *     difference named
   */
  public static ServedModel open(ModelSpec spec, long maxPixels) {
    Preprocessing pre =
        spec.isTensors()
            ? input -> {
              throw new InvalidInputException(
                  "not-an-image", "model " + spec.name() + " takes tensors, not an image");
            }
            : Preprocessing.named(spec.recipe(), maxPixels);
    return new ServedModel(spec.name(), OnnxInferenceEngine.open(spec), pre, spec.labels(), spec);
  }

  /**
   * The model id.
   *
   * @return SHA-256 of the ONNX file
   */
  public String modelId() {
    return engine.modelId();
  }

  /**
   * Whether votes on this model carry values that agree within a tolerance, not a class.
   *
   * @return true for agreement by value
   */
  public boolean byValue() {
    return spec.agreement().byValue();
  }

  /**
   * Decodes, checks and runs one input: what an honest peer answers.
   *
   * @param input the raw bytes: an image file for an image recipe, a V2 inference request's JSON
   *     ({@link InferenceRequest}) for the tensor recipe
   * @return for a class model the label (argmax) and softmax probabilities; for a value model label
   *     0 and the output's values; or a refusal with its reason ({@code bad-tensor} for tensors the
   *     model does not take, {@code non-finite-output} when the model answers NaN or infinity)
   */
  public Prediction infer(byte[] input) {
    try {
      if (spec.isTensors()) {
        return answer(engine.run(tensors(input)));
      }
      float[] image = preprocessing.apply(input);
      if (byValue()) {
        String in = spec.inputs().get(0).name();
        return answer(engine.run(List.of(Tensor.fp32(in, image, 1, 1, 28, 28))));
      }
      double[] p = engine.probabilities(image);
      for (double v : p) {
        if (Double.isNaN(v)) {
          throw new InvalidInputException(
              NON_FINITE_OUTPUT, "model " + name + " answers NaN for this input");
        }
      }
      return classAnswer(p);
    } catch (InvalidInputException e) {
      return new Prediction(Vote.REJECTED, e.reason(), List.of(), List.of(), e.getMessage());
    }
  }

  /**
   * Reads and checks a tensor task's input against the model's inputs.
   *
   * @param input a V2 inference request's JSON
   * @return its tensors
   * @throws InvalidInputException ({@code bad-tensor}) naming what does not fit
   */
  public List<Tensor> tensors(byte[] input) throws InvalidInputException {
    try {
      List<Tensor> t = InferenceRequest.readInputs(input);
      engine.check(t);
      return t;
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(BAD_TENSOR, e.getMessage());
    }
  }

  private Prediction answer(double[] output) throws InvalidInputException {
    for (double v : output) {
      if (!Double.isFinite(v)) {
        // no two runs can agree on it, and no JSON can carry it: a refusal every honest peer and
        // the referee give alike
        throw new InvalidInputException(
            NON_FINITE_OUTPUT,
            "model " + name + " answers NaN or infinity for this input (output " + v + ")");
      }
    }
    if (byValue()) {
      List<Double> values = new ArrayList<>(output.length);
      for (double v : output) {
        values.add(v);
      }
      return new Prediction(0, null, List.of(), values, null);
    }
    return classAnswer(InferenceEngine.softmax(output));
  }

  private static Prediction classAnswer(double[] p) {
    List<Double> probabilities = new ArrayList<>(p.length);
    for (double v : p) {
      probabilities.add(v);
    }
    return new Prediction(InferenceEngine.argmax(p), null, probabilities, List.of(), null);
  }

  /**
   * One model answer.
   *
   * @param label argmax of the probabilities; 0 for a value model's answer; or {@link
   *     dev.minigradient.protocol.Vote#REJECTED}
   * @param rejection the refusal's reason code (e.g. {@code not-an-image}), else null
   * @param probabilities softmax of the logits, one per class; empty for a refusal or a value model
   * @param values a value model's output elements, row-major; empty otherwise
   * @param error the refusal's message, else null
   */
  public record Prediction(
      int label, String rejection, List<Double> probabilities, List<Double> values, String error) {

    /**
     * A class answer.
     *
     * @param label the class
     * @param probabilities the softmax, one per class
     * @return the prediction
     */
    public static Prediction ofClass(int label, List<Double> probabilities) {
      return new Prediction(label, null, probabilities, List.of(), null);
    }
  }
}
