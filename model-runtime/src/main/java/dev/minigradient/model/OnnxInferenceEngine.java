package dev.minigradient.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.minigradient.protocol.ModelIds;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * An {@link InferenceEngine} backed by ONNX Runtime: one {@link OrtSession} per model, shared by
 * all threads (ONNX Runtime sessions are thread-safe), on the JVM's single {@link OrtEnvironment}.
 *
 * <p>The model must have one float32 input of shape [N, 1, 28, 28] (N dynamic or 1) and one float32
 * output of shape [N, C] holding logits; both are checked when the engine is opened.
 */
public final class OnnxInferenceEngine implements InferenceEngine {
  private static final long[] INPUT_SHAPE = {1, 1, 28, 28};

  private final OrtEnvironment env;
  private final OrtSession session;
  private final String inputName;
  private final String modelId;
  private final int classCount;

  private OnnxInferenceEngine(OrtEnvironment env, OrtSession session, String modelId)
      throws OrtException {
    this.env = env;
    this.session = session;
    this.modelId = modelId;
    Map<String, NodeInfo> inputs = session.getInputInfo();
    Map<String, NodeInfo> outputs = session.getOutputInfo();
    if (inputs.size() != 1 || outputs.size() != 1) {
      throw new IllegalArgumentException(
          "model must have one input and one output, has "
              + inputs.keySet()
              + " -> "
              + outputs.keySet());
    }
    NodeInfo in = inputs.values().iterator().next();
    NodeInfo out = outputs.values().iterator().next();
    long[] inShape = tensorInfo(in).getShape();
    long[] outShape = tensorInfo(out).getShape();
    if (inShape.length != 4 || inShape[1] != 1 || inShape[2] != 28 || inShape[3] != 28) {
      throw new IllegalArgumentException(
          "model input " + in.getName() + " must be [N,1,28,28], is " + Arrays.toString(inShape));
    }
    if (outShape.length != 2 || outShape[1] <= 1) {
      throw new IllegalArgumentException(
          "model output " + out.getName() + " must be [N,C], is " + Arrays.toString(outShape));
    }
    this.inputName = in.getName();
    this.classCount = (int) outShape[1];
  }

  private static TensorInfo tensorInfo(NodeInfo node) {
    if (node.getInfo() instanceof TensorInfo t && t.type == OnnxJavaType.FLOAT) {
      return t;
    }
    throw new IllegalArgumentException(
        node.getName() + " is not a float32 tensor: " + node.getInfo());
  }

  /**
   * Opens a model file and checks its signature.
   *
   * @param onnxFile the {@code .onnx} file
   * @return the engine; close it when done
   * @throws IllegalArgumentException if the file is missing or the model's signature is not
   *     [N,1,28,28] float32 to [N,C] float32
   * @throws IllegalStateException if ONNX Runtime cannot load the model
   */
  public static OnnxInferenceEngine open(Path onnxFile) {
    if (!Files.isRegularFile(onnxFile)) {
      throw new IllegalArgumentException("model file not found: " + onnxFile);
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try {
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      // One intra-op thread: a peer runs many small models concurrently, not one big one.
      options.setIntraOpNumThreads(1);
      OrtSession session = env.createSession(onnxFile.toString(), options);
      try {
        return new OnnxInferenceEngine(env, session, ModelIds.of(onnxFile));
      } catch (RuntimeException e) {
        session.close();
        throw e;
      }
    } catch (OrtException e) {
      throw new IllegalStateException(
          "ONNX Runtime cannot load " + onnxFile + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String modelId() {
    return modelId;
  }

  @Override
  public int classCount() {
    return classCount;
  }

  @Override
  public double[] probabilities(float[] input) {
    if (input.length != 28 * 28) {
      throw new IllegalArgumentException("input must hold 784 floats, has " + input.length);
    }
    try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), INPUT_SHAPE);
        OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
      float[][] logits = (float[][]) result.get(0).getValue();
      return InferenceEngine.softmax(logits[0]);
    } catch (OrtException e) {
      throw new IllegalStateException("inference failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    }
  }
}
