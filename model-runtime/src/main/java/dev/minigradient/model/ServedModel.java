package dev.minigradient.model;

import dev.minigradient.model.preprocess.InvalidInputException;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.Vote;
import java.util.ArrayList;
import java.util.List;

/**
 * A model a peer serves: its engine and its input preprocessing.
 *
 * @param name the model's short name
 * @param engine the ONNX Runtime session (its {@code modelId()} is the SHA-256 of the file)
 * @param preprocessing how inputs become tensors
 * @param labels class names by index
 */
public record ServedModel(
    String name, InferenceEngine engine, Preprocessing preprocessing, List<String> labels) {

  /**
   * Opens a registry model.
   *
   * @param spec the model
   * @param maxPixels images whose header promises more pixels are refused
   * @return the served model; close its engine when done
   */
  public static ServedModel open(ModelSpec spec, long maxPixels) {
    Preprocessing pre = Preprocessing.named(spec.preprocessing(), maxPixels);
    return new ServedModel(spec.name(), OnnxInferenceEngine.open(spec.onnx()), pre, spec.labels());
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
   * Decodes, preprocesses and runs one input: what an honest peer answers.
   *
   * @param input the raw bytes (an image file)
   * @return the label (argmax) and softmax probabilities, or a refusal with its reason
   */
  public Prediction infer(byte[] input) {
    try {
      double[] p = engine.probabilities(preprocessing.apply(input));
      List<Double> probabilities = new ArrayList<>(p.length);
      for (double v : p) {
        probabilities.add(v);
      }
      return new Prediction(InferenceEngine.argmax(p), null, probabilities, null);
    } catch (InvalidInputException e) {
      return new Prediction(Vote.REJECTED, e.reason(), List.of(), e.getMessage());
    }
  }

  /**
   * One model answer.
   *
   * @param label argmax of the probabilities, or {@link dev.minigradient.protocol.Vote#REJECTED}
   * @param rejection the refusal's reason code (e.g. {@code not-an-image}), else null
   * @param probabilities softmax of the logits, one per class; empty for a refusal
   * @param error the refusal's message, else null
   */
  public record Prediction(int label, String rejection, List<Double> probabilities, String error) {}
}
