package dev.minigradient.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A model input or output as {@code model.json} declares it: its name, element type and shape, a
 * dimension of {@code -1} being dynamic (the Open Inference Protocol's metadata convention; ONNX
 * Runtime reports a symbolic dimension as -1 too).
 *
 * @param name the tensor's name in the ONNX graph
 * @param datatype its element type
 * @param shape its dimensions, -1 for a dynamic one
 */
public record TensorSpec(String name, Datatype datatype, List<Long> shape) {

  /** The dimension value that stands for a dynamic dimension. */
  public static final long DYNAMIC = -1;

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException if the name is blank or a dimension is below -1 or zero
   */
  @JsonCreator
  public TensorSpec(
      @JsonProperty("name") String name,
      @JsonProperty("datatype") Datatype datatype,
      @JsonProperty("shape") List<Long> shape) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a tensor needs a name");
    }
    Objects.requireNonNull(datatype, () -> "tensor " + name + " needs a datatype");
    Objects.requireNonNull(shape, () -> "tensor " + name + " needs a shape");
    for (Long d : shape) {
      if (d == null || (d != DYNAMIC && d < 1)) {
        throw new IllegalArgumentException(
            "tensor " + name + ": dimension " + d + " must be positive or -1 (dynamic)");
      }
    }
    this.name = name;
    this.datatype = datatype;
    this.shape = List.copyOf(shape);
  }

  /**
   * A spec from an array shape.
   *
   * @param name the name
   * @param datatype the element type
   * @param shape the dimensions, -1 for dynamic
   * @return the spec
   */
  public static TensorSpec of(String name, Datatype datatype, long... shape) {
    return new TensorSpec(name, datatype, Arrays.stream(shape).boxed().toList());
  }

  /**
   * Checks that a tensor fits this spec: same name, element type and rank, and each fixed dimension
   * equal.
   *
   * @param t the tensor
   * @throws IllegalArgumentException naming what differs
   */
  public void check(Tensor t) {
    if (!name.equals(t.name())) {
      throw new IllegalArgumentException("tensor " + t.name() + " is not input " + name);
    }
    if (t.datatype() != datatype) {
      throw new IllegalArgumentException(
          "input " + name + " must be " + datatype + ", is " + t.datatype());
    }
    long[] s = t.shape();
    boolean fits = s.length == shape.size();
    for (int i = 0; fits && i < s.length; i++) {
      fits = shape.get(i) == DYNAMIC || shape.get(i) == s[i];
    }
    if (!fits) {
      throw new IllegalArgumentException(
          "input " + name + " must have shape " + shapeText() + ", has " + Arrays.toString(s));
    }
  }

  /**
   * Checks that a task's tensors are what a model takes: every input, by name, of its element type
   * and shape, the first dimension 1 where it is dynamic (a task is one item), nothing else.
   *
   * @param inputs the model's inputs
   * @param given the task's tensors
   * @throws IllegalArgumentException naming the first tensor that does not fit
   */
  public static void checkAll(List<TensorSpec> inputs, List<Tensor> given) {
    for (Tensor t : given) {
      if (inputs.stream().noneMatch(s -> s.name().equals(t.name()))) {
        throw new IllegalArgumentException(
            "the model has no input "
                + t.name()
                + " (its inputs: "
                + inputs.stream().map(TensorSpec::name).toList()
                + ")");
      }
    }
    for (TensorSpec s : inputs) {
      Tensor t =
          given.stream()
              .filter(g -> g.name().equals(s.name()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "input "
                              + s.name()
                              + " is missing (the task gives "
                              + given.stream().map(Tensor::name).toList()
                              + ")"));
      s.check(t);
      if (!s.shape().isEmpty() && s.shape().get(0) == DYNAMIC && t.shape()[0] != 1) {
        throw new IllegalArgumentException(
            "input " + s.name() + ": a task is one item, so its first dimension must be 1");
      }
    }
  }

  @Override
  public String toString() {
    return name + " " + datatype + " " + shapeText();
  }

  /**
   * The shape as text, dynamic dimensions as {@code -1}.
   *
   * @return e.g. {@code [-1, 13]}
   */
  public String shapeText() {
    return shape.toString();
  }
}
