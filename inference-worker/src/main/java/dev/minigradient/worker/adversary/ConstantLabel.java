package dev.minigradient.worker.adversary;

import dev.minigradient.model.ServedModel;
import dev.minigradient.protocol.Task;

/** Votes the same label, confidently, for every task (colluders agree on it). */
public final class ConstantLabel implements Adversary {
  private final int label;

  /**
   * Creates the adversary.
   *
   * @param label the label it always votes, in [0, classes)
   */
  public ConstantLabel(int label) {
    this.label = label;
  }

  @Override
  public ServedModel.Prediction answer(Task task, ServedModel model) {
    return MadeUpAnswers.peaked(label, MadeUpAnswers.classes(model));
  }
}
