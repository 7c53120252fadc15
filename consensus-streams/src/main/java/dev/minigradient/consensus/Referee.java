package dev.minigradient.consensus;

import dev.minigradient.model.ServedModel;
import dev.minigradient.protocol.Agreement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Re-executes a task's model so the consensus can audit the peers' votes (proof of inference by
 * re-execution, after Truebit and Gensyn's Verde): the referee computes what an honest peer
 * answers, and a vote whose label or probabilities differ was not produced by running the model.
 */
@FunctionalInterface
public interface Referee {

  /**
   * Re-runs one task.
   *
   * @param modelId SHA-256 of the model the task names
   * @param input the task's input bytes
   * @return the honest answer, or null when the referee does not have that model
   */
  Reference rerun(String modelId, byte[] input);

  /**
   * An honest answer.
   *
   * @param label argmax of the probabilities, or {@code Vote.REJECTED} for input an honest peer
   *     refuses
   * @param probabilities softmax of the logits, one per class; empty for a refusal or a value model
   * @param values a value model's output elements; empty otherwise
   */
  record Reference(int label, List<Double> probabilities, List<Double> values) {

    /**
     * A class answer.
     *
     * @param label the class, or {@code Vote.REJECTED}
     * @param probabilities the softmax
     */
    Reference(int label, List<Double> probabilities) {
      this(label, probabilities, List.of());
    }

    /**
     * The same answer under another label: a value answer's cluster among the votes ({@link
     * ValueAgreement}).
     *
     * @param newLabel the label
     * @return the reference
     */
    Reference withLabel(int newLabel) {
      return new Reference(newLabel, probabilities, values);
    }
  }

  /**
   * How the votes on a model agree, as its description says.
   *
   * @param modelId SHA-256 of the model
   * @return the agreement, or null for a model the referee does not have
   */
  default Agreement agreement(String modelId) {
    return null;
  }

  /**
   * A referee that runs nothing: audits are off.
   *
   * @return the referee
   */
  static Referee none() {
    return NONE;
  }

  /** The referee that runs nothing. */
  Referee NONE = (modelId, input) -> null;

  /**
   * A referee running the given models with ONNX Runtime, exactly as a peer does.
   *
   * @param models the models it can audit (their engines stay owned by the caller)
   * @return the referee
   */
  static Referee of(List<ServedModel> models) {
    Map<String, ServedModel> byId = new HashMap<>();
    models.forEach(m -> byId.put(m.modelId(), m));
    return new Referee() {
      @Override
      public Reference rerun(String modelId, byte[] input) {
        ServedModel m = byId.get(modelId);
        if (m == null) {
          return null;
        }
        ServedModel.Prediction p = m.infer(input);
        return new Reference(p.label(), p.probabilities(), p.values());
      }

      @Override
      public Agreement agreement(String modelId) {
        ServedModel m = byId.get(modelId);
        return m == null ? null : m.spec().agreement();
      }
    };
  }
}
