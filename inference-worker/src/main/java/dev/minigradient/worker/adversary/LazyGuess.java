package dev.minigradient.worker.adversary;

import dev.minigradient.model.ServedModel;
import dev.minigradient.protocol.Task;

/** Guesses a label from the input's bytes without decoding it or running the model. */
public final class LazyGuess implements Adversary {

  @Override
  public ServedModel.Prediction answer(Task task, ServedModel model) {
    return MadeUpAnswers.lazy(task.input(), MadeUpAnswers.classes(model));
  }
}
