package dev.minigradient.worker;

import dev.minigradient.protocol.ModelSpec;
import java.util.List;

/**
 * A model a peer serves: its engine and its input preprocessing.
 *
 * @param name the model's short name
 * @param engine the ONNX Runtime session (its {@code modelId()} is the SHA-256 of the file)
 * @param preprocessing how inputs become tensors
 * @param labels class names by index
 */
public record ServedModel(String name, InferenceEngine engine, Preprocessing preprocessing, List<String> labels) {

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
}
