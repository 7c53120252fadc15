package dev.minigradient.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.minigradient.protocol.Datatype;
import dev.minigradient.protocol.ModelIds;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.Tensor;
import dev.minigradient.protocol.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An {@link InferenceEngine} backed by ONNX Runtime: one {@link OrtSession} per model, shared by
 * all threads (ONNX Runtime sessions are thread-safe), on the JVM's single {@link OrtEnvironment}.
 *
 * <p>When opened, the model's description ({@code model.json}: inputs, outputs, agreement) is
 * checked against the session's own metadata, and a disagreement fails with every difference named.
 * An image model described by its session alone must have one float32 input of shape [N, 1, 28, 28]
 * (N dynamic or 1) and a float32 output of shape [N, C].
 */
public final class OnnxInferenceEngine implements InferenceEngine {
  private static final long[] IMAGE_SHAPE = {1, 1, 28, 28};

  private final OrtEnvironment env;
  private final OrtSession session;
  private final String modelId;
  private final List<TensorSpec> inputs;
  private final TensorSpec output;
  private final int classCount;

  private OnnxInferenceEngine(
      OrtEnvironment env, OrtSession session, String modelId, ModelSpec spec) throws OrtException {
    this.env = env;
    this.session = session;
    this.modelId = modelId;
    Map<String, TensorSpec> actualIn = described(session.getInputInfo());
    Map<String, TensorSpec> actualOut = described(session.getOutputInfo());
    List<String> problems = new ArrayList<>();
    List<TensorSpec> in = spec.inputs().isEmpty() ? List.copyOf(actualIn.values()) : spec.inputs();
    compare("input", in, actualIn, problems);
    for (String name : actualIn.keySet()) {
      if (in.stream().noneMatch(s -> s.name().equals(name))) {
        problems.add("the model's input " + name + " is not described");
      }
    }
    List<TensorSpec> out =
        spec.outputs().isEmpty() ? List.copyOf(actualOut.values()) : spec.outputs();
    compare("output", out, actualOut, problems);
    TensorSpec agreed = agreedOutput(spec, out, problems);
    if (!spec.isTensors()) {
      if (in.size() != 1 || !isImageInput(in.get(0))) {
        problems.add("an image recipe needs one FP32 input of shape [-1,1,28,28], has " + in);
      }
    }
    int classes = -1;
    if (agreed != null && !spec.agreement().byValue()) {
      List<Long> s = agreed.shape();
      long last = s.isEmpty() ? -1 : s.get(s.size() - 1);
      if (agreed.datatype() != Datatype.FP32 && agreed.datatype() != Datatype.FP64) {
        problems.add("class output " + agreed.name() + " must be FP32 or FP64 logits");
      } else if (s.size() != 2 || last < 2) {
        problems.add(
            "class output " + agreed.name() + " must have shape [N,C], is " + agreed.shapeText());
      } else if (!spec.labels().isEmpty() && last != spec.labels().size()) {
        problems.add(
            "class output "
                + agreed.name()
                + " has "
                + last
                + " classes, model.json names "
                + spec.labels().size()
                + " labels");
      }
      classes = (int) last;
    } else if (agreed != null && !agreed.datatype().isNumeric()) {
      problems.add("value output " + agreed.name() + " must be numeric");
    } else if (agreed != null && !spec.elements().isEmpty()) {
      long n = 1;
      for (long d : agreed.shape().subList(1, agreed.shape().size())) {
        n = d < 1 ? -1 : n * d;
      }
      if (n > 0 && n != spec.elements().size()) {
        problems.add(
            "value output "
                + agreed.name()
                + " holds "
                + n
                + " elements, model.json names "
                + spec.elements().size());
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "model "
              + spec.name()
              + ": its description and the ONNX model disagree: "
              + String.join("; ", problems));
    }
    this.inputs = List.copyOf(in);
    this.output = agreed;
    this.classCount = classes;
  }

