package dev.minigradient.worker.adversary;

import dev.minigradient.protocol.Task;
import dev.minigradient.worker.ServedModel;

/** Runs the model and votes its answer. */
public final class Honest implements Adversary {

  @Override
  public ServedModel.Prediction answer(Task task, ServedModel model) {
    return model.infer(task.input());
  }
}
