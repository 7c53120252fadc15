package dev.minigradient.producer;

import dev.minigradient.protocol.InferenceRequest;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.Tensor;
import dev.minigradient.protocol.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The inputs of a tensor model's tasks, checked before anything is sent: a V2 inference request's
 * JSON as it is, or a {@code .npy} array as the model's one input; each checked against the model's
 * description (names, element types, shapes, one item) and the record size.
 */
public final class TensorInputs {
  private TensorInputs() {}

  /**
   * Reads, converts and checks every input.
   *
   * @param model the model, whose recipe is {@code tensors}
   * @param inputs the files read
   * @return the inputs, each holding a V2 inference request's JSON
   * @throws IllegalArgumentException for the first input that is unreadable or does not fit, as
   *     {@code FILE: reason}
   */
  public static List<Input> prepare(ModelSpec model, List<Input> inputs) {
    List<Input> out = new ArrayList<>(inputs.size());
    for (Input in : inputs) {
      if (in.error() != null) {
        throw new IllegalArgumentException(in.name() + ": " + in.error());
      }
      try {
        List<Tensor> tensors;
        byte[] bytes = in.bytes();
        if (in.name().toLowerCase(Locale.ROOT).endsWith(".npy")) {
          if (model.inputs().size() != 1) {
            throw new IllegalArgumentException(
                "an .npy array feeds a model with one input; model "
                    + model.name()
                    + " takes "
                    + model.inputs().stream().map(TensorSpec::name).toList()
                    + ": give a V2 inference request (.json)");
          }
          tensors = List.of(NpyFile.read(model.inputs().get(0).name(), bytes));
          bytes = InferenceRequest.write(tensors);
        } else {
          tensors = InferenceRequest.readInputs(bytes);
        }
        TensorSpec.checkAll(model.inputs(), tensors);
        InferenceRequest.checkFits(bytes);
        out.add(new Input(in.name(), in.path(), bytes, in.trueLabel(), null));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(in.name() + ": " + e.getMessage(), e);
      }
    }
    return out;
  }
}