  private static boolean isImageInput(TensorSpec s) {
    List<Long> d = s.shape();
    return s.datatype() == Datatype.FP32
        && d.size() == 4
        && (d.get(0) == TensorSpec.DYNAMIC || d.get(0) == 1)
        && d.get(1) == 1
        && d.get(2) == 28
        && d.get(3) == 28;
  }

  private static TensorSpec agreedOutput(
      ModelSpec spec, List<TensorSpec> out, List<String> problems) {
    String name = spec.agreement().output();
    if (name == null) {
      if (out.size() != 1) {
        problems.add("agreement must name one of the outputs " + names(out));
        return null;
      }
      return out.get(0);
    }
    for (TensorSpec o : out) {
      if (o.name().equals(name)) {
        return o;
      }
    }
    problems.add("agreement names output " + name + ", the model has " + names(out));
    return null;
  }

  private static Set<String> names(List<TensorSpec> specs) {
    Set<String> n = new TreeSet<>();
    specs.forEach(s -> n.add(s.name()));
    return n;
  }

  private static void compare(
      String what, List<TensorSpec> declared, Map<String, TensorSpec> actual, List<String> out) {
    for (TensorSpec d : declared) {
      TensorSpec a = actual.get(d.name());
      if (a == null) {
        out.add(what + " " + d.name() + " is not in the model (it has " + actual.keySet() + ")");
      } else if (a.datatype() != d.datatype()) {
        out.add(
            what
                + " "
                + d.name()
                + " is "
                + a.datatype()
                + " in the model, "
                + d.datatype()
                + " in model.json");
      } else if (!a.shape().equals(d.shape())) {
        out.add(
            what
                + " "
                + d.name()
                + " has shape "
                + a.shapeText()
                + " in the model, "
                + d.shapeText()
                + " in model.json");
      }
    }
  }

  private static Map<String, TensorSpec> described(Map<String, NodeInfo> nodes) {
    Map<String, TensorSpec> out = new LinkedHashMap<>();
    for (NodeInfo n : nodes.values()) {
      if (!(n.getInfo() instanceof TensorInfo t)) {
        throw new IllegalArgumentException(n.getName() + " is not a tensor: " + n.getInfo());
      }
      long[] shape = t.getShape().clone();
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shape[i] < 1 ? TensorSpec.DYNAMIC : shape[i];
      }
      out.put(n.getName(), TensorSpec.of(n.getName(), datatype(n.getName(), t.type), shape));
    }
    return out;
  }

  private static Datatype datatype(String name, OnnxJavaType t) {
    return switch (t) {
      case FLOAT -> Datatype.FP32;
      case DOUBLE -> Datatype.FP64;
      case INT32 -> Datatype.INT32;
      case INT64 -> Datatype.INT64;
      case BOOL -> Datatype.BOOL;
      case STRING -> Datatype.BYTES;
      default ->
          throw new IllegalArgumentException(
              name + " has element type " + t + ", which tasks cannot carry");
    };
  }

  /**
   * Opens a bare model file as an image classifier described by its session: one float32 input
   * [N,1,28,28], one float32 output [N,C].
   *
   * @param onnxFile the {@code .onnx} file
   * @return the engine; close it when done
   * @throws IllegalArgumentException if the file is missing or the model's signature is not that
   * @throws IllegalStateException if ONNX Runtime cannot load the model
   */
  public static OnnxInferenceEngine open(Path onnxFile) {
    return open(ModelSpec.imageClassifier(name(onnxFile), onnxFile, "mnist-digit", List.of()));
  }

  private static String name(Path onnxFile) {
    Path f = onnxFile.getFileName();
    return f == null ? onnxFile.toString() : f.toString();
  }

  /**
   * Opens a described model and checks its description against the session's metadata.
   *
   * @param spec the model and its description
   * @return the engine; close it when done
   * @throws IllegalArgumentException if the file is missing, or naming every difference between the
   *     description and the model
   * @throws IllegalStateException if ONNX Runtime cannot load the model
   */
  public static OnnxInferenceEngine open(ModelSpec spec) {
    Path onnxFile = spec.onnx();
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
        return new OnnxInferenceEngine(env, session, ModelIds.of(onnxFile), spec);
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

  /**
   * The model's inputs, as described and checked.
   *
   * @return the input specs
   */
  public List<TensorSpec> inputs() {
    return inputs;
  }

  @Override
  public double[] probabilities(float[] input) {
    if (input.length != 28 * 28) {
      throw new IllegalArgumentException("input must hold 784 floats, has " + input.length);
    }
    return InferenceEngine.softmax(
        run(List.of(Tensor.fp32(inputs.get(0).name(), input, IMAGE_SHAPE))));
  }

  @Override
  public void check(List<Tensor> given) {
    TensorSpec.checkAll(inputs, given);
  }

  @Override
  public double[] run(List<Tensor> given) {
    check(given);
    Map<String, OnnxTensor> feed = new HashMap<>();
    try {
      for (Tensor t : given) {
        feed.put(t.name(), onnx(t));
      }
      try (OrtSession.Result result = session.run(feed, Set.of(output.name()))) {
        OnnxValue v = result.get(0);
        return flatten((OnnxTensor) v);
      }
    } catch (OrtException e) {
      throw new IllegalStateException("inference failed: " + e.getMessage(), e);
    } finally {
      feed.values().forEach(OnnxTensor::close);
    }
  }

  private OnnxTensor onnx(Tensor t) throws OrtException {
    long[] shape = t.shape();
    return switch (t.datatype()) {
      case FP32 -> OnnxTensor.createTensor(env, FloatBuffer.wrap((float[]) t.data()), shape);
      case FP64 -> OnnxTensor.createTensor(env, DoubleBuffer.wrap((double[]) t.data()), shape);
      case INT32 -> OnnxTensor.createTensor(env, IntBuffer.wrap((int[]) t.data()), shape);
      case INT64 -> OnnxTensor.createTensor(env, LongBuffer.wrap((long[]) t.data()), shape);
      case BOOL -> {
        boolean[] b = (boolean[]) t.data();
        ByteBuffer bytes = ByteBuffer.allocateDirect(b.length);
        for (boolean x : b) {
          bytes.put((byte) (x ? 1 : 0));
        }
        bytes.rewind();
        yield OnnxTensor.createTensor(env, bytes, shape, OnnxJavaType.BOOL);
      }
      case BYTES -> OnnxTensor.createTensor(env, (String[]) t.data(), shape);
    };
  }

  private static double[] flatten(OnnxTensor t) {
    OnnxJavaType type = t.getInfo().type;
    switch (type) {
      case FLOAT -> {
        FloatBuffer b = t.getFloatBuffer();
        double[] out = new double[b.remaining()];
        for (int i = 0; i < out.length; i++) {
          out[i] = b.get(i);
        }
        return out;
      }
      case DOUBLE -> {
        DoubleBuffer b = t.getDoubleBuffer();
        double[] out = new double[b.remaining()];
        b.get(out);
        return out;
      }
      case INT64 -> {
        LongBuffer b = t.getLongBuffer();
        double[] out = new double[b.remaining()];
        for (int i = 0; i < out.length; i++) {
          out[i] = b.get(i);
        }
        return out;
      }
      case INT32 -> {
        IntBuffer b = t.getIntBuffer();
        double[] out = new double[b.remaining()];
        for (int i = 0; i < out.length; i++) {
          out[i] = b.get(i);
        }
        return out;
      }
      default -> throw new IllegalStateException("output type " + type + " is not numeric");
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

  @Override
  public String toString() {
    return "OnnxInferenceEngine[" + modelId + ", inputs " + Arrays.toString(inputs.toArray()) + "]";
  }
}
